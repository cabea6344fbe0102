import Metrics

/// Each call's outcome and times through apple/swift-metrics, sent by the worker after the
/// ack's commit (with the signals). Named as swift-jobs' `MetricsJobMiddleware`, so its
/// dashboards fit: dimensions `name` (the task), `status` and `queue` (the Huey's name).
///
/// - `swift.jobs` (counter): `status` is `succeeded`; `retried` for a failed or crashed
///   attempt that queued a retry; `failed` for one that did not; and, beyond swift-jobs,
///   `expired` and `revoked` for calls not run.
/// - `swift.jobs.duration` (timer, seconds): the body's run time, by name, status, queue.
/// - `swift.jobs.queued.duration` (timer, seconds): the queue wait, by name and queue.
///
/// A no-op unless the application bootstraps a metrics backend (`MetricsSystem.bootstrap`)
/// or sets ``Huey/metricsFactory``.
struct CallMetrics {
    static let counterLabel = "swift.jobs"
    static let timerLabel = "swift.jobs.duration"
    static let queuedTimerLabel = "swift.jobs.queued.duration"

    let queue: String
    let factory: any MetricsFactory

    init(queue: String, factory: (any MetricsFactory)?) {
        self.queue = queue
        self.factory = factory ?? MetricsSystem.factory
    }

    /// The status of a call whose counts are `counters` (one call's).
    static func status(of counters: TaskCounters) -> String? {
        if counters[.completed] > 0 { return "succeeded" }
        if counters[.retried] > 0 { return "retried" }
        if counters[.failed] > 0 || counters[.crashed] > 0 { return "failed" }
        if counters[.expired] > 0 { return "expired" }
        if counters[.revoked] > 0 { return "revoked" }
        return nil
    }

    /// Sends one call's counter and timers.
    func emit(_ tally: StatsTally, run: Double?, wait: Double?) {
        guard let status = Self.status(of: tally.counters) else { return }
        let dimensions = [("name", tally.task), ("status", status), ("queue", queue)]
        Counter(label: Self.counterLabel, dimensions: dimensions, factory: factory).increment()
        if let run {
            Timer(label: Self.timerLabel, dimensions: dimensions, factory: factory).recordSeconds(run)
        }
        if let wait {
            Timer(label: Self.queuedTimerLabel, dimensions: [("name", tally.task), ("queue", queue)], factory: factory)
                .recordSeconds(wait)
        }
    }
}
