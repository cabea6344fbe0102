import Foundation

/// One point of a chart: a time (Unix seconds) and a value.
public struct ChartPoint: Codable, Sendable, Equatable {
    /// Unix seconds.
    public var time: Double
    /// The value at that time.
    public var value: Double

    /// Makes a point.
    public init(time: Double, value: Double) {
        self.time = time
        self.value = value
    }
}

/// A named line on a chart.
public struct ChartSeries: Sendable, Equatable {
    /// The legend's text.
    public var name: String
    /// The points, in time order.
    public var points: [ChartPoint]
    /// A CSS colour.
    public var color: String

    /// Makes a series.
    public init(name: String, points: [ChartPoint], color: String) {
        self.name = name
        self.points = points
        self.color = color
    }
}

/// A line chart over a time range, rendered on the server as an inline SVG element
/// (no script, no external asset): y from 0 to a round maximum, three grid lines, the
/// range's start, middle and end as UTC `HH:MM` labels, and a legend.
public struct SVGChart: Sendable {
    /// The chart's title (also its accessible label).
    public var title: String
    /// The lines.
    public var series: [ChartSeries]
    /// The time range shown (Unix seconds).
    public var start: Double
    /// The end of the time range (Unix seconds).
    public var end: Double
    /// Width and height in pixels.
    public var width = 640.0
    /// Height in pixels.
    public var height = 200.0

    private let left = 48.0, right = 12.0, top = 12.0, bottom = 40.0  // margins

    /// Makes a chart of `series` between `start` and `end`.
    public init(title: String, series: [ChartSeries], start: Double, end: Double) {
        self.title = title
        self.series = series
        self.start = start
        self.end = max(end, start + 1)
    }

    /// The top of the y axis: the largest value rounded up to 1, 2 or 5 times a power of
    /// ten (1 when every value is 0).
    public var yMax: Double {
        let largest = series.flatMap(\.points).map(\.value).max() ?? 0
        guard largest > 0 else { return 1 }
        let power = pow(10, (log10(largest)).rounded(.down))
        for step in [1.0, 2, 5, 10] where step * power >= largest { return step * power }
        return 10 * power
    }

    /// The SVG element.
    public func render() -> String {
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxValue = yMax
        func x(_ time: Double) -> Double { left + (time - start) / (end - start) * plotWidth }
        func y(_ value: Double) -> Double { self.top + plotHeight - value / maxValue * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
        svg += "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
        svg += "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        for fraction in [0.0, 0.5, 1.0] {
            let lineY = Self.number(y(maxValue * fraction))
            svg += "<line x1=\"\(Self.number(left))\" x2=\"\(Self.number(width - right))\" y1=\"\(lineY)\" y2=\"\(lineY)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(Self.number(left - 6))\" y=\"\(lineY)\" text-anchor=\"end\" dominant-baseline=\"middle\" font-size=\"11\">\(Self.label(maxValue * fraction))</text>"
        }
        for (fraction, anchor) in [(0.0, "start"), (0.5, "middle"), (1.0, "end")] {
            let time = start + (end - start) * fraction
            svg += "<text x=\"\(Self.number(x(time)))\" y=\"\(Self.number(self.top + plotHeight + 14))\" text-anchor=\"\(anchor)\" font-size=\"11\">\(Self.clock(time))</text>"
        }
        var legendX = left
        for line in series {
            let visible = line.points.filter { $0.time >= start && $0.time <= end }
            if visible.count == 1, let point = visible.first {
                svg += "<circle cx=\"\(Self.number(x(point.time)))\" cy=\"\(Self.number(y(point.value)))\" r=\"2.5\" fill=\"\(HTML.escape(line.color))\"/>"
            } else if visible.count > 1 {
                let points = visible.map { "\(Self.number(x($0.time))),\(Self.number(y($0.value)))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(HTML.escape(line.color))\" stroke-width=\"1.5\" points=\"\(points)\"/>"
            }
            let legendY = Self.number(height - 8)
            svg += "<rect x=\"\(Self.number(legendX))\" y=\"\(Self.number(height - 16))\" width=\"10\" height=\"10\" fill=\"\(HTML.escape(line.color))\"/>"
            svg += "<text x=\"\(Self.number(legendX + 14))\" y=\"\(legendY)\" font-size=\"11\">\(HTML.escape(line.name))</text>"
            legendX += 24 + Double(line.name.count) * 7
        }
        if series.allSatisfy({ $0.points.isEmpty }) {
            svg += "<text x=\"\(Self.number(left + plotWidth / 2))\" y=\"\(Self.number(self.top + plotHeight / 2))\" text-anchor=\"middle\" fill=\"#888\">no samples yet</text>"
        }
        return svg + "</svg>"
    }

    /// A coordinate with at most one decimal.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// An axis value: whole numbers plainly, others with up to two decimals.
    static func label(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2g", value)
    }

    /// `HH:MM` UTC.
    static func clock(_ time: Double) -> String {
        let minutes = Int((time / 60).rounded(.down))
        let hour = (minutes / 60) % 24, minute = minutes % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }
}
