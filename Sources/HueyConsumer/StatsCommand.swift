import ArgumentParser
import Foundation
import Huey

/// `stats`: how much is queued, scheduled, claimed, stored and dead, the storage's size on
/// the disk, and the per-task statistics of the last `--window` seconds (counts, rates,
/// error ratio, run-time and queue-wait percentiles, the oldest waiting call's age).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show the queue's counts, the storage's size on disk and per-task statistics.")
    @Option(name: .long, help: "Statistics of the last this many seconds (default 3600).") var window: Double = 3600
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard window > 0, window.isFinite else { throw ValidationError("--window must be a positive number of seconds") }
    }

    func run() throws {
        let huey = try CommandContext.current()
        let queue = try huey.queueCounts()
        let counts: [(String, Int)] = [
            ("pending", queue.pending), ("scheduled", queue.scheduled), ("claimed", queue.claimed),
            ("results", queue.results), ("dead", queue.dead),
        ]
        let usage = queue.disk
        let report = try huey.statistics(window: window)
        if output.json {
            var object: [String: JSONValue] = [:]
            for (name, count) in counts { object[name] = .int(count) }
            object["disk_bytes"] = usage.map { .int($0.bytes) } ?? .null
            var parts: [String: JSONValue] = [:]
            for part in usage?.parts ?? [] { parts[part.name] = .int(part.bytes) }
            object["disk"] = usage == nil ? .null : .object(parts)
            object["statistics"] = report.json
            return try AdminOutput.json(JSONValue.object(object))
        }
        var rows = counts.map { [$0.0, String($0.1)] }
        rows.append(["on disk", usage?.summary ?? "- (not on this machine's disk)"])
        AdminOutput.table(["WHAT", "COUNT"], rows, empty: "")
        print("")
        print("Last \(Self.duration(window)) (\(huey.statisticsWindow > 0 ? "kept \(Self.duration(huey.statisticsWindow))" : "recording off")):")
        let taskRows = report.tasks.map(\.tableRow) + (report.tasks.count > 1 ? [report.total.tableRow] : [])
        AdminOutput.table(TaskStatistics.tableHeaders, taskRows, empty: "No calls finished in the window.")
        let oldest = report.oldestWaitingAge.map { Self.duration($0) } ?? "-"
        print("in flight \(report.inFlight), waiting \(report.waiting), oldest waiting \(oldest)")
    }

    /// Seconds for a person: "45s", "12m", "3.5h".
    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Int(seconds.rounded()))s" }
        if seconds < 7200 { return "\(Int((seconds / 60).rounded()))m" }
        return "\(trim((seconds / 360).rounded() / 10))h"
    }

    private static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}
