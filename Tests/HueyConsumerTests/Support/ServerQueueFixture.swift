import Foundation
import Huey
import HueyTestSupport

/// Consumers (`HueyTestHelper consumer <storage arguments> ...`) on one queue of a server
/// that tests share (Redis, PostgreSQL), under a queue name of their own, and their
/// clean-up: every consumer and worker killed, the queue's data flushed, the folder removed.
/// Subclasses add the server (and stop a private one in ``stop()``).
class ServerQueueFixture {
    /// The test's own queue name (also on every consumer's command line).
    let name = "ctest-\(UUID().uuidString)"
    /// A scratch folder for the tally file and consumer logs.
    let directory: String
    let huey: Huey
    let tasks: ConsumerTestTasks
    /// What names the storage on the helper's command line, e.g. `--redis <url> <name>`.
    private let storageArguments: [String]
    private(set) var consumers: [HelperProcess] = []

    /// - Parameters:
    ///   - makeHuey: Opens the Huey of queue `name`.
    ///   - storageArguments: The helper's storage arguments for queue `name`.
    init(makeHuey: (String) throws -> Huey, storageArguments: (String) -> [String]) throws {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-stest-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
        huey = try makeHuey(name)
        tasks = ConsumerTestTasks(huey: huey)
        self.storageArguments = storageArguments(name)
    }

    func file(_ name: String) -> String { "\(directory)/\(name)" }

    /// Starts `HueyTestHelper consumer <storage arguments> <arguments...>`.
    @discardableResult
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> HelperProcess {
        let process = try HelperProcess(
            ["consumer"] + storageArguments + arguments, environment: environment, outputDirectory: directory)
        consumers.append(process)
        return process
    }

    /// `n pid` lines of the tally file, as counts per n and the set of pids.
    func tally() -> (runs: [Int: Int], pids: Set<Int32>) {
        var runs: [Int: Int] = [:]
        var pids: Set<Int32> = []
        for line in lines(of: file("tally")) {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let n = Int(parts[0]), let pid = Int32(parts[1]) else { continue }
            runs[n, default: 0] += 1
            pids.insert(pid)
        }
        return (runs, pids)
    }

    var log: String {
        consumers.enumerated().map { index, process in
            "--- consumer \(index) (pid \(process.pid)) stderr ---\n\(process.standardError.suffix(5000))"
        }.joined(separator: "\n")
    }

    /// Kills every consumer and worker (found by the queue name on their command line),
    /// empties the queue's data, removes the folder.
    func stop() {
        for consumer in consumers { consumer.send(SIGKILL) }
        for consumer in consumers { _ = consumer.waitForExit(timeout: 5) }
        for _ in 0..<3 {
            let left = ProcessTable.running(withArgument: name)
            if left.isEmpty { break }
            for process in left { kill(process.pid, SIGKILL) }
            _ = poll(timeout: 2) { left.allSatisfy { !$0.isRunning } }
        }
        try? huey.storage.flushAll()
        huey.storage.closeConnections()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
