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
        let storage = huey.storage
        let counts: [(String, Int)] = [
            ("pending", try huey.pendingCount), ("scheduled", try huey.scheduledCount),
            ("claimed", try storage.claims().count), ("results", try huey.resultCount),
            ("dead", try storage.deadItems().count),
        ]
        let usage = try storage.diskUsage()
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
        let taskRows = report.tasks.map(Self.row) + (report.tasks.count > 1 ? [Self.row(report.total)] : [])
        AdminOutput.table(Self.headers, taskRows, empty: "No calls finished in the window.")
        let oldest = report.oldestWaitingAge.map { Self.duration($0) } ?? "-"
        print("in flight \(report.inFlight), waiting \(report.waiting), oldest waiting \(oldest)")
    }

    static let headers = [
        "TASK", "DONE", "FAILED", "RETRIED", "EXPIRED", "REVOKED", "CRASHED", "DONE/MIN", "ERRORS",
        "RUN p50/p95/p99", "WAIT p50/p95/p99",
    ]

    /// One table row; the queue's totals are named by the queue.
    static func row(_ stats: TaskStatistics) -> [String] {
        let counts = TaskOutcome.allCases.map { String(stats.counters[$0]) }
        func percentiles(_ value: (Double) -> Double?) -> String {
            [0.5, 0.95, 0.99].map { value($0).map(bucket) ?? "-" }.joined(separator: "/")
        }
        return [stats.name] + counts + [
            String(format: "%.1f", stats.completedPerMinute),
            stats.errorRatio.map { String(format: "%.1f%%", $0 * 100) } ?? "-",
            percentiles(stats.runTime), percentiles(stats.waitTime),
        ]
    }

    /// A bucket's upper bound: "≤25ms", "≤2.5s", ">300s".
    static func bucket(_ bound: Double) -> String {
        guard bound.isFinite else { return ">300s" }
        return bound < 1 ? "≤\(Self.trim(bound * 1000))ms" : "≤\(Self.trim(bound))s"
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
