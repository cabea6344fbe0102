import Foundation
import Huey

/// The consumer the tour starts: this same program run as `huey-demo --db DB consume`,
/// with forked worker processes. The tour only launches it (posix_spawn through
/// Foundation's Process), so nothing here forks Swift code.
final class TourConsumer {
    let process = Process()
    let logPath: String

    /// Starts `huey-demo --db database consume -w workers -k process`, logging to a file.
    init(database: String, workers: Int) throws {
        logPath = database + ".consumer.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "--db", database, "consume", "-w", "\(workers)", "-k", "process", "-s", "1", "-l", logPath,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
    }

    /// The master's pid.
    var pid: Int32 { process.processIdentifier }

    /// The pids of the master's worker processes.
    var workerPIDs: [Int32] { ProcessTable.children(of: pid).map(\.pid) }

    /// Sends SIGINT (graceful stop) and waits up to `timeout` seconds; returns the exit
    /// status, or nil if it had to be killed.
    func stop(timeout: Double) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGINT)
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
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
