import Foundation
import Huey
import HueyPostgres
import HueyTestSupport
import Testing

/// Python huey 3.5.4's `PostgresHuey` (psycopg 3) with swift_huey's JSON serializer and a
/// Swift consumer on one PostgreSQL database: the same tables, the same notify channel.
/// Skipped, with the reason shown, when there is no Python with huey 3.5.4 or no
/// PostgreSQL; a Python without psycopg fails (`.ci/run` installs it).
@Suite(
    "Python interop on PostgreSQL", .serialized,
    .enabled(if: PythonInterop.python != nil, PythonInterop.skipReason),
    .enabled(if: PostgresTestTarget.canProvide, "no PostgreSQL: set HUEY_TEST_POSTGRES_URL or install postgresql"))
struct PostgresInteropTests {
    /// Enqueues from Python, waits for the results the Swift consumer stores, prints them.
    static let producer = """
        import sys, time, swift_huey
        huey = swift_huey.PostgresHuey(sys.argv[2], dsn=sys.argv[1])
        add = swift_huey.remote_task(huey, 'tasks.add')
        plain = add(20, 22)
        keywords = add(a=1, b=2)
        start = time.time()
        later = add.schedule((3, 4), delay=2)
        print('plain', plain.get(blocking=True, timeout=30))
        print('keywords', keywords.get(blocking=True, timeout=30))
        print('scheduled', later.get(blocking=True, timeout=30), time.time() - start >= 2)
        """

    @Test("Python PostgresHuey enqueues (a call, keywords, a schedule), a Swift consumer runs them, Python reads the results",
          .timeLimit(.minutes(2)))
    func pythonProducerSwiftConsumer() throws {
        let python = try #require(PythonInterop.python)
        let url = try PostgresTestTarget.sharedURL()
        let name = "interop-\(UUID().uuidString.prefix(8))"
        var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-pgpy-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let consumer = try HelperProcess(
            ["interop-consumer", url, name, "consume", "-w", "1", "-k", "process", "-s", "1"],
            outputDirectory: directory)
        defer {
            consumer.send(SIGKILL)
            _ = consumer.waitForExit(timeout: 10)
            for process in ProcessTable.running(withArgument: name) { kill(process.pid, SIGKILL) }
            try? PostgresStorage(name: name, url: url).flushAll()
        }
        let producer = try HelperProcess(
            ["-c", Self.producer, url, name], executable: python,
            environment: ["PYTHONPATH": "\(PythonInterop.repository)/python", "PYTHONUNBUFFERED": "1"],
            outputDirectory: directory)
        let exit = producer.waitForExit(timeout: 90)
        let context = "python: \(producer.standardOutput)\n\(producer.standardError)\nswift: \(consumer.standardError.suffix(3000))"
        #expect(exit == ProcessExit(reason: .exited, status: 0), "\(context)")
        #expect(producer.standardOutput.split(separator: "\n").map(String.init) == ["plain 42", "keywords 3", "scheduled 7 True"], "\(context)")
        #expect(try PostgresStorage(name: name, url: url).claims().isEmpty)
    }
}
