import Foundation
import Huey
import Synchronization
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_api.py` `TestGroupPrimitive` and `TestChordPrimitive` cases about
    /// enqueuing groups and chords and reading their handles.
    @Suite("test_api.py: groups and chords")
    struct Groups {
        let h = APIHarness()
        var huey: MemoryHuey { h.huey }

        /// Huey's `funcs()`: `prod(n) = n + 1` with one retry, `agg(ns)` = the sum, or -1
        /// when a member failed.
        func funcs() -> (prod: TaskWrapper<Int, Int>, agg: TaskWrapper<[JSONValue], Int>) {
            let prod = huey.task("prod", retries: 1) { (n: Int) in n + 1 }
            let agg = huey.task("agg") { (ns: [JSONValue]) in
                if ns.contains(where: { $0.objectValue?["__huey_error__"] != nil }) { return -1 }
                return ns.reduce(0) { $0 + ($1.intValue ?? 0) }
            }
            return (prod, agg)
        }

        @Test("test_group — enqueue(group) gives one handle per member; a failed member throws from get()")
        func groupOfCalls() throws {
            struct Bad: Error {}
            let test = huey.task("test") { (n: Int) throws -> Int in
                if n < 0 { throw Bad() }
                return n + 1
            }
            let rg = try huey.enqueue(group((0..<3).map { test.s($0) }))
            #expect(try h.pending == 3)
            for i in 0..<3 { #expect(try h.executeNext() == .int(i + 1)) }
            #expect(try rg.get() == [1, 2, 3])

            let rg2 = try huey.enqueue(group([test.s(1), test.s(-1), test.s(2)]))
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == nil)
            #expect(try h.executeNext() == 3)
            #expect(throws: TaskException.self) { try rg2.get() }
        }

        @Test("test_multiple_task_types — a ResultGroup is callable, as Huey's results()")
        func multipleTaskTypes() throws {
            let t1 = huey.task("t1") { (n: Int) in n + 1 }
            let t2 = huey.task("t2") { (n: Int) in n + 2 }
            let rg = try huey.enqueue(group([t1.s(1), t2.s(2), t1.s(10)]), as: Int.self)
            #expect(rg.count == 3)
            for _ in 0..<3 { try h.executeNext() }
            #expect(try h.pending == 0)
            #expect(try rg() == [2, 4, 11])
        }

        @Test("test_group_priorities — members run by priority; handles stay in member order")
        func groupPriorities() throws {
            let track = huey.task("track") { (label: String) in label }
            let r = try huey.enqueue(
                group([track.s("low", priority: 1), track.s("high", priority: 10), track.s("mid", priority: 5)]),
                as: String.self)
            #expect(try h.executeNext() == "high")
            #expect(try h.executeNext() == "mid")
            #expect(try h.executeNext() == "low")
            #expect(try r() == ["low", "high", "mid"])
        }

        @Test("test_group_callback — group(...).then(task) is a chord; results in member order")
        func groupCallback() throws {
            let ident = huey.task("ident") { (v: JSONValue) in v }
            try huey.enqueue(group([ident.s("a"), ident.s("b")]).then(ident))
            #expect(try h.pending == 2)
            try h.executeNext()
            try h.executeNext()
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == ["a", "b"])

            let r = try huey.enqueue(
                group([ident.s("a", priority: 1), ident.s("b", priority: 10), ident.s("c", priority: 5)]).then(ident))
            #expect(try h.pending == 3)
            #expect(try h.executeNext() == "b")
            #expect(try h.executeNext() == "c")
            #expect(try h.executeNext() == "a")
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == ["a", "b", "c"])
            #expect(try r() == ["a", "b", "c"])
        }

        @Test("test_group_callback_task_args — the callback's own args come before the results")
        func groupCallbackTaskArgs() throws {
            let ident = huey.task("ident") { (v: String) in v }
            let cb = huey.task("cb") { (prefix: String, results: [String]) in [prefix] + results }
            let r = try huey.enqueue(group([ident.s("a"), ident.s("b")]).then(cb, "p"), as: [String].self)
            try h.executeNext()
            try h.executeNext()
            #expect(try h.executeNext() == ["p", "a", "b"])
            #expect(try r() == ["p", "a", "b"])
        }

        @Test("test_group_error_handler — group.error(handler) sets every member's error handler")
        func groupErrorHandler() throws {
            struct TestError: Error {}
            let errors = Mutex<[String]>([])
            let taskA = huey.task("task_a") { (n: Int) throws -> Int in
                if n < 0 { throw TestError() }
                return n
            }
            let onErr = huey.task("on_err") { (error: TaskException) in errors.withLock { $0.append(error.type) } }
            try huey.enqueue(group([taskA.s(1), taskA.s(-1), taskA.s(3)]).error(onErr))
            #expect(try h.pending == 3)
            try h.executeNext()
            try h.executeNext()  // fails: on_err enqueued
            #expect(try h.pending == 2)
            try h.executeNext()
            #expect(errors.withLock { $0 }.isEmpty)
            try h.executeNext()
            #expect(errors.withLock { $0 }.count == 1)
            #expect(errors.withLock { $0 }.first?.contains("TestError") == true)
        }

        @Test("test_group_error_chaining — group(...).error(handler).then(task)")
        func groupErrorChaining() throws {
            let fetch = huey.task("fetch") { (n: Int) in n }
            let onErr = huey.task("on_err") { (_: TaskException) in }
            let combine = huey.task("combine") { (results: [Int]) in results.reduce(0, +) }
            let result = try huey.enqueue(
                group([fetch.s(2), fetch.s(3)]).error(onErr).then(combine), as: Int.self)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [2, 3, 5])
            #expect(try result() == 5)
        }

        @Test("test_empty_chord — the callback runs at once with []; enqueuing twice adds no args")
        func emptyChord() throws {
            let (_, agg) = funcs()
            let empty = group([]).then(agg)
            for _ in 0..<2 {
                let result = try huey.enqueue(empty, as: Int.self)
                #expect(try h.executeNext() == 0)
                #expect(try result() == 0)
            }
        }

        @Test("test_chord — the chord handle reads the callback; results() reads the members")
        func chordOfCalls() throws {
            let (prod, agg) = funcs()
            let r = try huey.enqueue(group((0..<3).map { prod.s($0) }).then(agg), as: Int.self)
            #expect(try h.pending == 3)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [1, 2, 3])
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 6)
            #expect(try r.get() == 6)
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 3)  // each member's result is still there
            #expect(try r.results() == [1, 2, 3])
            #expect(try huey.resultCount == 0)

            try huey.enqueue(group([prod.s(100)]).then(agg))
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 101)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 101)
            #expect(try h.pending == 0)
        }

        @Test("test_chord_result_handles — ChordResult: results, callback, pipelineResults")
        func chordResultHandles() throws {
            let (prod, agg) = funcs()
            let result = try huey.enqueue(group([prod.s(1), prod.s(2)]).then(agg), as: Int.self)
            #expect(result.results.count == 2)
            // Huey leaves pipeline_results None without added stages; here it is the callback alone.
            #expect(result.pipelineResults.map(\.id) == [result.callback.id])
            for _ in 0..<3 { try h.executeNext() }
            #expect(try result() == 5)
            #expect(try result.results() == [2, 3])
            #expect(try result.callback() == 5)
        }

        @Test("test_chord_callback_cb — chord.then(task) adds stages after the callback")
        func chordCallbackCallback() throws {
            let (prod, agg) = funcs()
            let r = try huey.enqueue(group((0..<3).map { prod.s($0) }).then(agg).then(prod), as: Int.self)
            #expect(try h.pending == 3)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [1, 2, 3])
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 6)
            #expect(try h.pending == 1)
            #expect(try r.pipelineResults[0].get(preserve: true) == 6)
            #expect(try r.pipelineResults[1]() == nil)
            #expect(try h.executeNext() == 7)
            #expect(try r() == 6)
            #expect(try r.results() == [1, 2, 3])
            #expect(try r.pipelineResults() == [6, 7])
            #expect(try h.pending == 0)

            let r2 = try huey.enqueue(group([prod.s(1)]).then(agg).then(prod).then(prod), as: Int.self)
            #expect(try h.executeNext() == 2)  // prod(1)
            #expect(try h.executeNext() == 2)  // agg([2])
            #expect(try h.executeNext() == 3)  // prod(2)
            #expect(try h.executeNext() == 4)  // prod(3)
            #expect(try h.pending == 0)
            // The callback handle and pipelineResults[0] are two handles of one result:
            // the first read that does not preserve it takes it from the store.
            #expect(try r2.pipelineResults(preserve: true) == [2, 3, 4])
            #expect(try r2() == 2)
            #expect(try r2.results() == [2])
        }

        @Test("test_chord_callback_err — chord.error(handler) handles the callback's failure")
        func chordCallbackError() throws {
            struct Fail: Error {}
            let (prod, _) = funcs()
            let seen = Mutex<[String]>([])
            let fail = huey.task("fail") { (_: [Int]) throws -> Int in throw Fail() }
            let onErr = huey.task("on_err") { (error: TaskException) in
                seen.withLock { $0.append(error.type) }
                return "done"
            }
            try huey.enqueue(group([prod.s(1), prod.s(2)]).then(fail).error(onErr))
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == 3)
            #expect(try h.executeNext() == nil)  // the callback fails
            #expect(try h.pending == 1)
            #expect(seen.withLock { $0 }.isEmpty)
            #expect(try h.executeNext() == "done")
            #expect(seen.withLock { $0 }.count == 1 && seen.withLock { $0 }[0].contains("Fail"))
            #expect(try h.pending == 0)
        }

        @Test("test_chord_task_cb — pipelines as chord members; their last stage reports")
        func chordTaskCallback() throws {
            let (prod, agg) = funcs()
            try huey.enqueue(group((0..<3).map { prod.s($0).then(prod).then(prod) }).then(agg))
            #expect(try h.pending == 3)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [1, 2, 3])
            #expect(try h.pending == 3)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [2, 3, 4])
            #expect(try h.pending == 3)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [3, 4, 5])
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 12)
            #expect(try h.pending == 0)
        }

        @Test("test_chord_ordering — results in member order whatever order members finish in")
        func chordOrdering() throws {
            let ident = huey.task("ident") { (s: String) in s }
            let agg = huey.task("agg") { (results: [String]) in results }
            let result = try huey.enqueue(
                group([ident.s("a"), ident.s("b"), ident.s("c")]).then(agg), as: [String].self)
            let claims = try (0..<3).map { _ in try h.dequeue() }
            try h.execute(claims[2])
            try h.execute(claims[0])
            try h.execute(claims[1])
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == ["a", "b", "c"])
            #expect(try result() == ["a", "b", "c"])
        }

        @Test("test_chord_scheduling — delays on members and on the callback, each counted from when it was made")
        func chordScheduling() throws {
            let ident = huey.task("ident") { (s: String) in s }
            let agg = huey.task("agg") { (results: [String]) in results }
            let start = h.clock.date
            let r = try huey.enqueue(
                group([ident.s("a", delay: 30), ident.s("b", delay: 50), ident.s("c", delay: 10)])
                    .then(agg, delay: 10), as: [String].self)
            #expect(try h.pending == 0)  // straight to the schedule here (Huey: via the queue)
            #expect(try huey.scheduledCount == 3)

            func runDue(at seconds: Double) throws -> JSONValue? {
                h.clock.advance(start.timeIntervalSince1970 + seconds - h.clock.seconds)
                #expect(try h.promoteDue() == 1)
                return try h.executeNext()
            }
            #expect(try runDue(at: 10) == "c")
            #expect(try runDue(at: 30) == "a")
            #expect(try h.pending == 0)
            #expect(try huey.scheduledCount == 1)
            #expect(try runDue(at: 50) == "b")
            // The callback's eta was fixed when it was made (start + 10), so at +50 it is due.
            #expect(try h.pending == 1)
            #expect(isAbout(try huey.pending().first?.eta, start.timeIntervalSince1970 + 10))
            #expect(try h.executeNext() == ["a", "b", "c"])
            #expect(try h.pending == 0)
            #expect(try huey.scheduledCount == 0)
            #expect(try r() == ["a", "b", "c"])
        }

        @Test("test_nested_chord — chords as members of chords, to any depth")
        func nestedChord() throws {
            let ident = huey.task("ident") { (v: String) in v }
            let agg = huey.task("agg") { (vs: [JSONValue]) in vs }
            func pair(_ a: String, _ b: String) -> Chord { group([ident.s(a), ident.s(b)]).then(agg) }
            let c = group([
                pair("a", "b"),
                group([pair("c", "d"), pair("e", "f")]).then(agg),
                pair("g", "h"),
            ]).then(agg)
            let r = try huey.enqueue(c)
            #expect(try h.pending == 8)
            #expect(try (0..<8).map { _ in try h.executeNext() } == ["a", "b", "c", "d", "e", "f", "g", "h"])
            #expect(try h.pending == 4)
            #expect(try (0..<4).map { _ in try h.executeNext() } == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == [["c", "d"], ["e", "f"]])
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == [["a", "b"], [["c", "d"], ["e", "f"]], ["g", "h"]])
            #expect(try r() == [["a", "b"], [["c", "d"], ["e", "f"]], ["g", "h"]])
        }

        @Test("test_nested_chord_callback_pipeline_tail_walking — an inner chord reports its callback's last stage")
        func nestedChordCallbackPipeline() throws {
            let fetch = huey.task("fetch") { (n: Int) in n }
            let innerCombine = huey.task("inner_combine") { (results: [Int]) in results.reduce(0, +) }
            let postProcess = huey.task("post_process") { (n: Int) in n * 100 }
            let outerCombine = huey.task("outer_combine") { (results: [Int]) in results }
            let inner = group([fetch.s(1), fetch.s(2)]).then(innerCombine).then(postProcess)
            let r = try huey.enqueue(group([inner, fetch.s(99)]).then(outerCombine), as: [Int].self)
            #expect(try h.pending == 3)
            #expect(try h.executeNext() == 1)
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == 99)
            #expect(try h.executeNext() == 3)
            #expect(try h.executeNext() == 300)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == [300, 99])
            #expect(try r() == [300, 99])
            #expect(try r.results() == [300, 99])  // the inner chord's member result is its last stage's
        }

        @Test("test_chord_chaining — chord.then(...).error(...): the handler is the callback's")
        func chordChaining() throws {
            struct TestError: Error {}
            let state = Mutex<[Int]>([])
            let incr = huey.task("incr") { (n: Int) throws -> Int in
                if n < 0 { throw TestError() }
                return n + 1
            }
            let agg = huey.task("agg") { (ns: [Int]) in ns.reduce(0, +) }
            let finished = huey.task("finished") { (res: Int) in res * 10 }
            let err = huey.task("err") { (_: TaskException) in
                state.withLock { $0.append(99) }
                return -1
            }
            let chain = group((0..<2).map { incr.s($0) }).then(agg).then(finished).error(err)
            let r = try huey.enqueue(chain, as: Int.self)
            for _ in 0..<3 { try h.executeNext() }
            #expect(try r.get(preserve: true) == 3)
            #expect(try r.pipelineResults[1]() == nil)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 30)
            #expect(try r() == 3)
            #expect(try r.pipelineResults() == [3, 30])
            #expect(try h.pending == 0)
            #expect(state.withLock { $0 }.isEmpty)

            // A failed member makes agg fail (its list holds an error); err handles agg.
            let r2 = try huey.enqueue(group([incr.s(1), incr.s(-1)]).then(agg).then(finished).error(err), as: Int.self)
            for _ in 0..<3 { try h.executeNext() }
            #expect(throws: TaskException.self) { try r2() }
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == -1)
            #expect(try h.pending == 0)
            #expect(state.withLock { $0 } == [99])
        }
    }
}
