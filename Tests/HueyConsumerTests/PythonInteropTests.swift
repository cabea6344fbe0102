import Foundation
import Huey
import HueyConsumer
import HueyTestSupport
import Testing

/// Python huey 3.5.4 and swift-huey on one SQLite file, both ways (issue 15), with real
/// huey: Python producer steps (python/tests/interop/driver.py), huey's own
/// `huey_consumer`, and Swift consumers (`HueyTestHelper interop-consumer`). The Python
/// module `tasks` is README's example, taken from README.md by ``PythonInteropFixture``.
///
/// Skipped, with the reason in the test output, when no Python with huey 3.5.4 is found
/// (see ``PythonInterop``); `.ci/run` provides one.
@Suite(
    "Python interop", .serialized,
    // A visible skip (never a silent pass) when no Python with huey 3.5.4 is there.
    .enabled(if: PythonInterop.python != nil, PythonInterop.skipReason))
struct PythonInteropTests {
    let python = PythonInterop.python ?? "python3"

    @Test("swift_huey's Python unit tests pass (serializer, time zones, remote_task)")
    func pythonUnitTests() throws {
        let fixture = try PythonInteropFixture(python: python)
        defer { fixture.stop() }
        let process = try HelperProcess(
            ["-m", "unittest", "discover", "-s", "\(PythonInterop.repository)/python/tests", "-p", "test_*.py"],
            executable: python, environment: ["PYTHONPATH": PythonInterop.pythonPath(fixture.directory)],
            outputDirectory: fixture.directory)
        let exit = process.waitForExit(timeout: 60)
        #expect(exit == ProcessExit(reason: .exited, status: 0), "\(process.standardError)")
        #expect(process.standardError.contains("OK"), "\(process.standardError)")
    }

    @Test("Python producer → Swift consumer: call, keywords, schedule, map, pipeline, priorities, bad call, revoke, unknown name")
    func pythonProducerSwiftConsumer() throws {
        let fixture = try PythonInteropFixture(python: python)
        defer { fixture.stop() }
        // Everything is queued before the consumer starts, so one worker shows priorities.
        let ids = try fixture.runDriver("enqueue")
        let stamps = fixture.file("stamps")
        try fixture.startSwiftConsumer(queue: "swift", workers: 1, environment: ["HUEY_TEST_STAMPS": stamps])
        let out = try fixture.runDriver("collect")
        let log = fixture.log

        #expect(out["plain"] == ["value": 3], "\(log)")
        #expect(out["keywords"] == ["value": 42], "\(log)")
        #expect(out["scheduled"] == ["value": 7], "\(log)")
        #expect(out["map"] == [["value": 2], ["value": 4], ["value": 6]], "\(log)")
        #expect(out["pipeline"] == [["value": 3], ["value": 30], ["value": 35]], "\(log)")
        #expect(out["high"] == ["value": "high"], "\(log)")
        #expect(lines(of: stamps) == ["high", "mid", "low", "last"])

        // A bad argument is huey's TaskException in Python, naming the task.
        #expect(out["bad"]?["type"] == "ArgumentDecodingError", "\(log)")
        #expect(out["bad"]?["error"]?.stringValue?.contains("tasks.add") == true, "\(String(describing: out["bad"]))")

        // Revoked from Python (huey's Result.revoke() is once): skipped, so no result
        // though every call queued after it ran, and the one-time revocation used up.
        #expect(out["last"] == ["value": "last"])
        #expect(out["revoked"] == .null)
        #expect(out["revoked_is_revoked"] == false)

        // A name no Swift task has: a dead letter, and Python's caller gets a TaskException.
        #expect(out["nowhere"]?["type"] == "UnknownTaskError", "\(log)")
        let dead = try SqliteStorage(name: "swift", filename: fixture.database).deadItems()
        let nowhereID = try #require(ids["nowhere"]?.stringValue)
        #expect(dead.count == 1)
        #expect(dead.first.map { String(decoding: $0.data, as: UTF8.self).contains(nowhereID) } == true)
        #expect(dead.first?.reason.contains("tasks.nowhere") == true)
    }

    @Test("Swift producer → huey_consumer: a Python-only task's result and its error read in Swift")
    func swiftProducerPythonConsumer() throws {
        let fixture = try PythonInteropFixture(python: python)
        defer { fixture.stop() }
        try fixture.startPythonConsumer()

        // README "Sharing a queue with Python huey", the Swift producer's lines:
        let python = try SqliteHuey(name: "python", filename: fixture.database)
        let loud = try python.enqueue(TaskCall(name: "tasks.shout", args: ["hi"]), as: String.self)
        #expect(try loud.get(blocking: true, timeout: 60) == ["HI!"], "\(fixture.log)")

        // Keyword arguments reach the Python function by name.
        let keyword = try python.enqueue(TaskCall(name: "tasks.shout", kwargs: ["text": "by name"]), as: String.self)
        #expect(try keyword.get(blocking: true, timeout: 60) == ["BY NAME!"], "\(fixture.log)")

        let failing = try python.enqueue(TaskCall(name: "interop_app.fail", args: ["bad input"]), as: String.self)
        let error = #expect(throws: TaskException.self) { try failing.get(blocking: true, timeout: 60) }
        #expect(error?.type == "ValueError", "\(fixture.log)")
        #expect(error?.error.contains("bad input") == true)
        #expect(error?.traceback.contains("Traceback") == true)
    }

    @Test("both consumers on one file (queues swift and python): producers in both languages call both")
    func bothConsumersOneFile() throws {
        let fixture = try PythonInteropFixture(python: python)
        defer { fixture.stop() }
        try fixture.startSwiftConsumer(queue: "swift", workers: 1)
        try fixture.startPythonConsumer()

        let fromPython = try fixture.runDriver("both")
        #expect(fromPython["swift"] == ["value": 42], "\(fixture.log)")
        #expect(fromPython["python"] == ["value": "HI!"], "\(fixture.log)")

        let swift = try SqliteHuey(name: "swift", filename: fixture.database)
        let python = try SqliteHuey(name: "python", filename: fixture.database)
        let sum = try swift.enqueue(TaskCall(name: "tasks.add", args: [20, 22]), as: Int.self)
        let loud = try python.enqueue(TaskCall(name: "tasks.shout", args: ["swift"]), as: String.self)
        #expect(try sum.get(blocking: true, timeout: 60) == [42], "\(fixture.log)")
        #expect(try loud.get(blocking: true, timeout: 60) == ["SWIFT!"], "\(fixture.log)")
    }

    /// README "Sharing a queue with Python huey", the Swift consumer's lines. Compiled,
    /// never called (it would take over the test process); HueyTestHelper's
    /// `interop-consumer` registers the same task.
    func readmeSwiftSide() throws {
        let huey = try SqliteHuey(name: "swift", filename: "queue.db")
        huey.task("tasks.add", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a + b }
        HueyCommand.main(huey)   // app consume -w 2
    }
}

extension JSONValue {
    /// The member `key` of an object (nil for other values), for reading the driver's output.
    fileprivate subscript(key: String) -> JSONValue? { objectValue?[key] }
}
