import Foundation
import Huey
import Synchronization
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_api.py` cases about one call's options: per-call retries, timeout,
    /// id, delays in a pipeline, and `Result.reschedule`.
    @Suite("test_api.py: per-call options and reschedule")
    struct CallOptionsPorts {
        let h = APIHarness()
        var huey: MemoryHuey { h.huey }

        @Test("test_timeout — per-call timeout on calls, s() and schedule(); nil keeps the task's, 0 is none")
        func timeout() throws {
            let seen = Mutex<[Double?]>([])
            let normal = huey.task("normal", context: true) { (task: TaskContext) in
                seen.withLock { $0.append(task.timeout) }
            }
            let timed = huey.task("timeout", timeout: 1, context: true) { (task: TaskContext) in
                seen.withLock { $0.append(task.timeout) }
            }
            func expectTimeout(_ expected: Double?, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let claim = try h.dequeue()
                #expect(try h.message(claim).timeout == expected, sourceLocation: sourceLocation)
                try h.execute(claim)
                #expect(seen.withLock { $0 } == [expected], sourceLocation: sourceLocation)
                seen.withLock { $0.removeAll() }
            }
            try normal()
            try expectTimeout(nil)
            try normal(timeout: nil)
            try expectTimeout(nil)
            try normal(timeout: 0)
            try expectTimeout(0)  // zero is no timeout: the call runs
            try normal(timeout: 2)
            try expectTimeout(2)
            try huey.enqueue(normal.s(timeout: 3))
            try expectTimeout(3)
            try normal.schedule(args: (), delay: -1)
            try expectTimeout(nil)
            try normal.schedule(args: (), delay: -1, timeout: 4)
            try expectTimeout(4)

            try timed()
            try expectTimeout(1)
            try timed(timeout: 2)
            try expectTimeout(2)
            try timed(timeout: nil)
            try expectTimeout(1)
            try timed(timeout: 0)
            try expectTimeout(0)
            try huey.enqueue(timed.s(timeout: 3))
            try expectTimeout(3)
            try timed.schedule(args: (), delay: -1)
            try expectTimeout(1)
            try timed.schedule(args: (), delay: -1, timeout: 4)
            try expectTimeout(4)
        }

        @Test("test_timeout_cooperative_full — checkTimeout() honours the call's own timeout")
        func timeoutCooperativeFull() throws {
            let state = Mutex<[Int]>([])
            let body: @Sendable (TaskContext, Int) throws -> Int = { task, n in
                usleep(2_000)
                try task.checkTimeout()
                state.withLock { $0.append(n) }
                return n
            }
            let timed = huey.task("timeout", timeout: 0.001, context: true, body)
            let untimed = huey.task("untimed", context: true, body)

            let r = try timed(1)
            #expect(try h.executeNext() == nil)
            #expect(state.withLock { $0 }.isEmpty)
            #expect(try huey.resultCount == 1)
            let error = try #require(throws: TaskException.self) { try r() }
            #expect(error.error.lowercased().contains("timeout") || error.type.lowercased().contains("timeout"))

            try timed(1, timeout: 1000)
            #expect(try h.executeNext() == 1)
            #expect(state.withLock { $0 } == [1])
            // A task without a timeout, given one for this call only.
            let r2 = try untimed(2, timeout: 0.001)
            #expect(try h.executeNext() == nil)
            #expect(throws: TaskException.self) { try r2() }
            #expect(state.withLock { $0 } == [1])
            // timeout: 0 is no timeout, as in Huey.
            try timed(3, timeout: 0)
            #expect(try h.executeNext() == 3)
            #expect(state.withLock { $0 } == [1, 3])
        }

        @Test("test_retries_with_override — retries: on a call and on schedule() replace the task's")
        func retriesWithOverride() throws {
            struct ExcCounter: Error {}
            let taskA = huey.task("task_a", retries: 1) { () throws -> Int in throw ExcCounter() }

            let r = try taskA(retries: 0)
            #expect(try h.executeNext() == nil)
            let error = try #require(throws: TaskException.self) { try r() }
            #expect(error.retries == 0)
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 0)

            // While retries remain the failed attempt's error is readable (Huey's
            // store_intermediate_errors, on by default), naming the attempt's retries.
            let twice = try taskA(retries: 2)
            #expect(try h.executeNext() == nil)
            let intermediate = try #require(throws: TaskException.self) { try twice() }
            #expect(intermediate.retries == 2)
            #expect(try huey.pending().map(\.retries) == [1])
            #expect(try huey.resultCount == 0)
            _ = try h.dequeue()

            let scheduled = try taskA.schedule(args: (), delay: -1, retries: 3)
            #expect(try h.executeNext() == nil)
            let fromSchedule = try #require(throws: TaskException.self) { try scheduled() }
            #expect(fromSchedule.retries == 3)
            #expect(try huey.pending().map(\.retries) == [2])
            #expect(try huey.resultCount == 0)
        }

        @Test("per-call retryDelay: and retryBackoff: replace the task's (api.py TaskWrapper.s)")
        func retryDelayOverride() throws {
            struct Flaky: Error {}
            let flaky = huey.task("flaky", retries: 2, retryDelay: 100, retryBackoff: 10) { () throws -> Int in
                throw Flaky()
            }
            try flaky(retries: 3, retryDelay: 1, retryBackoff: 2)
            var gaps: [Double] = []
            for _ in 0..<3 {
                let failedAt = h.clock.seconds
                try h.executeNext()
                let eta = try #require(try huey.scheduled().first?.eta).timeIntervalSince1970
                gaps.append(eta - failedAt)
                h.clock.advance(eta - failedAt)
                #expect(try h.promoteDue() == 1)
            }
            #expect(gaps == [1, 2, 4])
            let pending = try huey.pending()
            #expect(pending.map(\.retryBackoff) == [2])
        }

        @Test("test_task_id — id: on s(), schedule() and a call; on a pipeline stage")
        func taskID() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            #expect(taskA.s(1, id: "t1").id == "t1")
            #expect(try taskA.schedule(args: 1, delay: 1, id: "t2").id == "t2")
            #expect(try taskA(1, id: "t3").id == "t3")
            // Huey queues t2 and moves it to the schedule when a worker sees it; here it
            // goes straight to the schedule (README, "Differences from Huey").
            #expect(try huey.scheduled().map(\.id) == ["t2"])
            #expect(try h.message(h.dequeue()).id == "t3")

            let pipe = taskA.s(1, id: "p1").then(taskA, id: "p2")
            #expect(pipe.id == "p1")
            #expect(pipe.onComplete?.id == "p2")
        }

        @Test("test_schedule_s — delay: on s() and on a pipeline stage; reschedule() of a handle")
        func scheduleS() throws {
            let add = huey.task("add") { (a: Int, b: Int) in a + b }
            let start = h.clock.seconds
            let task = add.s(1, 2, delay: 10).then(add, 3, delay: 20)
            let stages = try huey.enqueue(task)
            let (r1, r2) = (stages[0], stages[1])
            let scheduled = try huey.scheduled()
            #expect(scheduled.map(\.id) == [task.id])
            #expect(isAbout(scheduled[0].eta, start + 10))
            #expect(isAbout(scheduled[0].onComplete?.eta, start + 20))

            let r = try r1.reschedule()
            #expect(r.id != r1.id)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 3)
            // The next stage keeps its own eta (start + 20), so it waits in the schedule.
            #expect(try h.pending == 0)
            #expect(try huey.scheduled().map(\.id) == [task.id, r2.id])
            h.clock.advance(20)
            #expect(try h.promoteDue() == 2)
            #expect(try h.executeNext() == nil)  // the original head: revoked by reschedule()
            #expect(try h.executeNext() == 6)
            #expect(try r2() == 6)
        }

        @Test("test_reschedule — a new id, the original revoked once; retries, retryDelay, retryBackoff kept")
        func reschedule() throws {
            let state = Mutex<[Int]>([])
            let taskA = huey.task("task_a") { (n: Int) in
                state.withLock { $0.append(n) }
                return n + 1
            }
            let r = try taskA(2)
            #expect(try h.pending == 1)
            let rs = try r.reschedule(eta: Date(timeIntervalSince1970: 946_684_800))  // 2000-01-01: due
            #expect(try h.pending == 2)
            #expect(r.id != rs.id)

            let t = try h.dequeue()
            #expect(try h.message(t).id == r.id)
            #expect(try r.isRevoked())
            #expect(try h.execute(t) == nil)
            #expect(state.withLock { $0 }.isEmpty)
            let t2 = try h.dequeue()
            #expect(try h.message(t2).id == rs.id)
            #expect(try !rs.isRevoked())
            #expect(try h.execute(t2) == 3)
            #expect(try rs() == 3)
            #expect(state.withLock { $0 } == [2])
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 0)
            #expect(try huey.scheduledCount == 0)

            let r2 = try taskA.schedule(args: 3, delay: 60, retries: 2, retryDelay: 5, retryBackoff: 4)
            let rs2 = try r2.reschedule(delay: 120)
            // Scheduled straight away here; Huey finds it in the queue first.
            let copy = try #require(try huey.scheduled().first { $0.id == rs2.id })
            #expect(copy.retries == 2 && copy.retryDelay == 5 && copy.retryBackoff == 4)
            #expect(isAbout(copy.eta, h.clock.seconds + 120))
        }

        @Test("test_reschedule_no_delay — reschedule() with no delay runs the copy now")
        func rescheduleNoDelay() throws {
            let state = Mutex<[String]>([])
            let taskS = huey.task("task_s", context: true) { (task: TaskContext) in
                state.withLock { $0.append(task.id) }
                return true
            }
            let res = try taskS()
            let res2 = try res.reschedule()
            #expect(res.id != res2.id)
            #expect(try h.pending == 2)
            #expect(try h.executeNext() == nil)
            #expect(try h.executeNext() == true)
            #expect(try res2() == true)
            #expect(state.withLock { $0 } == [res2.id])
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 0)
            #expect(try huey.scheduledCount == 0)
        }

        @Test("test_reschedule_expires — reschedule(expires:) replaces the expiry, resolved again at enqueue")
        func rescheduleExpires() throws {
            let state = Mutex<[String]>([])
            let taskS = huey.task("task_s", context: true) { (task: TaskContext) in
                state.withLock { $0.append(task.id) }
                return true
            }
            let now = h.clock.date
            let res = try taskS()
            let res2 = try res.reschedule(expires: .date(now.addingTimeInterval(10)))
            #expect(try h.pending == 2)
            #expect(try h.executeNext() == nil)  // the first was revoked

            let task = try h.dequeue()
            #expect(try h.message(task).expiresResolved == now.timeIntervalSince1970 + 10)
            h.clock.advance(11)
            #expect(try h.execute(task) == nil)
            #expect(state.withLock { $0 }.isEmpty)

            let res3 = try res2.reschedule(expires: 5)
            let task3 = try h.dequeue()
            #expect(try h.message(task3).expiresResolved == h.clock.seconds + 5)
            #expect(try h.execute(task3) == true)
            #expect(state.withLock { $0 } == [res3.id])
        }

        @Test("test_reschedule_priority — reschedule(priority:) replaces the priority")
        func reschedulePriority() throws {
            let state = Mutex<[String]>([])
            let taskS = huey.task("task_s", context: true) { (task: TaskContext) in
                state.withLock { $0.append(task.id) }
                return true
            }
            let res = try taskS(priority: 10)
            let res2 = try res.reschedule(priority: 99)
            #expect(try h.pending == 2)
            let first = try h.dequeue()
            #expect(try h.message(first).priority == 99)
            #expect(try h.execute(first) == true)
            let second = try h.dequeue()
            #expect(try h.message(second).priority == 10)
            #expect(try res.isRevoked())
            #expect(try h.execute(second) == nil)
            #expect(state.withLock { $0 } == [res2.id])
        }
    }
}
