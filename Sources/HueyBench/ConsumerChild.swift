import Foundation
import Huey

/// The consumer under test: this same program run as `huey-bench consume ...`, launched
/// with Foundation's Process (posix_spawn), so the driver never forks Swift code. The
/// child is the consumer master; it forks the workers.
final class ConsumerChild {
    let process = Process()
    let logPath: String
    /// Monotonic time just before the launch.
    private(set) var launchedAt = 0.0

    /// Starts `huey-bench consume --db path ... -- -w workers -k process -l log`.
    /// - Throws: when the program cannot be launched.
    init(storage: BenchStorage, path: String, fsync: Bool, workers: Int, logPath: String) throws {
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["consume", "--db", path, "--storage", storage.rawValue]
        if fsync { arguments.append("--fsync") }
        arguments += ["--", "-w", "\(workers)", "-k", "process", "-l", logPath]
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        launchedAt = BenchClock.monotonic()
        try process.run()
    }

    /// The master's pid.
    var pid: Int32 { process.processIdentifier }

    /// The master's worker processes.
    var workerPIDs: [Int32] { ProcessTable.children(of: pid).map(\.pid) }

    /// Waits until the master has `count` children (its workers), up to `timeout` seconds.
    func waitForWorkers(_ count: Int, timeout: Double) -> Bool {
        let deadline = BenchClock.monotonic() + timeout
        while BenchClock.monotonic() < deadline {
            if workerPIDs.count >= count { return true }
            if !process.isRunning { return false }
            BenchClock.sleep(0.005)
        }
        return false
    }

    /// Graceful stop (SIGINT), then SIGKILL after `timeout` seconds; returns the exit
    /// status, or nil when it had to be killed.
    @discardableResult
    func stop(timeout: Double = 10) -> Int32? {
        let workers = workerPIDs
        defer { for worker in workers where kill(worker, 0) == 0 { kill(worker, SIGKILL) } }
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGINT)
        let deadline = BenchClock.monotonic() + timeout
        while process.isRunning && BenchClock.monotonic() < deadline { BenchClock.sleep(0.01) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
