import Prometheus

/// `/metrics`: the queue's counts as Prometheus gauges (swift-prometheus), read from the
/// storage at each scrape.
///
/// Gauges, labelled `queue="<name>"`: `huey_queue_pending`, `huey_queue_scheduled`,
/// `huey_queue_in_flight`, `huey_results_stored`, `huey_dead_letters`, and
/// `huey_storage_disk_bytes` for storages on this machine's disk.
final class QueueMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let pending, scheduled, inFlight, results, dead, diskBytes: Gauge

    /// Gauges for the queue `name`.
    init(queue name: String) {
        let labels = [("queue", name)]
        pending = registry.makeGauge(name: "huey_queue_pending", labels: labels, help: "Calls waiting in the queue.")
        scheduled = registry.makeGauge(name: "huey_queue_scheduled", labels: labels, help: "Calls waiting for their eta.")
        inFlight = registry.makeGauge(name: "huey_queue_in_flight", labels: labels, help: "Calls workers run now.")
        results = registry.makeGauge(name: "huey_results_stored", labels: labels, help: "Keys in the result store.")
        dead = registry.makeGauge(name: "huey_dead_letters", labels: labels, help: "Messages that could not be run.")
        diskBytes = registry.makeGauge(
            name: "huey_storage_disk_bytes", labels: labels, help: "The storage's size on disk (0 when not on disk).")
    }

    /// Sets the gauges from `summary` and returns the text exposition.
    func render(_ summary: QueueSummary) -> String {
        pending.set(Double(summary.pending))
        scheduled.set(Double(summary.scheduled))
        inFlight.set(Double(summary.inFlight))
        results.set(Double(summary.results))
        dead.set(Double(summary.dead))
        diskBytes.set(Double(summary.diskBytes ?? 0))
        return registry.emitToString()
    }
}
