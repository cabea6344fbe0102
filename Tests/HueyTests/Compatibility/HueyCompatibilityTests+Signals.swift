import Foundation
import Huey
import Synchronization
import Testing

extension HueyCompatibilityTests {
    @Suite("test_signals.py")
    struct Signals {
        let bench = CompatibilityBench()
        let log: SignalRecorder
        var huey: MemoryHuey { bench.huey }

        init() { log = SignalRecorder(bench.huey) }

        @Test("test_signals_simple — enqueued; executing, complete; executing, error")
        func simple() throws {
            let task = huey.task("task_a") { (n: Int?) throws -> Int in
                guard let n else { throw TestError(message: "none") }
                return n + 1
            }
            _ = try task(3)
            #expect(log.take() == [.enqueued])
            try bench.executeNext()
            #expect(log.take() == [.executing, .complete])
            // Difference from Huey: schedule() writes straight to the schedule (`scheduled`
            // at once) where Huey enqueues (`enqueued`) and its consumer then schedules.
            _ = try task.schedule(args: 2, delay: 60)
            #expect(log.take() == [.scheduled])
            _ = try task(nil)
            #expect(log.take() == [.enqueued])
            try bench.executeNext()
            #expect(log.take() == [.executing, .error])
        }

        @Test("test_signal_complete_result_ready — a complete handler can read the result")
        func completeResultReady() throws {
            let task = huey.task("task_a") { (n: Int) in n + 1 }
            let seen = Mutex<[Int?]>([])
            let huey = self.huey
            huey.signal(.complete) { _, call, _ in
                let value = try? huey.result(id: call.id, as: Int.self)
                seen.withLock { $0.append(value ?? nil) }
            }
            _ = try task(2)
            try bench.executeNext()
            #expect(seen.withLock { $0 } == [3])
        }

        @Test("test_signals_on_retry — error, retrying, then enqueued (or scheduled with a delay)")
        func onRetry() throws {
            let a = huey.task("task_a", retries: 1) { () throws -> Int in throw TestError(message: "a") }
            _ = try a()
            #expect(log.take() == [.enqueued])
            try bench.executeNext()
            #expect(log.take() == [.executing, .error, .retrying, .enqueued])
            try bench.executeNext()
            #expect(log.take() == [.executing, .error])

            let b = huey.task("task_b", retries: 1, retryDelay: 60) { () throws -> Int in throw TestError(message: "b") }
            _ = try b()
            #expect(log.take() == [.enqueued])
            try bench.executeNext()
            #expect(log.take() == [.executing, .error, .retrying, .scheduled])
        }

        @Test("test_signals_locked — executing, locked")
        func locked() throws {
            let huey = self.huey
            let task = huey.task("task_a") { (n: Int) throws -> Int in try huey.lockTask("lock-a") { n + 1 } }
            _ = try task(1)
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .complete])
            try huey.lockTask("lock-a") {
                _ = try task(2)
                try bench.executeNext()
            }
            #expect(log.take() == [.enqueued, .executing, .locked])
        }

        @Test("test_signals_ratelimit — rate_limited, then retrying and scheduled when it retries")
        func rateLimit() throws {
            let huey = self.huey
            let a = huey.task("task_a") { () throws -> Int in try huey.rateLimit("rl", limit: 1, per: 60) { 1 } }
            _ = try a()
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .complete])
            _ = try a()
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .rateLimited, .retrying, .scheduled])
            let b = huey.task("task_b") { () throws -> Int in
                try huey.rateLimit("rl", limit: 1, per: 60, retry: false) { 1 }
            }
            _ = try b()
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .rateLimited])
        }

        @Test("test_signals_chord — the callback's enqueued comes after the last member's complete")
        func chord() throws {
            let prod = huey.task("prod") { (n: Int) in n + 1 }
            let agg = huey.task("agg") { (values: [Int]) in values.reduce(0, +) }
            let result = try huey.enqueue(group([prod.s(1), prod.s(2)]).then(agg), as: Int.self)
            #expect(log.take() == [.enqueued, .enqueued])
            for _ in 0..<3 { try bench.executeNext() }
            #expect(try result() == 5)
            #expect(
                log.take() == [.executing, .complete, .executing, .complete, .enqueued, .executing, .complete])
        }

        @Test("test_signals_chord_error — a failed member still completes the chord")
        func chordError() throws {
            let bad = huey.task("bad") { () throws -> Int in throw TestError(message: "fail") }
            let combine = huey.task("combine") { (values: [JSONValue]) in values.count }
            try huey.enqueue(group([bad.s()]).then(combine))
            try bench.executeNext()
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .error, .enqueued, .executing, .complete])
        }

        @Test("test_signals_revoked — revoked instead of executing; a lock held elsewhere: executing, locked")
        func revoked() throws {
            let task = huey.task("task_a") { (n: Int) in n + 1 }
            try task.revoke(once: true)
            _ = try task(2)
            #expect(log.take() == [.enqueued])
            try bench.executeNext()
            #expect(log.take() == [.revoked])
            _ = try task(3)
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .complete])

            let huey = self.huey
            let locked = huey.task("task_l") { (n: Int) throws -> Int in try huey.lockTask("lock-a") { n + 1 } }
            _ = try locked(1)
            #expect(log.take() == [.enqueued])
            try bench.executeNext()
            #expect(log.take() == [.executing, .complete])
            try huey.lockTask("lock-a") {
                _ = try locked(2)
                #expect(log.take() == [.enqueued])
                try bench.executeNext()
                #expect(log.take() == [.executing, .locked])
            }
        }

        @Test("test_signal_expired — expired instead of executing")
        func expired() throws {
            let task = huey.task("task_a", expires: .seconds(10)) { (n: Int) in n + 1 }
            _ = try task(2)
            #expect(log.take() == [.enqueued])
            bench.clock.advance(15)
            try bench.executeNext()
            #expect(log.take() == [.expired])
            _ = try task(3)
            #expect(log.take() == [.enqueued])
            try bench.executeNext()
            #expect(log.take() == [.executing, .complete])
        }

        @Test("test_signal_timeout — a cooperative timeout sends timeout")
        func timeout() throws {
            let task = huey.task("timeout", timeout: 0.001, context: true) { (task: TaskContext) throws in
                usleep(10_000)  // past the 1 ms deadline, as Huey's time.sleep(0.01)
                try task.checkTimeout()
            }
            _ = try task()
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .timeout])
        }

        @Test("pre-execute CancelExecution: executing (before the hooks, as Huey) then canceled")
        func canceledByHook() throws {
            let task = huey.task("task_a") { (n: Int) in n }
            huey.preExecute("cancel") { _ in throw CancelExecution() }
            _ = try task(1)
            try bench.executeNext()
            #expect(log.take() == [.enqueued, .executing, .canceled])
        }

        @Test("the scheduler moving a due call signals enqueued, as Huey's scheduler enqueueing it")
        func schedulerEnqueued() throws {
            let task = huey.task("task_a") { (n: Int) in n }
            _ = try task.schedule(args: 1, delay: 10)
            bench.clock.advance(10)
            try huey.enqueueDueScheduled()
            #expect(log.take() == [.scheduled, .enqueued])
        }
    }
}

/// Records signals in order, like test_signals.py's `_state`; `take()` is its `assertSignals`.
final class SignalRecorder: Sendable {
    private let entries = Mutex<[HueySignal]>([])

    init(_ huey: Huey) {
        huey.signal { [self] signal, _, _ in self.entries.withLock { $0.append(signal) } }
    }

    /// The signals so far, then forgets them.
    func take() -> [HueySignal] {
        entries.withLock { entries in
            defer { entries.removeAll() }
            return entries
        }
    }
}
