import Foundation

/// The figures of one run, in the order they were measured, printed as a table or as
/// one JSON object (the keys Tools/bench/huey_side.py uses too).
struct BenchReport {
    /// Text facts about the run: side, storage, sync mode, …
    var meta: [(key: String, value: String)] = []
    /// Numbers: rates, seconds, KiB, percentages.
    var figures: [(key: String, value: Double)] = []

    mutating func note(_ key: String, _ value: String) { meta.append((key, value)) }
    mutating func add(_ key: String, _ value: Double) { figures.append((key, value)) }

    /// One JSON object; numbers that are not finite become null.
    func json() -> String {
        var parts: [String] = []
        for (key, value) in meta { parts.append("\"\(key)\": \"\(Self.escape(value))\"") }
        for (key, value) in figures {
            let text = value.isFinite ? (value == value.rounded() && abs(value) < 1e15
                ? String(Int(value)) : String(format: "%.6g", value)) : "null"
            parts.append("\"\(key)\": \(text)")
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// A two-column table.
    func table() -> String {
        var lines = meta.map { "\($0.key.padding(toLength: 24, withPad: " ", startingAt: 0)) \($0.value)" }
        lines.append(String(repeating: "-", count: 44))
        for (key, value) in figures {
            let text = value.isFinite ? String(format: value >= 100 ? "%.0f" : "%.3g", value) : "n/a"
            lines.append("\(key.padding(toLength: 24, withPad: " ", startingAt: 0)) \(text)")
        }
        return lines.joined(separator: "\n")
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
