import Foundation
import Huey

/// The consumer under test: this same program run as `huey-bench consume ...`, launched
/// as a ``ChildProcess`` (posix_spawn), so the driver never forks Swift code. The child is
/// the consumer master; it forks the workers.
final class ConsumerChild {
    let child: ChildProcess
    let logPath: String
    /// Monotonic time just before the launch.
    let launchedAt: Double

    /// Starts `huey-bench consume --db path ... -- -w workers -k process -l log`.
    /// - Throws: when the program cannot be launched.
    init(storage: BenchStorage, path: String, fsync: Bool, workers: Int, logPath: String) throws {
        self.logPath = logPath
        var arguments = ["consume", "--db", path, "--storage", storage.rawValue]
        if fsync { arguments.append("--fsync") }
        arguments += ["--", "-w", "\(workers)", "-k", "process", "-l", logPath]
        launchedAt = BenchClock.monotonic()
        child = try ChildProcess(executable: ChildProcess.currentExecutable, arguments: arguments, standardError: logPath)
    }

    /// The master's pid.
    var pid: Int32 { child.pid }

    /// The master's worker processes.
    var workerPIDs: [Int32] { ProcessTable.children(of: pid).map(\.pid) }

    /// Waits until the master has `count` children (its workers), up to `timeout` seconds.
    func waitForWorkers(_ count: Int, timeout: Double) -> Bool {
        let deadline = BenchClock.monotonic() + timeout
        while BenchClock.monotonic() < deadline {
            if workerPIDs.count >= count { return true }
            if !child.isRunning { return false }
            BenchClock.sleep(0.005)
        }
        return false
    }

    /// Graceful stop (SIGINT), then SIGKILL after `timeout` seconds; returns the exit
    /// status, or nil when it had to be killed. Workers left behind are killed.
    @discardableResult
    func stop(timeout: Double = 10) -> Int32? {
        let workers = workerPIDs
        defer { for worker in workers where kill(worker, 0) == 0 { kill(worker, SIGKILL) } }
        return child.stop(timeout: timeout)
    }
}
