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
