import Foundation
import Huey

/// One ordinary run: enqueue (single, map), drain with a forked consumer, latency,
/// idle CPU and memory — each part optional (`--only`).
struct BenchRunner {
    let options: BenchOptions
    let directory: String

    var storagePath: String {
        switch options.storage {
        case .sqlite: directory + "/bench.db"
        case .file: directory + "/bench-files"
        case .redis, .priorityRedis: options.redisURL
        case .postgres: options.postgresURL
        }
    }

    /// Runs the parts asked for and returns their figures.
    /// - Throws: ``BenchError``, storage errors.
    func run() throws -> BenchReport {
        var report = BenchReport()
        report.note("side", "swift")
        report.note("storage", options.storage.rawValue)
        report.note(
            "sync", options.storage.hasSyncMode ? (options.fsync ? "FULL" : "NORMAL") : options.storage == .postgres ? "server" : "n/a")
        report.add("tasks", Double(options.tasks))
        report.add("workers", Double(options.workers))
        report.add("load_start", BenchClock.loadAverage())
        let queue = try BenchQueue(storage: options.storage, path: storagePath, fsync: options.fsync)
        let huey = queue.huey
        try huey.flush()
        let count = options.tasks
        let parts = options.parts

        if parts.contains("enqueue") {
            report.add("enqueue_per_s", try EnqueueBench.single(queue, count: count))
            report.add("message_bytes", Double(queue.firstMessageSize()))
            try huey.flush()
        }
        let needsQueue = parts.contains("drain")
        if parts.contains("map") || needsQueue {
            let rates = try EnqueueBench.mapRates(queue, count: count)
            if parts.contains("map") {
                report.add("map_per_s", rates.wall)
                report.add("map_cpu_per_s", rates.cpu)
            }
            if !needsQueue { try huey.flush() }
        }
        guard parts.contains("drain") || parts.contains("latency") || parts.contains("idle") else {
            report.add("load_end", BenchClock.loadAverage())
            return report
        }
        let child = try ConsumerChild(
            storage: options.storage, path: storagePath, fsync: options.fsync, workers: options.workers,
            logPath: directory + "/consumer.log")
        defer { child.stop() }
        if parts.contains("drain") {
            let drain = try DrainBench.measure(queue, child: child, count: count)
            report.add("drain_per_s", drain.perSecond)
            report.add("drain_wall_s", drain.wallSeconds)
            report.add("drain_startup_s", drain.startupSeconds)
            try huey.storage.flushResults()
        }
        guard child.waitForWorkers(options.workers, timeout: 10) else {
            throw BenchError("the consumer did not start \(options.workers) workers; see \(child.logPath)")
        }
        if parts.contains("latency") {
            BenchClock.sleep(0.5)
            let latency = try LatencyBench.measure(queue, samples: options.latencySamples)
            report.add("latency_samples", Double(options.latencySamples))
            report.add("latency_p50_ms", latency.p50 * 1000)
            report.add("latency_p99_ms", latency.p99 * 1000)
            report.add("latency_mean_ms", latency.mean * 1000)
            report.add("latency_max_ms", latency.max * 1000)
        }
        if parts.contains("idle") {
            let idle = IdleBench.measure(master: child.pid, settle: 1, window: options.idleSeconds)
            report.add("idle_cpu_pct", idle.cpuPercent)
            report.add("master_rss_kb", Double(idle.masterRSS))
            report.add("master_pss_kb", Double(idle.masterPSS))
            report.add("worker_rss_kb", Double(idle.workerRSS))
            report.add("worker_pss_kb", Double(idle.workerPSS))
        }
        report.add("load_end", BenchClock.loadAverage())
        let status = child.stop()
        report.add("consumer_exit", status.map(Double.init) ?? -1)
        return report
    }
}
