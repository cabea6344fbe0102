import Foundation
import Huey

/// `--scale`: the rates with a big queue (1,000,000 calls by default) against those with
/// an empty one — single enqueue at empty vs full, `map` batches first vs last, and the
/// drain rate over the first vs the last `window` calls.
struct ScaleBench {
    let options: BenchOptions
    let directory: String

    /// Runs the scale measurement.
    /// - Throws: ``BenchError``, storage errors.
    func run() throws -> BenchReport {
        var report = BenchReport()
        report.note("side", "swift")
        report.note("run", "scale")
        report.note("storage", options.storage.rawValue)
        report.note("sync", !options.storage.hasSyncMode ? "n/a" : options.fsync ? "FULL" : "NORMAL")
        report.add("load_start", BenchClock.loadAverage())
        let path =
            options.storage.isRedis
            ? options.redisURL : directory + (options.storage == .sqlite ? "/scale.db" : "/scale-files")
        let queue = try BenchQueue(storage: options.storage, path: path, fsync: options.fsync)
        try queue.huey.flush()
        let size = options.tasks
        let sample = max(1, min(20_000, size / 10))
        let batch = max(1, min(50_000, size / 10))

        report.add("queue_size", Double(size))
        report.add("enqueue_empty_per_s", try EnqueueBench.single(queue, count: sample))
        var filled = 0
        var batchRates: [Double] = []
        while filled < size {
            let count = min(batch, size - filled)
            batchRates.append(try EnqueueBench.map(queue, count: count, offset: sample + filled))
            filled += count
        }
        report.add("map_first_batch_per_s", batchRates.first ?? .nan)
        report.add("map_last_batch_per_s", batchRates.last ?? .nan)
        report.add("enqueue_full_per_s", try EnqueueBench.single(queue, count: sample, offset: sample + size))
        let total = size + 2 * sample
        report.add("load_before_drain", BenchClock.loadAverage())

        let child = try ConsumerChild(
            storage: options.storage, path: path, fsync: options.fsync, workers: options.workers,
            logPath: directory + "/scale-consumer.log")
        defer { child.stop() }
        let (start, end) = try drainRates(queue, child: child, total: total, window: batch)
        report.add("drain_window", Double(batch))
        report.add("drain_start_per_s", start)
        report.add("drain_end_per_s", end)
        report.add("load_end", BenchClock.loadAverage())
        child.stop()
        return report
    }

    /// Samples the queue size every half second while it drains; returns the rate over
    /// the first and over the last `window` calls.
    private func drainRates(_ queue: BenchQueue, child: ConsumerChild, total: Int, window: Int) throws
        -> (Double, Double)
    {
        let huey = queue.huey
        var firstClaim = 0.0
        while try huey.pendingCount >= total {
            guard child.child.isRunning else { throw BenchError("the consumer exited; see \(child.logPath)") }
            BenchClock.sleep(0.002)
        }
        firstClaim = BenchClock.monotonic()
        var startRate = Double.nan
        var lastWindowAt: Double?
        var lastWindowPending = window
        while true {
            BenchClock.sleep(0.5)
            guard child.child.isRunning else { throw BenchError("the consumer exited; see \(child.logPath)") }
            let now = BenchClock.monotonic()
            let pending = try huey.pendingCount
            let claimed = total - pending
            if startRate.isNaN && claimed >= window { startRate = Double(claimed) / (now - firstClaim) }
            if lastWindowAt == nil && pending <= window {
                // The window starts with `pending` calls left, not exactly `window`.
                lastWindowAt = now
                lastWindowPending = pending
            }
            if pending == 0, try huey.resultCount >= total { break }
        }
        let end = BenchClock.monotonic()
        return (startRate, Double(lastWindowPending) / (end - (lastWindowAt ?? firstClaim)))
    }
}
