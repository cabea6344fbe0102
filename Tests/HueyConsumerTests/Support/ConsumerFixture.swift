import Foundation
import Huey
import HueyTestSupport

/// One consumer process test's world: a scratch folder, a SQLite queue in it, the test
/// process's own handle on that queue (to enqueue and read results), and the consumer
/// processes it starts (`HueyTestHelper consumer <db> ...`).
///
/// ``stop()`` kills every process the fixture started — masters first (so nothing
/// respawns workers), then every process still running with this fixture's database path
/// on its command line (forked workers carry their master's arguments, so orphans are
/// found too), then any worker it ever saw — and removes the folder. Call it in a `defer`
/// right after making the fixture; `deinit` calls it again as a backstop.
final class ConsumerFixture {
    /// The scratch folder.
    let directory: String
    /// The SQLite file shared with the consumers.
    let database: String
    /// The test process's Huey on `database`.
    let huey: Huey
    /// The helper's tasks, registered for enqueueing (see ``ConsumerTestTasks``).
    let tasks: ConsumerTestTasks
    /// Every consumer started, in order.
    private(set) var consumers: [HelperProcess] = []
    private var seenWorkers: Set<ProcessEntry> = []
    private var stopped = false

    init() throws {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-ctest-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
        database = "\(directory)/queue.db"
        huey = try SqliteHuey(name: "test", filename: database)
        tasks = ConsumerTestTasks(huey: huey)
    }

    deinit { stop() }

    /// A path in the scratch folder.
    func file(_ name: String) -> String { "\(directory)/\(name)" }

    /// Starts `HueyTestHelper consumer <database> <arguments...>`.
    /// - Throws: when the helper cannot be launched.
    @discardableResult
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> HelperProcess {
        let process = try HelperProcess(
            ["consumer", database] + arguments, environment: environment, outputDirectory: directory)
        consumers.append(process)
        return process
    }

    /// The running worker processes of `master` now, lowest pid first.
    func workers(of master: HelperProcess) -> [ProcessEntry] {
        let workers = ProcessTable.children(of: master.pid)
        seenWorkers.formUnion(workers)
        return workers.sorted { $0.pid < $1.pid }
    }

    /// Waits until `master` has exactly `count` workers for which `accept` holds; returns
    /// them, or nil at the deadline.
    func waitForWorkers(
        of master: HelperProcess, count: Int, timeout: Double = 10,
        where accept: ([ProcessEntry]) -> Bool = { _ in true }
    ) -> [ProcessEntry]? {
        var found: [ProcessEntry] = []
        let ok = poll(timeout: timeout) {
            found = workers(of: master)
            return found.count == count && accept(found)
        }
        return ok ? found : nil
    }

    /// The descriptors of `master` once they stop changing (its storage connection is
    /// closed around each fork and reopened by the next tick), or nil after `timeout`.
    func steadyDescriptors(of master: HelperProcess, timeout: Double = 5) -> [String]? {
        var seen: [String] = []
        let steady = poll(timeout: timeout) {
            let first = ProcessTable.descriptors(of: master.pid)
            usleep(150_000)
            seen = ProcessTable.descriptors(of: master.pid)
            return seen == first && seen.contains(database)
        }
        return steady ? seen : nil
    }

    /// Every process started by this fixture that is still running (masters, workers, orphans).
    func runningProcesses() -> [ProcessEntry] {
        ProcessTable.running(withArgument: database)
    }

    /// The end of every consumer's standard error, for failure messages.
    var log: String {
        consumers.enumerated().map { index, process in
            let text = process.standardError
            let tail = text.count > 6000 ? "…" + text.suffix(6000) : Substring(text)
            return "--- consumer \(index) (pid \(process.pid)) stderr ---\n\(tail)"
        }.joined(separator: "\n")
    }

    /// Kills every process this fixture started and removes the scratch folder. Idempotent.
    func stop() {
        if stopped { return }
        stopped = true
        for consumer in consumers { consumer.send(SIGKILL) }
        for consumer in consumers { _ = consumer.waitForExit(timeout: 5) }
        for _ in 0..<3 {
            let left = Set(runningProcesses()).union(seenWorkers.filter(\.isRunning))
            if left.isEmpty { break }
            for process in left where process.isRunning { kill(process.pid, SIGKILL) }
            _ = poll(timeout: 2) { left.allSatisfy { !$0.isRunning } }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// `waitUntil` with a 20 ms pause between checks, for checks that scan `/proc` or read
/// the database (the 2 CPUs are shared with the consumer under test).
@discardableResult
func poll(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    var first = true
    return try waitUntil(timeout: timeout) {
        if !first { usleep(20_000) }
        first = false
        return try condition()
    }
}

/// The lines of a text file (none when it is missing).
func lines(of path: String) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").map(String.init)
}

/// Whether `exit` is a normal exit with `code` (not a signal, not still running).
func exited(_ exit: ProcessExit?, code: Int32) -> Bool {
    exit.map { $0.reason == .exited && $0.status == code } ?? false
}

/// Now, in Unix seconds.
func now() -> Double { Date().timeIntervalSince1970 }

/// Prints a measurement for the test log (`[consumer-tests] …`).
func note(_ text: String) { print("[consumer-tests] \(text)") }
