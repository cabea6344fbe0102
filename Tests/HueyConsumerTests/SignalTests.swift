import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    @Suite("Signals to the master")
    struct Signals {
        @Test("SIGINT while a 3 s task runs: it completes and is stored, then the master exits 0, no worker left",
              .timeLimit(.minutes(1)))
        func sigintFinishesRunningTaskThenExits() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process"])
            let workers = try #require(fixture.waitForWorkers(of: master, count: 1), "\(fixture.log)")

            let marker = fixture.file("nap.marker")
            let nap = try fixture.tasks.nap(3, marker)
            try #require(poll(timeout: 10) { lines(of: marker).count == 1 }, "nap never started; \(fixture.log)")
            // Queued behind the running nap: a graceful stop must not start it.
            let queued = try fixture.tasks.work(1, 0)

            master.send(SIGINT)
            let signaledAt = now()
            let exit = master.waitForExit(timeout: 20)
            let exitedAfter = now() - signaledAt
            note("SIGINT: master exited \(exitedAfter) s after the signal (task had ~3 s to run)")
            #expect(exited(exit, code: 0), "\(fixture.log)")

            // Read without waiting: the result was stored before the master exited.
            let ran = try #require(try nap(), "the running task's result is missing; \(fixture.log)")
            #expect(ran.end - ran.start >= 2.95, "the task was cut short: \(ran)")
            #expect(ran.pid == workers[0].pid)
            #expect(lines(of: marker).count == 1, "the task ran again: \(lines(of: marker))")
            #expect(ran.end <= signaledAt + exitedAfter + 0.05)
            #expect(fixture.runningProcesses().isEmpty, "left running: \(fixture.runningProcesses())")
            #expect(!workers[0].isRunning)

            #expect(try queued() == nil, "a new task started after SIGINT")
            #expect(try fixture.huey.pending().map(\.id) == [queued.id])
            #expect(try fixture.huey.storage.claims().isEmpty)
        }

        @Test("SIGTERM while a 30 s task runs: everything exits within 2 s, the task is requeued, a new consumer runs it",
              .timeLimit(.minutes(1)))
        func sigtermRequeuesRunningTask() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process"])
            let workers = try #require(fixture.waitForWorkers(of: master, count: 1), "\(fixture.log)")

            let marker = fixture.file("long.marker")
            let long = try fixture.tasks.longOnce(30, marker)
            try #require(poll(timeout: 10) { lines(of: marker).count == 1 }, "task never started; \(fixture.log)")

            master.send(SIGTERM)
            let signaledAt = now()
            let exit = master.waitForExit(timeout: 10)
            let masterAfter = now() - signaledAt
            poll(timeout: 10) { fixture.runningProcesses().isEmpty }
            let allAfter = now() - signaledAt
            note("SIGTERM: master exited after \(masterAfter) s, every process after \(allAfter) s")
            #expect(exited(exit, code: 0), "\(fixture.log)")
            // Far below the 30 s task: it was cut short, not waited for (loose for busy cores).
            #expect(masterAfter <= 10, "master took \(masterAfter) s")
            #expect(allAfter <= 10, "processes left: \(fixture.runningProcesses()); took \(allAfter) s")
            #expect(!workers[0].isRunning)

            // Back in the queue, not lost, and without using a retry.
            #expect(try long() == nil)
            let pending = try fixture.huey.pending()
            #expect(pending.map(\.id) == [long.id], "\(fixture.log)")
            #expect(pending.first?.retries == 2, "an interrupted task used a retry")
            #expect(try fixture.huey.storage.claims().isEmpty, "the task was left claimed")

            let second = try fixture.start(["consume", "-w", "1", "-k", "process"])
            let ran = try long(blocking: true, timeout: 15)
            #expect(ran.value == 1, "expected the second run: \(ran)")
            #expect(ProcessTable.entry(ran.pid)?.parent == second.pid)
            #expect(lines(of: marker).count == 2)
        }

        @Test("SIGHUP: the running task finishes, the master re-execs (same pid, new workers) and keeps consuming",
              .timeLimit(.minutes(1)))
        func sighupRestartsInPlace() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let boots = fixture.file("boot.log")
            let master = try fixture.start(
                ["consume", "-w", "2", "-k", "process"], environment: ["HUEY_TEST_BOOT_LOG": boots])
            let before = try #require(fixture.waitForWorkers(of: master, count: 2), "\(fixture.log)")
            #expect(lines(of: boots) == ["\(master.pid)"])
            let descriptors = try #require(fixture.steadyDescriptors(of: master), "\(fixture.log)")

            let marker = fixture.file("nap.marker")
            let nap = try fixture.tasks.nap(2, marker)
            try #require(poll(timeout: 10) { lines(of: marker).count == 1 }, "nap never started; \(fixture.log)")

            master.send(SIGHUP)
            let signaledAt = now()
            let ran = try nap(blocking: true, timeout: 15)
            #expect(ran.end - ran.start >= 1.95, "the task was cut short: \(ran)")
            #expect(lines(of: marker).count == 1, "the task ran again: \(lines(of: marker))")

            // Re-executed: the same pid started the helper's main a second time.
            let reexeced = poll(timeout: 10) { lines(of: boots).count == 2 }
            #expect(reexeced, "no re-exec; \(fixture.log)")
            #expect(lines(of: boots) == ["\(master.pid)", "\(master.pid)"])
            #expect(master.isRunning, "\(fixture.log)")
            let after = try #require(
                fixture.waitForWorkers(of: master, count: 2) { Set($0).isDisjoint(with: before) },
                "no new workers; \(fixture.log)")
            note("SIGHUP: restarted with new workers \(after) (were \(before)) \(now() - signaledAt) s after the signal")
            #expect(before.allSatisfy { !$0.isRunning }, "old workers still running")
            // The re-executed master holds what the first one held: nothing leaked through exec.
            let reopened = fixture.steadyDescriptors(of: master)
            #expect(reopened == descriptors, "descriptors before \(descriptors), after \(String(describing: reopened))")

            let values = try fixture.tasks.work.map((0..<20).map { ($0, 5) }).get(blocking: true, timeout: 30)
            #expect(values.map(\.value) == Array(0..<20))
            #expect(Set(values.map(\.pid)).isSubset(of: Set(after.map(\.pid))))
            #expect(master.isRunning)
        }

        @Test("SIGTTIN adds one worker, SIGTTOU removes one", .timeLimit(.minutes(1)))
        func ttinAndTtouChangeWorkerCount() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process"])
            let two = try #require(fixture.waitForWorkers(of: master, count: 2), "\(fixture.log)")

            master.send(SIGTTIN)
            let three = try #require(
                fixture.waitForWorkers(of: master, count: 3, timeout: 20) { Set(two).isSubset(of: Set($0)) },
                "SIGTTIN: workers now \(fixture.workers(of: master)); \(fixture.log)")
            // Exactly one more: still three a moment later (an absence needs a window).
            usleep(300_000)
            #expect(Set(fixture.workers(of: master)) == Set(three))

            master.send(SIGTTOU)
            let twoAgain = try #require(
                fixture.waitForWorkers(of: master, count: 2, timeout: 20) { Set($0).isSubset(of: Set(three)) },
                "SIGTTOU: workers now \(fixture.workers(of: master)); \(fixture.log)")
            usleep(300_000)
            #expect(Set(fixture.workers(of: master)) == Set(twoAgain))
            #expect(ProcessTable.entry(master.pid)?.state != "T", "the master was stopped by the signal")

            let values = try fixture.tasks.work.map((0..<10).map { ($0, 1) }).get(blocking: true, timeout: 20)
            #expect(values.map(\.value) == Array(0..<10))
            #expect(master.isRunning, "\(fixture.log)")
        }
    }
}
