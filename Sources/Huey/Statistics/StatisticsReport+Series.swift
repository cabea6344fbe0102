import Foundation

extension StatisticsReport {
    /// The per-minute counters of `task` (nil: every task added up, named by the queue),
    /// one tally per minute from the window's first minute to the report's, zero where
    /// nothing was counted — the series the dashboard charts.
    public func series(task: String?) -> [StatsTally] {
        let first = StatsTally.minute(of: generatedAt - window), last = StatsTally.minute(of: generatedAt)
        guard first <= last else { return [] }
        var byMinute: [Int: TaskCounters] = [:]
        for tally in minutes where task == nil || tally.task == task {
            byMinute[tally.minute, default: TaskCounters()].add(tally.counters)
        }
        return (first...last).map { StatsTally(minute: $0, task: task ?? queue, counters: byMinute[$0] ?? TaskCounters()) }
    }
}

extension TaskCounters {
    /// A histogram bucket's upper bound for a person: "≤25ms", "≤2.5s", ">300s" for the
    /// last (infinite) one.
    public static func label(bound: Double) -> String {
        func trim(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
        }
        guard bound.isFinite else { return ">300s" }
        return bound < 1 ? "≤\(trim(bound * 1000))ms" : "≤\(trim(bound))s"
    }
}

extension TaskStatistics {
    /// The headers of ``tableRow``.
    public static let tableHeaders = [
        "TASK", "DONE", "FAILED", "RETRIED", "EXPIRED", "REVOKED", "CRASHED", "DONE/MIN", "ERRORS",
        "RUN p50/p95/p99", "WAIT p50/p95/p99",
    ]

    /// These figures as one row of text, as the `stats` command and the dashboard show them:
    /// the name, the count of each outcome, completed per minute, the error ratio in percent,
    /// and the run-time and wait percentiles as bucket bounds ("≤5ms/≤10ms/≤10ms"; "-" when
    /// nothing was measured).
    public var tableRow: [String] {
        let counts = TaskOutcome.allCases.map { String(counters[$0]) }
        func percentiles(_ value: (Double) -> Double?) -> String {
            [0.5, 0.95, 0.99].map { value($0).map(TaskCounters.label(bound:)) ?? "-" }.joined(separator: "/")
        }
        return [name] + counts + [
            String(format: "%.1f", completedPerMinute), errorRatio.map { String(format: "%.1f%%", $0 * 100) } ?? "-",
            percentiles(runTime), percentiles(waitTime),
        ]
    }
}
