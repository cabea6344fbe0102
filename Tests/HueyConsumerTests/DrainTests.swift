import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    @Suite("Draining with process workers")
    struct Draining {
        @Test("-w 2 -k process: 200 queued tasks all complete, run by at least two worker processes",
              .timeLimit(.minutes(1)))
        func twoProcessWorkersDrainTwoHundredTasks() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process"])
            let workers = try #require(fixture.waitForWorkers(of: master, count: 2), "\(fixture.log)")

            let started = now()
            // 5 ms each, so both workers get a share however fast one of them claims.
            let group = try fixture.tasks.work.map((0..<200).map { ($0, 5) })
            let values = try group.get(blocking: true, timeout: 60)
            note("drain: 200 tasks × 5 ms on 2 process workers in \(now() - started) s")

            #expect(values.map(\.value) == Array(0..<200))
            let pids = Set(values.map(\.pid))
            #expect(pids.count >= 2, "every task ran in \(pids)")
            #expect(!pids.contains(master.pid), "a task ran in the master")
            #expect(pids.isSubset(of: Set(workers.map(\.pid))), "tasks ran in \(pids), workers are \(workers)")
            #expect(try fixture.huey.pendingCount == 0)
            #expect(try fixture.huey.storage.claims().isEmpty)
            #expect(master.isRunning, "\(fixture.log)")
        }

        @Test("A worker killed with SIGKILL between tasks is replaced within -c and the queue still drains",
              .timeLimit(.minutes(1)))
        func killedIdleWorkerIsReplaced() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process", "-c", "1"])
            let before = try #require(fixture.waitForWorkers(of: master, count: 2), "\(fixture.log)")
            // Some work first, so the victim is a worker that has run tasks and is idle now.
            _ = try fixture.tasks.work.map((0..<10).map { ($0, 1) }).get(blocking: true, timeout: 30)
            #expect(try fixture.huey.storage.claims().isEmpty)
            let descriptors = try #require(fixture.steadyDescriptors(of: master), "\(fixture.log)")

            let victim = before[0]
            kill(victim.pid, SIGKILL)
            let killedAt = now()
            let after = fixture.waitForWorkers(of: master, count: 2, timeout: 8) { workers in
                !workers.contains(victim) && workers.contains(before[1])
            }
            let replacedAfter = now() - killedAt
            note("worker SIGKILL: replaced after \(replacedAfter) s (-c 1)")
            let replacement = try #require(after, "no replacement worker; \(fixture.log)")
            // -c 1 plus generous slack for a loaded 2-CPU machine.
            #expect(replacedAfter <= 4, "replacement took \(replacedAfter) s")
            #expect(!victim.isRunning)
            // Reaping and replacing a worker leaks no descriptor in the master.
            #expect(fixture.steadyDescriptors(of: master) == descriptors)

            let values = try fixture.tasks.work.map((0..<40).map { ($0, 5) }).get(blocking: true, timeout: 30)
            #expect(values.map(\.value) == Array(0..<40))
            #expect(Set(values.map(\.pid)).isSubset(of: Set(replacement.map(\.pid))))
            #expect(!values.contains { $0.pid == victim.pid })
            #expect(try fixture.huey.pendingCount == 0)
            #expect(master.isRunning, "\(fixture.log)")
        }

        @Test("timeout: 1 in process mode: the worker is killed, TaskTimeout after the retry, a fresh worker follows",
              .timeLimit(.minutes(1)))
        func timeoutKillsWorkerAndRetries() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-s", "1"])
            let first = try #require(fixture.waitForWorkers(of: master, count: 1), "\(fixture.log)")[0]

            let marker = fixture.file("spin.marker")
            let enqueuedAt = now()
            let result = try fixture.tasks.spin(marker)
            // As Huey: the first timeout is stored too (retries left: 1); reset() reads the retry's.
            let intermediate = #expect(throws: TaskException.self) { try result(blocking: true, timeout: 30) }
            #expect(intermediate?.isTimeout == true && intermediate?.retries == 1, "\(String(describing: intermediate))")
            result.reset()
            let error = #expect(throws: TaskException.self) { try result(blocking: true, timeout: 30) }
            let failedAfter = now() - enqueuedAt
            note("timeout: spin (timeout 1, retries 1) failed for good after \(failedAfter) s")
            #expect(error?.isTimeout == true, "\(String(describing: error)); \(fixture.log)")
            #expect(error?.type == "TaskTimeout")
            #expect(error?.retries == 0)
            #expect(error?.taskID == result.id)

            // Two runs (the first and its one retry), each in its own worker, both killed.
            let runs = lines(of: marker).compactMap { Int32($0) }
            #expect(runs.count == 2, "runs in \(runs)")
            #expect(Set(runs).count == runs.count, "a killed worker's pid ran again: \(runs)")
            #expect(runs.first == first.pid)
            #expect(failedAfter >= 1.9, "two runs with a 1 s timeout took \(failedAfter) s")
            #expect(failedAfter <= 15)
            for pid in runs {
                #expect(ProcessTable.entry(pid).map { $0.parent != master.pid || $0.state == "Z" } ?? true,
                        "worker \(pid) that overran is still running")
            }

            let fresh = try #require(
                fixture.waitForWorkers(of: master, count: 1, timeout: 8) { !runs.contains($0[0].pid) },
                "no fresh worker; \(fixture.log)")
            let ran = try fixture.tasks.work(1, 0)(blocking: true, timeout: 10)
            #expect(ran.pid == fresh[0].pid)
            #expect(try fixture.huey.storage.claims().isEmpty)
            #expect(master.isRunning, "\(fixture.log)")
        }
    }
}
