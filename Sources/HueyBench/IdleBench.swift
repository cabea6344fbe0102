import Foundation
import Huey

/// The idle consumer: CPU over a window with an empty queue, and RSS/PSS of the master
/// and of each worker.
enum IdleBench {
    struct Outcome {
        /// CPU of master + workers during the window, % of one core.
        var cpuPercent: Double
        var masterRSS: Int
        var masterPSS: Int
        /// Mean over the workers, KiB.
        var workerRSS: Int
        var workerPSS: Int
        var workers: Int
    }

    /// Waits `settle` seconds, then measures over `window` seconds.
    static func measure(master: Int32, settle: Double, window: Double) -> Outcome {
        BenchClock.sleep(settle)
        let pids = [master] + ProcessTable.children(of: master).map(\.pid)
        let before = pids.map(ProcessTable.cpuNanoseconds(of:)).reduce(0, +)
        let start = BenchClock.monotonic()
        BenchClock.sleep(window)
        let used = pids.map(ProcessTable.cpuNanoseconds(of:)).reduce(0, +) - before
        let elapsed = BenchClock.monotonic() - start
        let masterMemory = ProcessTable.memory(of: master) ?? (0, 0)
        let workers = ProcessTable.children(of: master).map(\.pid).compactMap(ProcessTable.memory(of:))
        let count = max(workers.count, 1)
        return Outcome(
            cpuPercent: used / 1e9 / elapsed * 100, masterRSS: masterMemory.rss, masterPSS: masterMemory.pss,
            workerRSS: workers.map(\.rss).reduce(0, +) / count, workerPSS: workers.map(\.pss).reduce(0, +) / count,
            workers: workers.count)
    }
}
