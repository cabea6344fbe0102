import Foundation
import Huey
import Synchronization
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_api.py` revocation cases (`TestQueue.test_revoke_*`).
    @Suite("test_api.py: revocation")
    struct Revocation {
        let h = APIHarness()
        var huey: MemoryHuey { h.huey }

        /// `task_a(n)`: records `n` in `state`, returns `n + 1`.
        func taskA(_ state: Recorded<Int>) -> TaskWrapper<Int, Int> {
            huey.task("task_a") { (n: Int) in
                state.append(n)
                return n + 1
            }
        }

        @Test("test_revoke_task — a revoked task skips every call; its handles say so, an id alone does not")
        func revokeTask() throws {
            let state = Recorded<Int>()
            let taskA = taskA(state)
            #expect(try !taskA.isRevoked())
            try taskA.revoke()
            #expect(try taskA.isRevoked())

            let (r1, r2, r3) = (try taskA(1), try taskA(2), try taskA(3))
            #expect(try h.pending == 3)
            for r in [r1, r2, r3] {
                #expect(try r.isRevoked())
                // No task is known from an id alone, so this does not see the task's revocation.
                #expect(try !huey.isRevoked(id: r.id))
            }
            #expect(try h.executeNext() == nil)
            #expect(try r1() == nil)
            #expect(try r2.isRevoked())
            #expect(try h.executeNext() == nil)
            #expect(try r2() == nil)
            #expect(state.all.isEmpty)

            #expect(try taskA.isRevoked())
            #expect(try r3.isRevoked())
            #expect(try taskA.restore())
            #expect(try !taskA.isRevoked())
            #expect(try !r3.isRevoked())
            #expect(try h.executeNext() == 4)
            #expect(try r3() == 4)
            #expect(state.all == [3])
        }

        @Test("test_revoke_task_instance — TaskResult.revoke() skips one run by default (revoke_once=True)")
        func revokeTaskInstance() throws {
            let state = Recorded<Int>()
            let taskA = taskA(state)
            let (r1, r2, r3) = (try taskA(1), try taskA(2), try taskA(3))
            try r1.revoke()
            try r3.revoke()
            #expect(try r1.isRevoked())
            #expect(try !r2.isRevoked())
            #expect(try r3.isRevoked())
            #expect(try huey.isRevoked(id: r1.id))
            #expect(try !huey.isRevoked(id: r2.id))

            let t1 = try h.dequeue()
            #expect(try h.execute(t1) == nil)
            #expect(try r1() == nil)
            #expect(state.all.isEmpty)
            #expect(try h.executeNext() == 3)
            #expect(try r2() == 3)

            let t3 = try h.dequeue()
            try r3.restore()
            #expect(try !r3.isRevoked())
            #expect(try h.execute(t3) == 4)
            #expect(try r3() == 4)
            #expect(state.all == [2, 3])

            // Revoked once: enqueued again, the same call runs.
            #expect(try !r1.isRevoked())
            try huey.enqueue(TaskCall(name: "task_a", args: [1], id: r1.id))
            #expect(try h.executeNext() == 2)
            #expect(state.all == [2, 3, 1])
            #expect(try !r1.isRevoked())
        }

        @Test("test_revoke_task_instance_persistent — revoke(once: false) stays until restored")
        func revokeTaskInstancePersistent() throws {
            let state = Recorded<Int>()
            let taskA = taskA(state)
            let r1 = try taskA(1)
            let r2 = try taskA(2)
            try r1.revoke(once: false)
            try r2.revoke()
            #expect(try r1.isRevoked())
            #expect(try r2.isRevoked())
            let t1 = try h.dequeue()
            let m1 = try h.message(t1)
            #expect(try h.execute(t1) == nil)
            #expect(try r1.isRevoked())
            let t2 = try h.dequeue()
            let m2 = try h.message(t2)
            #expect(try h.execute(t2) == nil)
            #expect(try !r2.isRevoked())
            #expect(state.all.isEmpty)

            try huey.enqueue(TaskCall(name: m1.name, args: m1.args, id: m1.id))
            try huey.enqueue(TaskCall(name: m2.name, args: m2.args, id: m2.id))
            #expect(try h.executeNext() == nil)
            #expect(try h.executeNext() == 3)
            #expect(try r2() == 3)
            #expect(state.all == [2])
            #expect(try r1.isRevoked())
            #expect(try !r2.isRevoked())
            #expect(try huey.resultCount == 1)  // t1's revocation
        }

        @Test("test_revoke_by_id — revoke(id:) / restore(id:)")
        func revokeByID() throws {
            let state = Recorded<Int>()
            let taskA = huey.task("task_a") { (n: Int) in
                state.append(n)
                return n
            }
            let results = try [1, 2, 3].map { try taskA($0) }
            for r in results {
                try huey.revoke(id: r.id)
                #expect(try r.isRevoked())
            }
            try huey.restore(id: results[1].id)
            for _ in 0..<3 { try h.executeNext() }
            #expect(state.all == [2])
            #expect(try results[1]() == 2)
            #expect(try results[0]() == nil && results[2]() == nil)
        }

        @Test("test_is_revoked_by_id — huey.isRevoked(id:) sees a call's revocation, not its task's")
        func isRevokedByID() throws {
            let taskA = huey.task("task_a") { (n: Int) in n }
            let r1 = try taskA(1)
            let r2 = try taskA(2)
            try huey.revoke(id: r1.id)
            #expect(try huey.isRevoked(id: r1.id))
            #expect(try !huey.isRevoked(id: r2.id))
            try taskA.revoke()
            #expect(try r2.isRevoked())
            #expect(try !huey.isRevoked(id: r2.id))
            #expect(try huey.isRevoked(task: "task_a"))
        }

        @Test("test_revoke_once — a task revoked once skips its next call only")
        func revokeOnce() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let results = try [1, 2, 3].map { try taskA($0) }
            try taskA.revoke(once: true)
            #expect(try taskA.isRevoked())
            for r in results { #expect(try r.isRevoked()) }
            for _ in 0..<3 {
                try h.executeNext()
                #expect(try !taskA.isRevoked())
            }
            #expect(try results[0]() == nil)
            #expect(try results[1]() == 3)
            #expect(try results[2]() == 4)
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 0)
        }

        @Test("test_revoke_until — revoked until a time; the revocation is dropped once that time has come")
        func revokeUntil() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let timestamp = h.clock.date.addingTimeInterval(3600)
            try taskA.revoke(until: timestamp)
            h.clock.advance(3599)
            #expect(try taskA.isRevoked())
            h.clock.advance(1)
            #expect(try !taskA.isRevoked())
            h.clock.advance(-1)

            let results = try [1, 2, 3, 4].map { try taskA($0) }
            for delta in [0.0, 1, 1, -2] {  // at timestamp -1 s, 0, +1 s, then -1 s again
                h.clock.advance(delta)
                try h.executeNext()
            }
            #expect(try results[0]() == nil)
            #expect(try results[1]() == 3)
            #expect(try results[2]() == 4)
            // The run at the timestamp removed the revocation, so a run "before" it goes ahead.
            #expect(try results[3]() == 5)
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 0)
        }

        @Test("test_revoke_periodic — revoke, revoke once and until on a periodic task")
        func revokePeriodic() throws {
            let state = Mutex(0)
            let taskP = huey.periodicTask("task_p", try crontab(minute: "0")) { state.withLock { $0 += 1 } }
            try taskP.revoke()
            #expect(try taskP.isRevoked())
            #expect(try taskP.isRevoked())
            try taskP.restore()
            #expect(try !taskP.isRevoked())
            #expect(try !taskP.restore())

            try taskP.revoke(once: true)
            #expect(try taskP.isRevoked())
            #expect(try taskP.isRevoked())
            let r = try taskP()
            try h.executeNext()
            #expect(try r() == nil)
            #expect(state.withLock { $0 } == 0)
            #expect(try !taskP.isRevoked())

            let timestamp = h.clock.date.addingTimeInterval(60)
            try taskP.revoke(until: timestamp)
            #expect(try taskP.isRevoked())
            h.clock.advance(61)
            #expect(try !taskP.isRevoked())
            h.clock.advance(-2)
            #expect(try taskP.isRevoked())
            try taskP.restore()
            #expect(try !taskP.isRevoked())
        }

        @Test("api.py revoke_all / restore_all — the task's revocation by name")
        func revokeAllByName() throws {
            let taskA = huey.task("task_a") { (n: Int) in n }
            try huey.revokeAll(task: "task_a")
            #expect(try taskA.isRevoked())
            let r = try taskA(1)
            #expect(try h.executeNext() == nil)
            #expect(try r() == nil)
            #expect(try huey.restoreAll(task: "task_a"))
            #expect(try !huey.restoreAll(task: "task_a"))
            #expect(try !taskA.isRevoked())
        }
    }
}
