import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// Huey's signals (``HueySignal``) as handlers in a real consumer hear them: the helper
    /// connects a handler that appends `<signal> <task> <id> <pid>` to `HUEY_TEST_SIGNALS`
    /// in whichever process sends it (a worker, or the master for what it decides).
    @Suite("Signal handlers in a real consumer")
    struct SignalHandlers {
        @Test("retrying and scheduled (a delayed retry) in the worker, error on the last attempt; timeout in the master",
              .timeLimit(.minutes(1)))
        func retryingScheduledTimeout() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let signals = fixture.file("signals")
            let master = try fixture.start(
                ["consume", "-w", "2", "-k", "process", "-s", "1"], environment: ["HUEY_TEST_SIGNALS": signals])
            try #require(fixture.waitForWorkers(of: master, count: 2) != nil, "\(fixture.log)")

            let failing = try fixture.tasks.fail(1)  // retries 1, retry delay 1 s
            let spin = try fixture.tasks.spin(fixture.file("spin.marker"))  // timeout 1 s, retries 1
            let heard = { (id: String) in signalLines(signals, id: id) }
            // Two attempts of `fail`, each ending in error; the second leaves no retry.
            #expect(poll(timeout: 20) { heard(failing.id).filter { $0.signal == "error" }.count == 2 },
                    "\(heard(failing.id)); \(fixture.log)")
            let failSignals = heard(failing.id)
            #expect(failSignals.map(\.signal).filter { $0 != "enqueued" }
                        == ["executing", "error", "retrying", "scheduled", "executing", "error"],
                    "\(failSignals)")
            let retried = failSignals.filter { $0.signal == "retrying" || $0.signal == "scheduled" }
            #expect(retried.allSatisfy { $0.pid != master.pid }, "a retry decided outside the worker: \(retried)")

            // The master kills the overrunning worker and sends `timeout` (twice: one retry).
            #expect(poll(timeout: 20) { heard(spin.id).filter { $0.signal == "timeout" }.count == 2 },
                    "\(heard(spin.id)); \(fixture.log)")
            #expect(heard(spin.id).filter { $0.signal == "timeout" }.allSatisfy { $0.pid == master.pid })
        }

        @Test("revoked in the worker; workerCrashed for a killed worker and interrupted on SIGTERM, in the master",
              .timeLimit(.minutes(1)))
        func revokedCrashedInterrupted() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let signals = fixture.file("signals")
            // Revoked before any consumer runs: the worker skips it.
            let revoked = try fixture.tasks.work(1, 0)
            try revoked.revoke()

            let master = try fixture.start(
                ["consume", "-w", "2", "-k", "process"], environment: ["HUEY_TEST_SIGNALS": signals])
            try #require(fixture.waitForWorkers(of: master, count: 2) != nil, "\(fixture.log)")
            let heard = { (id: String) in signalLines(signals, id: id) }
            #expect(poll(timeout: 10) { heard(revoked.id).contains { $0.signal == "revoked" } }, "\(fixture.log)")
            #expect(!heard(revoked.id).contains { $0.signal == "executing" })

            let napMarker = fixture.file("nap.marker")
            let longMarker = fixture.file("long.marker")
            let nap = try fixture.tasks.nap(20, napMarker)
            let long = try fixture.tasks.longOnce(30, longMarker)
            try #require(poll(timeout: 10) { lines(of: napMarker).count == 1 && lines(of: longMarker).count == 1 },
                         "\(fixture.log)")
            let napWorker = try #require(Int32(lines(of: napMarker)[0]))
            kill(napWorker, SIGKILL)
            #expect(poll(timeout: 10) { heard(nap.id).contains { $0.signal == "worker-crashed" } }, "\(fixture.log)")
            #expect(heard(nap.id).filter { $0.signal == "worker-crashed" }.allSatisfy { $0.pid == master.pid })

            master.send(SIGTERM)
            #expect(exited(master.waitForExit(timeout: 10), code: 0), "\(fixture.log)")
            let interrupted = heard(long.id).filter { $0.signal == "interrupted" }
            #expect(interrupted.count == 1 && interrupted.first?.pid == master.pid, "\(heard(long.id))")
        }
    }
}

extension ConsumerProcessTests.Scheduling {
    @Test("A periodic task's priority: enqueued behind queued calls, it runs before them", .timeLimit(.minutes(1)))
    func periodicPriority() throws {
        let fixture = try ConsumerFixture()
        defer { fixture.stop() }
        let tally = fixture.file("tally")
        // A real second is a minute of the consumer's clock; `urgent` (priority 100) is due every minute.
        let master = try fixture.start(
            ["consume", "-w", "1", "-k", "process", "-s", "1"],
            environment: ["HUEY_TEST_TIME_SCALE": "60", "HUEY_TEST_TALLY": tally, "HUEY_TEST_URGENT_PERIODIC": "1"])
        try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")
        // Hold the only worker, queue plain calls, then wait for the master to enqueue `urgent` behind them.
        let fifo = fixture.file("hold.fifo")
        try #require(mkfifo(fifo, 0o600) == 0)
        let marker = fixture.file("hold.marker")
        let hold = try fixture.tasks.readFifo(fifo, marker)
        try #require(poll(timeout: 10) { lines(of: marker).count == 1 }, "\(fixture.log)")
        let ranBefore = lines(of: tally).count
        let plain = try fixture.tasks.tally.map([1, 2, 3])
        // At least one `urgent` enqueued after the plain calls.
        let urgentCount = { try fixture.huey.pending().count { $0.name == "urgent" } }
        let urgentBefore = try urgentCount()
        try #require(poll(timeout: 10) { try urgentCount() > urgentBefore }, "\(fixture.log)")

        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        try #require(fd >= 0)
        var byte: UInt8 = 1
        #expect(write(fd, &byte, 1) == 1)
        close(fd)
        #expect(try hold(blocking: true, timeout: 10).value == 1)
        #expect(try plain.get(blocking: true, timeout: 10) == [1, 2, 3])
        let order = lines(of: tally).dropFirst(ranBefore).map { String($0.split(separator: " ")[0]) }
        #expect(order.first == "urgent", "ran in order \(order)")
    }
}

/// The signals recorded for the call `id`, in order.
private func signalLines(_ path: String, id: String) -> [(signal: String, pid: Int32)] {
    lines(of: path).compactMap { line in
        let parts = line.split(separator: " ")
        guard parts.count == 4, parts[2] == id, let pid = Int32(parts[3]) else { return nil }
        return (String(parts[0]), pid)
    }
}
