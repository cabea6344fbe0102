import Foundation
import Huey
import HueyDashboard
import HueyTestSupport
import Testing

/// The dashboard in a real headless Chromium while a consumer runs a known workload: the
/// rendered DOM shows the live counts, the statistics of what ran, and the consumer with
/// its worker and the call that worker runs.
@Suite("Dashboard in a browser", .serialized)
struct BrowserTests {
    @Test(
        "Chromium shows the live queue, the workload's exact statistics and the consumer's busy worker",
        .enabled(if: Chromium.path != nil, "chromium is not installed (Debian package `chromium`): browser test skipped"),
        .timeLimit(.minutes(8)))
    func liveFigures() async throws {
        let fixture = try DashboardFixture(name: "browser")  // its own queue; the helper's is "test"
        let database = fixture.directory + "/consumer.db"
        let huey = try SqliteHuey(name: "test", filename: database)
        // The helper consumer's tasks (Sources/HueyTestHelper/ConsumerTasks.swift), with its options.
        let readFifo = huey.task("readFifo") { (_: String, _: String) in 0 }
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let flaky = huey.task("flaky", retries: 2) { (_: Int, _: String) in 0 }
        let fifo = fixture.directory + "/gate", marker = fixture.directory + "/marker"
        #expect(mkfifo(fifo, 0o600) == 0)

        let consumer = try HelperProcess(
            ["consumer", database, "consume", "-w", "2", "-k", "process", "-c", "1"], outputDirectory: fixture.directory)
        defer { Self.stop(consumer, fifo: fifo) }

        // The workload: 5 adds, and 3 flaky calls that each fail twice, then succeed.
        for n in 1...5 { _ = try add(n, n) }
        for n in 1...3 { _ = try flaky(2, fixture.directory + "/flaky-\(n)") }
        let counted = waitUntil(timeout: 180) {
            guard let total = try? huey.statistics().total.counters else { return false }
            return total[.completed] == 8 && total[.failed] == 6 && total[.retried] == 6
        }
        try #require(counted, "the workload's statistics never showed: \(consumer.standardError)")

        // One worker blocks in the gate call; with the queue paused, 4 calls wait behind it.
        let blocked = try readFifo(fifo, marker)
        let running = waitUntil(timeout: 120) { ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").contains("\n") }
        try #require(running, "the worker never started the gate call: \(consumer.standardError)")
        let workerPID = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n")[0]
        try huey.pause()
        for n in 1...4 { _ = try add(n, n) }
        for n in 1...3 { _ = try add.schedule(args: (n, n), delay: 3600) }
        let registered = waitUntil(timeout: 120) {
            (try? huey.consumerStatuses())?.contains { $0.workers.contains { $0.callID == blocked.id } } == true
        }
        try #require(registered, "the registry never showed the busy worker: \(consumer.standardError)")

        let live = try LiveDashboard(
            executable: HelperProcess.executablePath("huey-dashboard"),
            arguments: ["--sqlite", database, "--name", "test", "--port", "0"], directory: fixture.directory)
        let dom = try Chromium.dumpDOM(live.base + "/", directory: fixture.directory)
        #expect(dom.contains("id=\"pending\" data-field=\"pending\">4<"), "\(dom.prefix(4000))")
        #expect(dom.contains("id=\"scheduled\" data-field=\"scheduled\">3<"))
        #expect(dom.contains("id=\"inFlight\" data-field=\"inFlight\">1<"))
        #expect(dom.contains("<strong id=\"paused\">Paused</strong>"))
        #expect(dom.contains("<tr><td>add</td><td>5</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td>"))
        #expect(dom.contains("<tr><td>flaky</td><td>3</td><td>6</td><td>6</td><td>0</td><td>0</td><td>0</td>"))
        #expect(dom.contains("<tr><td>test</td><td>8</td><td>6</td><td>6</td><td>0</td><td>0</td><td>0</td>"))
        #expect(dom.contains("<td>\(consumer.pid)</td>"))  // the master's row
        #expect(
            dom.contains("<td>\(workerPID)</td><td>readFifo \(PageText.callLink(blocked.id))</td>"),
            "\(dom)")
        #expect(dom.contains("<td>readFifo</td><td>\(blocked.id)</td><td>pid \(workerPID)"))  // running now
        #expect(dom.contains("<title>flaky: calls completed per minute</title>"))

        // Resume and release the worker: the consumer drains the queue, and a new load shows it.
        try huey.resume()
        try Self.openGate(fifo)
        let drained = waitUntil(timeout: 180) {
            (try? huey.pendingCount) == 0 && (try? huey.storage.claims().count) == 0
                && (try? huey.statistics().total.counters[.completed]) == 13
        }
        #expect(drained)
        let after = try Chromium.dumpDOM(live.base + "/", directory: fixture.directory)
        #expect(after.contains("id=\"pending\" data-field=\"pending\">0<"))
        #expect(after.contains("<span id=\"paused\">Not paused</span>"))
        #expect(after.contains("No call is running."))
        #expect(after.contains("<tr><td>add</td><td>9</td>"))
        #expect(after.contains("<tr><td>readFifo</td><td>1</td>"))
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
