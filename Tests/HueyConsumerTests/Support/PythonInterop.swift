import Foundation
import Huey
import HueyTestSupport
import Testing

/// Finds the Python that runs the interop tests: huey 3.5.4 importable, with this
/// repository's `python/` (the `swift_huey` package) put first on `PYTHONPATH` so the
/// source tree is what is tested.
///
/// `HUEY_TEST_PYTHON` names it (`.ci/run` sets it to a virtual environment with
/// `pip install huey==3.5.4 ./python`) and is then used as it is: a broken one fails the
/// tests. Otherwise `python3` on `PATH` is used when it imports huey 3.5.4. Without one the
/// interop tests are skipped with ``skipReason``.
enum PythonInterop {
    /// The repository's root (this file is Tests/HueyConsumerTests/Support/PythonInterop.swift).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The Python executable, or nil when none fits.
    static let python: String? = findPython()

    /// Why the interop tests are skipped, shown by `swift test`.
    static let skipReason: Comment =
        "Python interop tests skipped: no python with huey 3.5.4 (set HUEY_TEST_PYTHON, or run .ci/run)"

    /// `PYTHONPATH` for a test whose README `tasks.py` is in `directory`.
    static func pythonPath(_ directory: String) -> String {
        [directory, "\(repository)/python/tests/interop", "\(repository)/python"].joined(separator: ":")
    }

    private static func findPython() -> String? {
        let environment = ProcessInfo.processInfo.environment
        // Named explicitly: used as it is, so a broken one fails the tests instead of
        // skipping them.
        if let chosen = environment["HUEY_TEST_PYTHON"], !chosen.isEmpty { return chosen }
        let candidates = (environment["PATH"] ?? "/usr/bin").split(separator: ":").map { "\($0)/python3" }
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
        let probe = "import huey, swift_huey; assert huey.__version__ == '3.5.4', huey.__version__"
        for candidate in candidates {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: candidate)
            process.arguments = ["-c", probe]
            var env = environment
            env["PYTHONPATH"] = "\(repository)/python"
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
            if process.terminationStatus == 0 { return candidate }
        }
        return nil
    }

    /// The Python code block of README's "Sharing a queue with Python huey" section.
    static func readmeTasksModule() throws -> String {
        let readme = try String(contentsOfFile: "\(repository)/README.md", encoding: .utf8)
        guard let section = readme.range(of: "## Sharing a queue with Python huey"),
            let start = readme.range(of: "```python\n", range: section.upperBound..<readme.endIndex),
            let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex)
        else { throw POSIXError(.ENOENT) }
        return String(readme[start.upperBound..<end.lowerBound])
    }
}

/// One interop test's world: a scratch folder holding the shared SQLite file and README's
/// `tasks.py`, and every process the test starts (Swift consumers, `huey_consumer`,
/// Python producer steps). ``stop()`` kills them all, Swift workers included, and removes
/// the folder; call it in a `defer`.
final class PythonInteropFixture {
    let directory: String
    let database: String
    let python: String
    private var processes: [HelperProcess] = []
    private var stopped = false

    init(python: String) throws {
        self.python = python
        var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-py-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
        database = "\(directory)/queue.db"
        try PythonInterop.readmeTasksModule().write(toFile: "\(directory)/tasks.py", atomically: true, encoding: .utf8)
    }

    deinit { stop() }

    /// A path in the scratch folder.
    func file(_ name: String) -> String { "\(directory)/\(name)" }

    private var pythonEnvironment: [String: String] {
        ["PYTHONPATH": PythonInterop.pythonPath(directory), "QUEUE_DB": database, "PYTHONUNBUFFERED": "1"]
    }

    /// Starts a Swift consumer (`HueyTestHelper interop-consumer`) on queue `queue`.
    @discardableResult
    func startSwiftConsumer(queue: String, workers: Int = 1, environment: [String: String] = [:]) throws
        -> HelperProcess
    {
        let process = try HelperProcess(
            ["interop-consumer", database, queue, "consume", "-w", "\(workers)"], environment: environment,
            outputDirectory: directory)
        processes.append(process)
        return process
    }

    /// Starts huey's own consumer on `interop_app.huey` (queue `python`), one process.
    @discardableResult
    func startPythonConsumer() throws -> HelperProcess {
        let process = try HelperProcess(
            ["-m", "huey.bin.huey_consumer", "interop_app.huey", "-k", "thread", "-w", "2"], executable: python,
            environment: pythonEnvironment, outputDirectory: directory)
        processes.append(process)
        return process
    }

    /// Runs `driver.py <step>` to its end (at most `timeout` seconds) and decodes the JSON
    /// object it prints.
    /// - Throws: when it fails, times out or prints no JSON; the error carries its stderr.
    func runDriver(_ step: String, timeout: Double = 90) throws -> JSONValue {
        let process = try HelperProcess(
            ["\(PythonInterop.repository)/python/tests/interop/driver.py", step, file("state.json")],
            executable: python, environment: pythonEnvironment, outputDirectory: directory)
        processes.append(process)
        let exit = process.waitForExit(timeout: timeout)
        guard let exit, exit == ProcessExit(reason: .exited, status: 0),
            let line = process.standardOutput.split(separator: "\n").last
        else {
            throw InteropFailure("driver \(step) ended \(exit?.description ?? "not at all"): \(process.standardError)")
        }
        return try JSONCodec.decode(JSONValue.self, from: Array(line.utf8))
    }

    /// Everything the started processes wrote to stderr, for failure messages.
    var log: String {
        processes.map { "--- pid \($0.pid) ---\n\($0.standardError.suffix(4000))" }.joined(separator: "\n")
    }

    /// Kills every process started here (and Swift workers, found by the database path on
    /// their command line) and removes the folder. Idempotent.
    func stop() {
        if stopped { return }
        stopped = true
        for process in processes { process.send(SIGKILL) }
        for process in processes { _ = process.waitForExit(timeout: 5) }
        for _ in 0..<3 {
            let left = ProcessTable.running(withArgument: database)
            if left.isEmpty { break }
            for process in left { kill(process.pid, SIGKILL) }
            _ = poll(timeout: 2) { left.allSatisfy { !$0.isRunning } }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A Python step failed; the text says how.
struct InteropFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
