import Foundation
import Huey
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_api.py` `TestChordPrimitive` cases where a member fails, is revoked,
    /// expires or returns nothing. Huey hands the callback an `Error` for a failed member and
    /// `SKIPPED` for one that never ran; here the callback gets the member's stored error
    /// envelope (`{"__huey_error__": {...}}`) and `null` (see README, "Differences from Huey").
    @Suite("test_api.py: chords whose members fail or are skipped")
    struct ChordFailures {
        let h = APIHarness()
        var huey: MemoryHuey { h.huey }

        /// `prod(n) = n + 1` that fails for `nil`, as Huey's `prod(None)` raises.
        func prod(retries: Int = 0) -> TaskWrapper<Int?, Int> {
            huey.task("prod", retries: retries) { (n: Int?) throws -> Int in
                guard let n else { throw TestError(message: "bad") }
                return n + 1
            }
        }

        /// `agg(ns) = ns`: the callback returns what it was given.
        var agg: TaskWrapper<[JSONValue], [JSONValue]> { huey.task("agg") { (ns: [JSONValue]) in ns } }

        @Test("test_chord_error — a member failing for good reports its error; the callback still runs")
        func chordError() throws {
            let prod = prod(retries: 1)
            let agg = huey.task("agg") { (ns: [JSONValue]) in ns.contains(where: isErrorEnvelope) ? -1 : 0 }
            let r = try huey.enqueue(group([prod.s(1), prod.s(nil), prod.s(2)]).then(agg), as: Int.self)
            #expect(try h.pending == 3)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [2, nil, 3])
            #expect(try h.pending == 1)  // the failed member's retry
            #expect(try h.executeNext() == nil)  // fails again, for good
            #expect(try h.pending == 1)  // now the callback
            #expect(try h.executeNext() == -1)
            #expect(try h.pending == 0)
            #expect(try r() == -1)
            #expect(try r.results[0]() == 2)
            #expect(throws: TaskException.self) { try r.results[1]() }
            #expect(try r.results[2]() == 3)
        }

        @Test("test_chord_revoked_member — a revoked member is skipped; the callback gets null in its place")
        func chordRevokedMember() throws {
            let prod = prod()
            let r = try huey.enqueue(group((0..<3).map { prod.s($0) }).then(agg), as: [JSONValue].self)
            try r.results[1].revoke()
            #expect(try h.executeNext() == 1)
            #expect(try h.executeNext() == nil)  // revoked, not run
            #expect(try h.executeNext() == 3)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == [1, nil, 3])
            #expect(try r() == [1, nil, 3])
        }

        @Test("test_chord_expired_member — an expired member is skipped; the callback gets null in its place")
        func chordExpiredMember() throws {
            let prod = prod()
            let past = h.clock.date.addingTimeInterval(-60)
            let r = try huey.enqueue(
                group([prod.s(0), prod.s(1, expires: .date(past)), prod.s(2)]).then(agg), as: [JSONValue].self)
            #expect(try h.pending == 3)
            #expect(try h.executeNext() == 1)
            #expect(try h.executeNext() == nil)  // expired, not run
            #expect(try h.executeNext() == 3)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == [1, nil, 3])
            #expect(try r() == [1, nil, 3])
        }

        @Test("test_chord_failed_and_revoked_members — value, error envelope and null, in member order")
        func chordFailedAndRevokedMembers() throws {
            let prod = prod()
            let r = try huey.enqueue(group([prod.s(1), prod.s(nil), prod.s(2)]).then(agg), as: [JSONValue].self)
            try r.results[2].revoke()
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == nil)
            #expect(try h.executeNext() == nil)
            #expect(try h.pending == 1)
            let values = try #require(try h.executeNext()?.arrayValue)
            #expect(values.count == 3)
            #expect(values[0] == 2)
            #expect(errorText(values[1]) == "TestError(bad)")
            #expect(values[2] == .null)
            #expect(try r()?.count == 3)
        }

        @Test("test_chord_bookkeeping_cleared — nothing of the chord is left in the store once read")
        func chordBookkeepingCleared() throws {
            let ident = huey.task("ident") { (n: Int) in n }
            let r = try huey.enqueue(group([ident.s(1), ident.s(2)]).then(agg), as: [JSONValue].self)
            for _ in 0..<3 { try h.executeNext() }
            #expect(try r() == [1, 2])
            #expect(try r.results() == [1, 2])
            #expect(try huey.allResults().isEmpty)  // no chord:<cid>:<idx> member keys left
        }

        @Test("test_chord_member_retry_then_success — a retried member reports its later value, not the failure")
        func chordMemberRetryThenSuccess() throws {
            let attempts = Recorded<Int>()
            let flaky = huey.task("flaky", retries: 1) { (n: Int) throws -> Int in
                attempts.append(n)
                if attempts.all.filter({ $0 == n }).count == 1 { throw TestError(message: "transient") }
                return n * 10
            }
            let sum = huey.task("sum") { (ns: [Int]) in ns.reduce(0, +) }
            let r = try huey.enqueue(group([flaky.s(1), flaky.s(2)]).then(sum), as: Int.self)
            #expect(try h.pending == 2)
            #expect(try h.executeNext() == nil)
            #expect(try h.executeNext() == nil)
            #expect(try h.pending == 2)  // both retries
            #expect(try h.executeNext() == 10)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 20)
            #expect(try h.pending == 1)  // the callback
            #expect(try h.executeNext() == 30)
            #expect(try h.pending == 0)
            #expect(try r() == 30)
            #expect(try r.results() == [10, 20])
            #expect(attempts.all.sorted() == [1, 1, 2, 2])
        }

        @Test("test_chord_error_cb — a member's on_error runs on each failed attempt; the callback after the last")
        func chordErrorCallback() throws {
            let prod = prod(retries: 1)
            let agg = huey.task("agg") { (ns: [JSONValue]) in ns.contains(where: isErrorEnvelope) ? -1 : 0 }
            let state = Recorded<String>()
            let onErr = huey.task("on_err") { (error: TaskException) in
                state.append(error.error)
                return 99
            }
            let r = try huey.enqueue(
                group([prod.s(1), prod.s(nil).error(onErr), prod.s(2)]).then(agg), as: Int.self)
            #expect(try h.pending == 3)
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == nil)
            #expect(try h.pending == 3)  // prod.s(2), the error handler, the retry
            #expect(try h.executeNext() == 3)
            #expect(try h.pending == 2)
            #expect(state.all.isEmpty)
            #expect(try h.executeNext() == 99)
            #expect(state.all == ["TestError(bad)"])
            #expect(try h.executeNext() == nil)  // the retry fails for good
            #expect(try h.pending == 2)  // the error handler again, and the chord's callback
            #expect(try h.executeNext() == 99)
            #expect(state.all == ["TestError(bad)", "TestError(bad)"])
            #expect(try h.executeNext() == -1)
            #expect(try r() == -1)
        }

        @Test("test_chord_total_failure — a callback that fails keeps its retry; its handle throws each time")
        func chordTotalFailure() throws {
            let prod = prod(retries: 1)
            let agg = huey.task("agg") { (ns: [Int?]) throws -> Int in
                guard ns.allSatisfy({ $0 != nil }) else { throw TestError(message: "bad") }
                return ns.reduce(0) { $0 + ($1 ?? 0) }
            }
            let r = try huey.enqueue(group([agg.s([nil]), agg.s([nil])]).then(prod), as: Int.self)
            #expect(try h.pending == 2)
            for _ in 0..<2 { #expect(try h.executeNext() == nil) }
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == nil)  // prod gets the two error envelopes: not an Int?
            #expect(throws: TaskException.self) { try r() }
            r.reset()
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == nil)
            #expect(try h.pending == 0)
            #expect(throws: TaskException.self) { try r() }
        }

        @Test("test_chord_member_error_callback_independent — a member's on_error and the callback both run")
        func chordMemberErrorCallbackIndependent() throws {
            let ident = huey.task("ident") { (n: Int) throws -> Int in
                if n < 0 { throw TestError(message: "bad") }
                return n
            }
            let caught = Recorded<String>()
            let onErr = huey.task("on_err") { (_: TaskException) in
                caught.append("caught")
                return "onerr"
            }
            let result = try huey.enqueue(
                group([ident.s(1), ident.s(-1).error(onErr)]).then(agg), as: [JSONValue].self)
            #expect(try h.executeNext() == 1)
            #expect(try h.executeNext() == nil)
            #expect(try h.pending == 2)  // on_err and the callback
            #expect(try h.executeNext() == "onerr")
            #expect(caught.all == ["caught"])
            try h.executeNext()
            #expect(try result.results[0].get(preserve: true) == 1)
            #expect(throws: TaskException.self) { try result.results[1]() }
            let values = try #require(try result())
            #expect(values[0] == 1)
            #expect(errorText(values[1]) == "TestError(bad)")
        }

        @Test("test_chord_pipeline_member_tail_fails — a member pipeline's failed last stage reports its error")
        func chordPipelineMemberTailFails() throws {
            let step1 = huey.task("step1") { (n: Int) in n }
            let step2 = huey.task("step2") { (_: Int) throws -> Int in throw TestError(message: "step2 fail") }
            let r = try huey.enqueue(
                group([step1.s(1).then(step2), step1.s(2).then(step2)]).then(agg), as: [JSONValue].self)
            #expect(try h.executeNext() == 1)
            #expect(try h.executeNext() == 2)
            try h.executeNext()
            try h.executeNext()
            #expect(try h.pending == 1)
            try h.executeNext()
            let values = try #require(try r())
            #expect(values.map(errorText) == ["TestError(step2 fail)", "TestError(step2 fail)"])
        }

        @Test("test_chord_pipeline_member_head_fails — a failed first stage reports for its pipeline; later stages never run")
        func chordPipelineMemberHeadFails() throws {
            let step1 = huey.task("step1") { (_: Int) throws -> Int in throw TestError(message: "step1 fail") }
            let step2 = huey.task("step2") { (n: Int) in n * 2 }
            let r = try huey.enqueue(
                group([step1.s(1).then(step2), step1.s(2).then(step2)]).then(agg), as: [JSONValue].self)
            try h.executeNext()
            try h.executeNext()
            #expect(try h.pending == 1)
            try h.executeNext()
            let values = try #require(try r())
            #expect(values.map(errorText) == ["TestError(step1 fail)", "TestError(step1 fail)"])
        }

        @Test("test_chord_pipeline_member_head_revoked — a revoked first stage is skipped for its whole pipeline")
        func chordPipelineMemberHeadRevoked() throws {
            let step1 = huey.task("step1") { (n: Int) in n }
            let step2 = huey.task("step2") { (n: Int) in n * 2 }
            let m1 = step1.s(1).then(step2)
            let m2 = step1.s(2).then(step2)
            let r = try huey.enqueue(group([m1, m2]).then(agg), as: [JSONValue].self)
            try huey.revoke(id: m1.id)  // the head of the first member
            #expect(try h.executeNext() == nil)  // revoked, not run
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == 4)
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == [nil, 4])
            #expect(try r() == [nil, 4])
        }

        @Test("test_chord_return_none — members returning nothing give null, the callback still runs")
        func chordReturnNone() throws {
            let ident = huey.task("ident") { (v: Int?) in v }
            let r = try huey.enqueue(group([ident.s(1), ident.s(nil), ident.s(nil)]).then(agg), as: [JSONValue].self)
            #expect(try (0..<3).map { _ in try h.executeNext() } == [1, nil, nil])
            #expect(try h.executeNext() == [1, nil, nil])
            #expect(try r() == [1, nil, nil])
        }
    }
}

/// Whether a chord member's value is a failed member's error envelope (Huey's `Error`).
private func isErrorEnvelope(_ value: JSONValue) -> Bool {
    value.objectValue?["__huey_error__"] != nil
}

/// The error text in a failed member's envelope (Huey's `err.metadata['error']`).
private func errorText(_ value: JSONValue) -> String? {
    value.objectValue?["__huey_error__"]?.objectValue?["error"]?.stringValue
}
