import Foundation
import Huey
import HueyTestSupport
import Testing

/// The demo program, run as a user would (issue 6).
@Suite("huey-demo", .serialized)
struct DemoProgramTests {
    let demo = HelperProcess.executablePath("huey-demo")

    private func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("`consume` in one terminal and `add 1 2` in another print 3", .timeLimit(.minutes(1)))
    func consumeAndAdd() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/huey-demo.db"
        let consumer = try HelperProcess(
            ["--db", database, "consume", "-w", "2"], executable: demo, outputDirectory: directory)
        defer {
            consumer.send(SIGINT)
            _ = consumer.waitForExit(timeout: 10)
        }
        let add = try HelperProcess(["--db", database, "add", "1", "2"], executable: demo, outputDirectory: directory)
        let exit = add.waitForExit(timeout: 30)
        #expect(exit == ProcessExit(reason: .exited, status: 0), "add: \(add.standardError)")
        #expect(add.standardOutput.split(separator: "\n").last == "3")
        consumer.send(SIGINT)
        #expect(consumer.waitForExit(timeout: 10) == ProcessExit(reason: .exited, status: 0))
    }

    @Test("`add` without a consumer says so after its timeout and leaves the call queued")
    func addWithoutConsumer() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/huey-demo.db"
        let add = try HelperProcess(
            ["--db", database, "add", "5", "5", "--timeout", "0.5"], executable: demo, outputDirectory: directory)
        #expect(add.waitForExit(timeout: 30) == ProcessExit(reason: .exited, status: 1))
        #expect(add.standardError.contains("is a consumer running"))
        let pending = try HelperProcess(["--db", database, "pending", "--json"], executable: demo, outputDirectory: directory)
        #expect(pending.waitForExit(timeout: 30) == ProcessExit(reason: .exited, status: 0))
        #expect(pending.standardOutput.contains("demo.add"))
    }

    @Test("`tour` walks the guide with forked workers and exits 0", .timeLimit(.minutes(2)))
    func tour() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tour = try HelperProcess(
            ["--db", directory + "/huey-demo.db", "tour"], executable: demo, outputDirectory: directory)
        let exit = tour.waitForExit(timeout: 90)
        let output = tour.standardOutput
        #expect(exit == ProcessExit(reason: .exited, status: 0), "tour output:\n\(output)\n\(tour.standardError)")
        #expect(output.contains("add(1, 2) → 3"))
        #expect(output.contains("→ [3, 6, 10, 15]"))
        #expect(output.contains("ran as 90, 50, 10, 1, 0"))
        #expect(output.contains("add.schedule((5, 5), delay: 2, expires: 1) → 10"))  // expiry counted from the move
        #expect(output.contains("was skipped (signal: expired)"))
        #expect(output.contains("fails with TaskLockedException"))
        #expect(output.contains("Tour complete"))
    }
}
