import Huey

/// The per-task figures of a statistics report as a table: the same row as the `stats`
/// command (``TaskStatistics/tableRow``), one per task, then the queue's total.
enum StatisticsTable {
    static func render(_ report: StatisticsReport) -> String {
        let rows = report.tasks.map(\.tableRow) + (report.tasks.isEmpty ? [] : [report.total.tableRow])
        return HTML.table(
            id: "task-statistics", headers: TaskStatistics.tableHeaders, rows: rows.map { $0.map(HTML.escape) },
            empty: "No call finished in this window.")
            + "<p id=\"now-figures\">In flight \(report.inFlight), waiting \(report.waiting), oldest waiting "
            + (report.oldestWaitingAge.map(HTML.duration) ?? "-")
            + ". Percentiles are histogram buckets' upper bounds; the last row is the whole queue.</p>"
    }
}

/// The live consumers, one row per worker with the call it runs.
enum ConsumerTable {
    static func render(_ consumers: [ConsumerStatus], now: Double) -> String {
        var rows: [[String]] = []
        for status in consumers {
            let record = status.record
            let master = [
                HTML.escape(record.host), String(record.pid), HTML.escape(record.version), HTML.time(record.startedAt),
                HTML.duration(max(0, now - record.heartbeat)) + " ago", HTML.escape("\(record.workerType) × \(record.workerCount)"),
            ]
            for (index, worker) in status.workers.enumerated() {
                let call = worker.task.map { HTML.escape($0) + " " + (worker.callID.map(HTML.callLink) ?? "") } ?? "idle"
                let running = worker.since.map { HTML.duration(max(0, now - $0)) } ?? "-"
                rows.append((index == 0 ? master : master.map { _ in "" }) + [String(worker.pid), call, running])
            }
        }
        return HTML.table(
            id: "consumers",
            headers: ["HOST", "PID", "VERSION", "STARTED", "HEARTBEAT", "WORKERS", "WORKER", "CALL", "RUNNING FOR"],
            rows: rows, empty: "No live consumer is registered.")
    }
}
