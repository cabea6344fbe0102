import Foundation
import Logging
import Metrics

/// The queue's depth through apple/swift-metrics, recorded by each worker's ``TaskRunner``:
/// a `Meter` labelled `swift.jobs.meter` with the dimensions `status` = `queued` and
/// `queue` (the Huey's name) — swift-jobs' meter of queued jobs, so its dashboards fit.
/// swift-jobs also splits it by job `name`; a count per task would cost a scan of every
/// message, so this one counts the whole queue (calls ready to run; not the scheduled
/// ones, not the claimed ones).
///
/// Recorded where it costs nothing per task and never in the consumer's master: a worker,
/// after a call or when it finds the queue empty, at most once per ``interval`` by the
/// Huey's clock, reads the storage's ``Storage/queueSize()`` and sets the meter. The master
/// has no metrics backend of its own (one with an exporter would put threads into the
/// process that forks), while each worker has the application's, bootstrapped after the
/// fork; every worker reports the same figure under the same dimensions.
///
/// A no-op — not even the count is read — unless the application bootstraps a metrics
/// backend (`MetricsSystem.bootstrap`) or sets ``Huey/metricsFactory``.
struct QueueDepthGauge {
    static let label = "swift.jobs.meter"
    /// Seconds between two counts.
    static let interval = 1.0

    /// When the depth was last recorded (Unix seconds, by the Huey's clock).
    private var lastRecorded: Double?

    /// Records the depth of `huey`'s queue in `storage` when ``interval`` has passed since
    /// the last time (or the clock went back). A failed count is logged (debug) and skipped:
    /// the worker's next claim meets the same storage and reports its error.
    mutating func recordIfDue(huey: Huey, storage: any Storage) {
        let now = huey.clock().timeIntervalSince1970
        if let last = lastRecorded, now >= last, now - last < Self.interval { return }
        lastRecorded = now
        let factory = huey.metricsFactory ?? MetricsSystem.factory
        if factory is NOOPMetricsHandler { return }
        do {
            let depth = try storage.queueSize()
            Meter(label: Self.label, dimensions: [("status", "queued"), ("queue", huey.name)], factory: factory)
                .set(depth)
        } catch {
            huey.logger.debug("queue depth not recorded: \(error)")
        }
    }
}
