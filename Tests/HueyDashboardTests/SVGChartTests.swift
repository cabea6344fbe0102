import Foundation
import Huey
import HueyDashboard
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The chart renderer, the depth history and the periodic tasks' next run.
@Suite("Dashboard charts")
struct SVGChartTests {
    @Test("the y axis tops at the largest value rounded up to 1, 2 or 5 times a power of ten")
    func yMax() {
        func top(_ values: [Double]) -> Double {
            SVGChart(
                title: "t", series: [ChartSeries(name: "s", points: values.map { ChartPoint(time: 0, value: $0) }, color: "red")],
                start: 0, end: 60
            ).yMax
        }
        #expect(top([]) == 1)
        #expect(top([0]) == 1)
        #expect(top([3]) == 5)
        #expect(top([7, 2]) == 10)
        #expect(top([12]) == 20)
        #expect(top([20]) == 20)
        #expect(top([0.3]) == 0.5)
        #expect(top([4500]) == 5000)
    }

    @Test("points land where their time and value say, labels are escaped")
    func geometry() {
        // Plot area: x 48...628 (580 px) over 0...60 s; y 160...12 (148 px) over 0...10.
        let chart = SVGChart(
            title: "depth <&>",
            series: [
                ChartSeries(
                    name: "a\"b", points: [ChartPoint(time: 0, value: 0), ChartPoint(time: 30, value: 5), ChartPoint(time: 60, value: 10)],
                    color: "#123456")
            ], start: 0, end: 60)
        let svg = chart.render()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains("points=\"48,160 338,86 628,12\""))
        #expect(svg.contains("<title>depth &lt;&amp;&gt;</title>"))
        #expect(svg.contains(">a&quot;b</text>"))
        #expect(svg.contains(">10</text>"))  // y axis top
        #expect(svg.contains(">00:00</text>") && svg.contains(">00:01</text>"))  // x axis ends, UTC
        #expect(!svg.contains("no samples yet"))
    }

    @Test("points outside the range are left out; an empty chart says so")
    func emptyAndOutside() {
        let outside = SVGChart(
            title: "t", series: [ChartSeries(name: "s", points: [ChartPoint(time: -100, value: 3)], color: "red")], start: 0,
            end: 60)
        #expect(!outside.render().contains("<polyline"))
        #expect(!outside.render().contains("<circle"))
        let empty = SVGChart(title: "t", series: [ChartSeries(name: "s", points: [], color: "red")], start: 0, end: 60)
        #expect(empty.render().contains("no samples yet"))
    }

    @Test("the depth sampler keeps only the window")
    func samplerWindow() {
        let sampler = DepthSampler(interval: 10, window: 100)
        for time in stride(from: 0.0, through: 300, by: 10) {
            sampler.record(DepthSample(time: time, pending: Int(time), scheduled: 0, inFlight: 0))
        }
        #expect(sampler.history.map(\.time) == Array(stride(from: 200.0, through: 300, by: 10)))
    }

    @Test("a periodic task's next run is its crontab's next minute")
    func nextRun() throws {
        let fixture = try DashboardFixture()
        let reader = DashboardReader(huey: fixture.huey)
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14 22:13:20Z
        let nightly = try #require(try reader.periodic(now: now).first)
        #expect(nightly.name == "nightly")
        let expected = try crontab(minute: "30", hour: "2").nextMatch(after: now)!.timeIntervalSince1970
        #expect(nightly.nextRun == expected)
        #expect(nightly.nextRun == 1_700_015_400)  // 2023-11-15 02:30:00Z
        fixture.huey.periodicTask("never", { _ in false }) {}
        #expect(try reader.periodic(now: now).first { $0.name == "never" }?.nextRun == nil)
    }
}
