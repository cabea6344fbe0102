import Foundation

/// One task's (or the whole queue's) figures over a window, from its per-minute counters.
public struct TaskStatistics: Sendable, Hashable {
    /// The task name; for the queue's totals, the queue name.
    public var name: String
    /// The counts and histograms added up over the window.
    public var counters: TaskCounters
    /// The window's length in seconds.
    public var window: Double

    /// Makes figures from added-up counters.
    public init(name: String, counters: TaskCounters, window: Double) {
        self.name = name
        self.counters = counters
        self.window = window
    }

    /// Attempts that finished: completed, failed or crashed.
    public var finished: Int { counters[.completed] + counters[.failed] + counters[.crashed] }

    /// Completed calls per minute over the window.
    public var completedPerMinute: Double { Double(counters[.completed]) / max(window / 60, 1 / 60) }

    /// Failed and crashed attempts per minute over the window.
    public var failuresPerMinute: Double {
        Double(counters[.failed] + counters[.crashed]) / max(window / 60, 1 / 60)
    }

    /// The share (0…1) of finished attempts that failed or crashed; nil when none finished.
    public var errorRatio: Double? {
        finished == 0 ? nil : Double(counters[.failed] + counters[.crashed]) / Double(finished)
    }

    /// The run time (seconds) under which `quantile` (0…1) of the bodies finished, as the
    /// upper bound of its histogram bucket (``TaskCounters/bucketBounds``); nil when none ran.
    public func runTime(_ quantile: Double) -> Double? { TaskCounters.percentile(quantile, of: counters.runTime) }

    /// The queue wait (seconds) under which `quantile` of the calls started, as a bucket's
    /// upper bound; nil when no wait was measured.
    public func waitTime(_ quantile: Double) -> Double? { TaskCounters.percentile(quantile, of: counters.waitTime) }
}

/// What ``Huey/statistics(window:)`` reports: per task and for the whole queue, over the
/// last `window` seconds, with the per-minute series for charts.
public struct StatisticsReport: Sendable, Hashable {
    /// The queue name.
    public var queue: String
    /// The window's length in seconds.
    public var window: Double
    /// When the report was made (Unix seconds).
    public var generatedAt: Double
    /// Each task's figures, by name.
    public var tasks: [TaskStatistics]
    /// The queue's figures: every task added up.
    public var total: TaskStatistics
    /// Each (minute, task)'s counters in the window, by minute then task.
    public var minutes: [StatsTally]
    /// Calls claimed by a worker now (running).
    public var inFlight: Int
    /// Calls waiting in the queue now.
    public var waiting: Int
    /// How long (seconds) the longest-waiting queued call has waited since it was queued or
    /// became due; nil when the queue is empty or no queued call says when it was queued
    /// (Python producers do not). Looks at the first ``oldestScanLimit`` queued calls.
    public var oldestWaitingAge: Double?

    /// How many queued calls are looked at for ``oldestWaitingAge``.
    public static let oldestScanLimit = 10_000

    /// The report as JSON (what `huey-consumer stats --json` prints under "tasks"):
    /// times in seconds, `null` where unknown, an infinite bucket bound as the string "+Inf".
    public var json: JSONValue {
        func number(_ value: Double?) -> JSONValue {
            guard let value else { return .null }
            return value.isFinite ? .double(value) : .string("+Inf")
        }
        func figures(_ stats: TaskStatistics) -> JSONValue {
            var object: [String: JSONValue] = ["name": .string(stats.name)]
            for outcome in TaskOutcome.allCases { object[outcome.name] = .int(stats.counters[outcome]) }
            object["completed_per_minute"] = .double(stats.completedPerMinute)
            object["failures_per_minute"] = .double(stats.failuresPerMinute)
            object["error_ratio"] = number(stats.errorRatio)
            for (label, quantile) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
                object["run_\(label)"] = number(stats.runTime(quantile))
                object["wait_\(label)"] = number(stats.waitTime(quantile))
            }
            object["run_histogram"] = .array(stats.counters.runTime.map { .int($0) })
            object["wait_histogram"] = .array(stats.counters.waitTime.map { .int($0) })
            return .object(object)
        }
        return .object([
            "queue": .string(queue), "window": .double(window), "generated_at": .double(generatedAt),
            "bucket_bounds": .array(TaskCounters.bucketBounds.map { number($0) }),
            "tasks": .array(tasks.map(figures)), "total": figures(total),
            "in_flight": .int(inFlight), "waiting": .int(waiting), "oldest_waiting_age": number(oldestWaitingAge),
        ])
    }
}

extension Huey {
    /// The statistics of the last `window` seconds (default one hour; at most
    /// ``statisticsWindow`` is kept): per task and for the queue, counts, rates, error
    /// ratio, run-time and queue-wait percentiles, and what is running and waiting now.
    /// Minutes are whole: the window starts at the beginning of its first minute.
    /// - Throws: ``StorageError``.
    public func statistics(window: Double = 3600) throws -> StatisticsReport {
        let now = clock().timeIntervalSince1970
        let storage = self.storage
        let minutes = try storage.statistics(since: StatsTally.minute(of: now - window))
        var byTask: [String: TaskCounters] = [:]
        var total = TaskCounters()
        for tally in minutes {
            byTask[tally.task, default: TaskCounters()].add(tally.counters)
            total.add(tally.counters)
        }
        var oldest: Double?
        for data in try storage.enqueuedItems(limit: StatisticsReport.oldestScanLimit) {
            guard let message = try? decodeMessage(data) else { continue }
            let due = max(message.enqueuedAt ?? -.infinity, message.eta ?? -.infinity)
            if due.isFinite { oldest = max(oldest ?? 0, now - due) }
        }
        return StatisticsReport(
            queue: name, window: window, generatedAt: now,
            tasks: byTask.keys.sorted().map { TaskStatistics(name: $0, counters: byTask[$0]!, window: window) },
            total: TaskStatistics(name: name, counters: total, window: window), minutes: minutes,
            inFlight: try storage.claims().count, waiting: try storage.queueSize(), oldestWaitingAge: oldest)
    }
}
