import Huey
import Prometheus

/// `/metrics`: the queue's state and its statistics over the window in Prometheus's text
/// format (swift-prometheus), read from the storage at each scrape into a fresh registry,
/// so a task that left the window leaves no stale series behind.
///
/// Every value is a gauge labelled `queue="<name>"`:
/// - now: `huey_queue_pending`, `huey_queue_scheduled`, `huey_queue_in_flight`,
///   `huey_queue_paused` (1 or 0), `huey_results_stored`, `huey_dead_letters`,
///   `huey_storage_disk_bytes` (0 when not on this machine's disk), and
///   `huey_queue_oldest_waiting_seconds` when known;
/// - over the last `huey_statistics_window_seconds`, per task (label `task`):
///   `huey_task_calls` by `outcome` (completed, failed, retried, expired, revoked, crashed),
///   and `huey_task_run_seconds` / `huey_task_wait_seconds` by `quantile` (0.5, 0.95, 0.99;
///   a histogram bucket's upper bound, left out while unknown or over 300 s).
///
/// The per-task counts are gauges, not counters: they are totals over a sliding window read
/// from the storage, which fall when old minutes leave it, and a Prometheus counter must
/// never fall. Monotonic counters are the swift-metrics ones (`swift.jobs`) the workers
/// send to a backend the application bootstraps.
enum QueueMetrics {
    /// The text exposition of `summary` and `report`.
    static func render(_ summary: QueueSummary, _ report: StatisticsReport) -> String {
        let registry = PrometheusCollectorRegistry()
        let queue = ("queue", summary.name)
        func gauge(_ name: String, _ help: String, _ value: Double, _ labels: [(String, String)] = []) {
            registry.makeGauge(name: name, labels: [queue] + labels, help: help).set(value)
        }
        gauge("huey_queue_pending", "Calls waiting in the queue.", Double(summary.pending))
        gauge("huey_queue_scheduled", "Calls waiting for their eta.", Double(summary.scheduled))
        gauge("huey_queue_in_flight", "Calls workers run now.", Double(summary.inFlight))
        gauge("huey_queue_paused", "1 while the queue is paused, else 0.", summary.paused ? 1 : 0)
        gauge("huey_results_stored", "Keys in the result store.", Double(summary.results))
        gauge("huey_dead_letters", "Messages that could not be run.", Double(summary.dead))
        gauge(
            "huey_storage_disk_bytes", "The storage's size on disk (0 when not on disk).", Double(summary.diskBytes ?? 0))
        if let oldest = report.oldestWaitingAge {
            gauge("huey_queue_oldest_waiting_seconds", "How long the longest-waiting queued call has waited.", oldest)
        }
        gauge("huey_statistics_window_seconds", "The window the per-task figures cover.", report.window)
        for task in report.tasks {
            let name = ("task", task.name)
            for outcome in TaskOutcome.allCases {
                gauge(
                    "huey_task_calls", "Calls per outcome over the statistics window (a gauge: old minutes leave it).",
                    Double(task.counters[outcome]), [name, ("outcome", outcome.name)])
            }
            for quantile in [0.5, 0.95, 0.99] {
                let label = ("quantile", String(quantile))
                if let run = task.runTime(quantile), run.isFinite {
                    gauge("huey_task_run_seconds", "Run-time percentile over the window (a bucket's upper bound).", run, [name, label])
                }
                if let wait = task.waitTime(quantile), wait.isFinite {
                    gauge("huey_task_wait_seconds", "Queue-wait percentile over the window (a bucket's upper bound).", wait, [name, label])
                }
            }
        }
        return registry.emitToString()
    }
}
