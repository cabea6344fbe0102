import Foundation
import Huey
import Testing

extension HueyCompatibilityTests {
    @Suite("test_immediate.py")
    struct Immediate {
        let huey = MemoryHuey(name: "immediate", immediate: true)

        @Test("test_immediate — runs at once, stores the result, errors surface as TaskException")
        func immediate() throws {
            let task = huey.task("task_a") { (n: Int?) throws -> Int in
                guard let n else { throw TestError(message: "None") }
                return n + 1
            }
            let r = try task(3)
            #expect(try huey.pendingCount == 0)
            #expect(try huey.resultCount == 1)
            #expect(try r() == 4)
            #expect(try huey.resultCount == 0)
            let failed = try task(nil)
            #expect(throws: TaskException.self) { try failed() }
            #expect(throws: TaskException.self) { try failed() }  // cached on the handle
        }

        @Test("test_immediate_scheduling — a delayed call goes to the schedule and does not run")
        func immediateScheduling() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let r = try taskA.schedule(args: 3, delay: 10)
            #expect(try huey.pendingCount == 0)
            #expect(try huey.resultCount == 0)
            #expect(try huey.scheduledCount == 1)
            #expect(try r() == nil)
        }

        @Test("test_immediate_reschedule — the rescheduled copy runs at once; the original stays revoked")
        func immediateReschedule() throws {
            let state = Recorded<String>()
            let taskS = huey.task("task_s", context: true) { (task: TaskContext) in
                state.append(task.id)
                return 1
            }
            let r = try taskS.schedule(args: (), delay: 60)
            #expect(try huey.pendingCount == 0)
            #expect(try r() == nil)
            let r2 = try r.reschedule()
            #expect(r.id != r2.id)
            #expect(state.all == [r2.id])
            #expect(try r2() == 1)
            #expect(try huey.pendingCount == 0)
            #expect(try r.isRevoked())
            // The scheduler never runs in immediate mode: the original's revocation key and
            // its schedule entry stay.
            #expect(try huey.resultCount == 1)
            #expect(try huey.scheduledCount == 1)
        }

        @Test("test_immediate_revoke_restore — a revoked task does not run; restored, it does")
        func immediateRevokeRestore() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            try taskA.revoke()
            let r = try taskA(3)
            #expect(try huey.pendingCount == 0)
            #expect(try r() == nil)
            #expect(try taskA.restore())
            #expect(try taskA(4)() == 5)
        }

        @Test("test_swap_immediate — immediate mode can be switched off and on again")
        func swapImmediate() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            #expect(try taskA(1)() == 2)
            huey.immediate = false
            let r = try taskA(2)
            #expect(try huey.pendingCount == 1)
            #expect(try huey.resultCount == 0)
            #expect(try huey.processNext(owner: .current, in: huey.storage))
            #expect(try r() == 3)
            huey.immediate = true
            #expect(try taskA(3)() == 4)
            #expect(try huey.pendingCount == 0)
            #expect(try huey.resultCount == 0)
        }

        @Test("test_map — map runs every call at once")
        func map() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            #expect(try taskA.map(Array(0..<8))() == [1, 2, 3, 4, 5, 6, 7, 8])
        }

        @Test("test_chord_nested — chords as members of chords, run at once")
        func chordNested() throws {
            let ident = huey.task("ident") { (v: String) in v }
            let agg = huey.task("agg") { (vs: [JSONValue]) in vs }
            let pair = { (a: String, b: String) in group([ident.s(a), ident.s(b)]).then(agg) }
            let nested = group([
                pair("a", "b"),
                group([pair("c", "d"), pair("e", "f")]).then(agg),
                pair("g", "h"),
            ]).then(agg)
            let r = try huey.enqueue(nested, as: [JSONValue].self)
            #expect(try r() == [["a", "b"], [["c", "d"], ["e", "f"]], ["g", "h"]])
        }

        @Test("test_immediate_storage — immediate mode leaves the real storage untouched")
        func immediateStorage() throws {
            let place = try ScratchDirectory()
            let path = place.file("immediate.db")
            let huey = try SqliteHuey(name: "real", filename: path, immediate: true)
            let observer = try SqliteHuey(name: "real", filename: path)
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            #expect(try taskA(2)() == 3)
            try taskA.revoke()
            #expect(try taskA(3)() == nil)
            #expect(try taskA.restore())
            #expect(try taskA(4)() == 5)
            _ = try taskA.schedule(args: 5, delay: 60)
            #expect(try huey.scheduledCount == 1)
            #expect(try observer.pendingCount == 0)
            #expect(try observer.scheduledCount == 0)
            #expect(try observer.resultCount == 0)
            huey.immediate = false
            _ = try taskA(1)
            #expect(try observer.pendingCount == 1)  // back on the real storage
        }

        @Test("test_immediate_real_storage — immediateUseMemory: false runs at once on the real storage")
        func immediateRealStorage() throws {
            let place = try ScratchDirectory()
            let path = place.file("immediate.db")
            let huey = try SqliteHuey(name: "real", filename: path, immediate: true, immediateUseMemory: false)
            let observer = try SqliteHuey(name: "real", filename: path)
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let r = try taskA(2)
            #expect(try observer.pendingCount == 0)
            #expect(try observer.resultCount == 1)
            #expect(try r() == 3)
            #expect(try observer.resultCount == 0)
        }

        @Test("test_immediate_pipeline — every stage's value")
        func pipeline() throws {
            let add = huey.task("add") { (a: Int, b: Int) in a + b }
            let results = try huey.enqueue(add.s(3, 4).then(add, 5).then(add, 6).then(add, 7), as: Int.self)
            #expect(try results.get() == [7, 12, 18, 25])
        }

        @Test("test_chord / test_chord_pipeline — the callback runs in the last member's ack")
        func chord() throws {
            let prod = huey.task("prod", retries: 1) { (n: Int) in n + 1 }
            let agg = huey.task("agg") { (values: [Int]) in values.reduce(0, +) }
            let result = try huey.enqueue(group((0..<10).map { prod.s($0) }).then(agg), as: Int.self)
            #expect(try result() == 55)

            let incr = huey.task("incr") { (v: Int) in v + 1 }
            let members = [
                incr.s(1).then(incr).then(incr), incr.s(3).then(incr), incr.s(5), incr.s(7).then(incr).then(incr),
            ]
            let total = try huey.enqueue(group(members).then(agg), as: Int.self)
            #expect(try total() == 25)  // 4 + 5 + 6 + 10
            #expect(try huey.allResults().keys.allSatisfy { !$0.hasPrefix("chord:") })
        }
    }
}
