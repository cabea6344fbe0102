import Foundation
import Huey
import HueyDashboard
import HueyTestSupport
import Testing

/// The dashboard in a real headless Chromium while a consumer runs: the rendered DOM shows
/// the live figures the test set up.
@Suite("Dashboard in a browser", .serialized)
struct BrowserTests {
    @Test(
        "Chromium shows the live queue: a running call, the calls behind it, the scheduled ones",
        .enabled(if: Chromium.path != nil, "chromium is not installed (Debian package `chromium`): browser test skipped"),
        .timeLimit(.minutes(6)))
    func liveFigures() async throws {
        let fixture = try DashboardFixture(name: "browser")  // its own queue; the helper's is "test"
        let database = fixture.directory + "/consumer.db"
        let huey = try SqliteHuey(name: "test", filename: database)
        let readFifo = huey.task("readFifo") { (_: String, _: String) in 0 }
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let fifo = fixture.directory + "/gate", marker = fixture.directory + "/marker"
        #expect(mkfifo(fifo, 0o600) == 0)

        // One worker takes the gate call and blocks in it until the test writes a byte.
        let blocked = try readFifo(fifo, marker)
        let consumer = try HelperProcess(
            ["consumer", database, "consume", "-w", "1", "-k", "process"], outputDirectory: fixture.directory)
        defer { Self.stop(consumer, fifo: fifo) }
        let running = waitUntil(timeout: 120) { ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").contains("\n") }
        try #require(running, "the worker never started the gate call: \(consumer.standardError)")
        let workerPID = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n")[0]
        for n in 1...5 { _ = try add(n, n) }
        for n in 1...3 { _ = try add.schedule(args: (n, n), delay: 3600) }

        let live = try LiveDashboard(
            executable: HelperProcess.executablePath("huey-dashboard"),
            arguments: ["--sqlite", database, "--name", "test", "--port", "0"], directory: fixture.directory)
        let dom = try Chromium.dumpDOM(live.base + "/", directory: fixture.directory)
        #expect(dom.contains("id=\"pending\" data-field=\"pending\">5<"), "\(dom.prefix(4000))")
        #expect(dom.contains("id=\"scheduled\" data-field=\"scheduled\">3<"))
        #expect(dom.contains("id=\"inFlight\" data-field=\"inFlight\">1<"))
        #expect(dom.contains("<td>readFifo</td><td>\(blocked.id)</td><td>pid \(workerPID)"))
        #expect(dom.contains("<svg"))

        // Release the worker: the consumer drains the queue, and a new page load shows it.
        try Self.openGate(fifo)
        let drained = waitUntil(timeout: 120) { (try? huey.pendingCount) == 0 && (try? huey.storage.claims().count) == 0 }
        #expect(drained)
        let after = try Chromium.dumpDOM(live.base + "/", directory: fixture.directory)
        #expect(after.contains("id=\"pending\" data-field=\"pending\">0<"))
        #expect(after.contains("No call is running."))
    }

    /// Writes the byte the gate call waits for.
    static func openGate(_ fifo: String) throws {
        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
    }

    /// Lets a blocked worker go and stops the consumer gracefully (SIGINT), killing it if it hangs.
    static func stop(_ consumer: HelperProcess, fifo: String) {
        try? openGate(fifo)
        consumer.send(SIGINT)
        if consumer.waitForExit(timeout: 60) == nil { consumer.send(SIGKILL) }
    }
}
