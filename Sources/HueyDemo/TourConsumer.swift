import Foundation
import Huey

/// The consumer the tour starts: this same program run as `huey-demo --db DB consume`,
/// with forked worker processes. The tour only launches it (a ``ChildProcess``, posix_spawn),
/// so nothing here forks Swift code.
final class TourConsumer {
    let child: ChildProcess
    let logPath: String

    /// Starts `huey-demo --db database consume -w workers -k process`, logging to a file.
    init(database: String, workers: Int) throws {
        logPath = database + ".consumer.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        child = try ChildProcess(
            executable: ChildProcess.currentExecutable,
            arguments: ["--db", database, "consume", "-w", "\(workers)", "-k", "process", "-s", "1", "-l", logPath],
            standardError: logPath)
    }

    /// The master's pid.
    var pid: Int32 { child.pid }

    /// The pids of the master's worker processes.
    var workerPIDs: [Int32] { ProcessTable.children(of: pid).map(\.pid) }

    /// Sends SIGINT (graceful stop) and waits up to `timeout` seconds; returns the exit
    /// status, or nil if it had to be killed.
    func stop(timeout: Double) -> Int32? { child.stop(timeout: timeout) }
}
