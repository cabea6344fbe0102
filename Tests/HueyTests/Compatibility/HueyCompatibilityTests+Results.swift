import Foundation
import Huey
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_api.py` cases about result handles, scheduling, task wrappers,
    /// locks and several Hueys.
    @Suite("test_api.py: results, wrappers, locks")
    struct Results {
        let h = APIHarness()
        var huey: MemoryHuey { h.huey }

        @Test("test_workflow — enqueue, dequeue, execute, read the result once")
        func workflow() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let result = try taskA(3)
            #expect(try !result.isReady)
            #expect(try h.pending == 1)
            let task = try h.dequeue()
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 0)
            #expect(try h.message(task).id == result.id)
            #expect(try !result.isReady)
            #expect(try result.get() == nil)
            #expect(try h.execute(task) == 4)
            #expect(try huey.resultCount == 1)
            #expect(try result.isReady)
            #expect(try result.get() == 4)
            #expect(try huey.resultCount == 0)
        }

        @Test("test_result_timeout — a blocking read times out; the result is still there afterwards")
        func resultTimeout() throws {
            let taskA = huey.task("task_a") { (n: Int) in n }
            let r = try taskA(1)
            #expect(throws: ResultTimeout.self) { try r.get(blocking: true, timeout: 0.01) }
            #expect(try h.executeNext() == 1)
            #expect(try huey.resultCount == 1)
            #expect(try r() == 1)
        }

        @Test("test_result_readiness — isReady before and after reading")
        func resultReadiness() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let r = try taskA(1)
            #expect(try !r.isReady)
            #expect(try h.executeNext() == 2)
            #expect(try r.isReady)
            #expect(try r() == 2)
            let r2 = try taskA(2)
            #expect(try !r2.isReady)
            #expect(try h.executeNext() == 3)
            #expect(try r2() == 3)
            #expect(try r2.isReady)
        }

        @Test("test_result_readiness_reads_result — isReady reads the value into the handle")
        func resultReadinessReadsResult() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let r = try taskA(1)
            #expect(try h.executeNext() == 2)
            #expect(try r.isReady)
            #expect(try huey.resultCount == 0)
            #expect(try r.get(preserve: true) == 2)
            #expect(try r() == 2)
            // Another reader of the same id does not find it.
            #expect(try huey.result(id: r.id, as: Int.self) == nil)
        }

        @Test("an error result stays in the store after isReady, for the read that throws it")
        func readinessOfAnError() throws {
            struct Boom: Error {}
            let taskA = huey.task("task_a") { () throws -> Int in throw Boom() }
            let r = try taskA()
            try h.executeNext()
            #expect(try r.isReady)
            #expect(throws: TaskException.self) { try r() }
        }

        @Test("test_scheduling — a delayed call waits for its time; a past eta runs at once")
        func scheduling() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let delayed = try taskA.schedule(args: 3, delay: 60)
            // Huey queues it and the worker moves it to the schedule; here it goes straight there.
            #expect(try h.pending == 0)
            #expect(try huey.scheduled().map(\.id) == [delayed.id])
            let past = try taskA.schedule(args: 4, eta: Date(timeIntervalSince1970: 946_684_800))
            #expect(try h.executeNext() == 5)
            #expect(try past() == 5)
            #expect(try huey.scheduled().map(\.id) == [delayed.id])
            h.clock.advance(59)
            #expect(try h.promoteDue() == 0)
            h.clock.advance(1)
            #expect(try h.promoteDue() == 1)
            #expect(try h.executeNext() == 4)
        }

        @Test("test_task_parameters / test_task_wrapper_retry_attrs — a call starts from the task's options")
        func taskParameters() throws {
            let taskB = huey.task("tb", retries: 2, retryDelay: 1, context: true) { (task: TaskContext, n: Int) in
                [n + 1, task.retries, Int(task.retryDelay)]
            }
            let call = taskB.s(2)
            #expect(call.retries == 2 && call.retryDelay == 1 && call.args == [2])
            #expect(try taskB.callLocal(2) == [3, 2, 1])
            let r = try huey.enqueue(call, as: [Int].self)
            #expect(try h.executeNext() == [3, 2, 1])
            #expect(try r[0]() == [3, 2, 1])
            let plain = huey.task("task_d") {}
            #expect(taskB.options.retries == 2 && taskB.options.retryDelay == 1)
            #expect(plain.options.retries == 0 && plain.options.retryDelay == 0)
        }

        @Test("test_task_locking — a task holding a lock; refused while another holder has it, then retried")
        func taskLocking() throws {
            let taskA = huey.task("task_a", retries: 1, lock: "lock_a") { (n: Int) in n + 1 }
            try taskA(3)
            #expect(try h.executeNext() == 4)

            try taskA(4)
            try huey.lockTask("lock_x") { () throws in
                #expect(try huey.isLocked("lock_x"))
                #expect(try !huey.isLocked("lock_a"))
                #expect(try h.executeNext() == 5)
            }
            #expect(try !huey.isLocked("lock_a"))
            #expect(try !huey.isLocked("lock_x"))

            let r = try taskA(5)
            try huey.lockTask("lock_a") { () throws in
                #expect(try huey.isLocked("lock_a"))
                #expect(try h.executeNext() == nil)
            }
            #expect(try r() == nil)  // refused by the lock, a retry pending: no error stored
            #expect(try h.executeNext() == 6)
        }

        @Test("test_flush_locks — locks held by live holders are reported, not broken (see README)")
        func flushLocks() throws {
            try huey.lockTask("lock1") { () throws in
                try huey.lockTask("lock2") { () throws in
                    // Huey deletes both keys; here a live holder's lock is only reported.
                    #expect(try huey.flushLocks() == FlushedLocks(flushed: [], held: ["lock1", "lock2"]))
                }
            }
            #expect(try huey.flushLocks() == FlushedLocks())
        }

        @Test("test_multiple_huey — two Hueys keep their own queues and results")
        func multipleHuey() throws {
            let other = APIHarness(name: "huey2")
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let taskA2 = other.huey.task("task_a", retries: 1) { (n: Int) in n + 1 }
            let r = try taskA(1)
            #expect(try h.pending == 1 && other.pending == 0)
            #expect(try h.executeNext() == 2)
            #expect(try r() == 2)
            let r2 = try taskA2(2)
            #expect(try h.pending == 0 && other.pending == 1)
            #expect(try other.executeNext() == 3)
            #expect(try r2() == 3)
        }

        @Test("test_disable_result_store — with results: false nothing is stored (handles read nil)")
        func disableResultStore() throws {
            let h = APIHarness(results: false)
            let state = Recorded<Int>()
            let taskA = h.huey.task("task_a") { (n: Int) in
                state.append(n)
                return n + 1
            }
            let res = try taskA(2)
            #expect(try h.executeNext() == 3)
            #expect(try res() == nil)  // Huey returns no handle at all
            #expect(try h.pending == 0 && h.huey.resultCount == 0)
            try h.huey.enqueue(taskA.s(3).then(taskA))
            #expect(try h.executeNext() == 4)
            #expect(try h.executeNext() == 5)
            _ = try taskA.map([5, 6])
            #expect(try h.executeNext() == 6)
            #expect(try h.executeNext() == 7)
            h.huey.immediate = true
            try taskA(7)
            try h.huey.enqueue(taskA.s(8).then(taskA))
            #expect(state.all == [2, 3, 4, 5, 6, 7, 8, 9])
            #expect(try h.pending == 0 && h.huey.resultCount == 0)
        }
    }
}
