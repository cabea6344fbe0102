import Foundation
import Huey
import Synchronization
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_api.py` cases about hooks, periodic tasks, rate limits and the
    /// key-value store, and the `disconnect_signal` cases of `tests/test_signals.py`.
    @Suite("test_api.py: hooks, periodic tasks, rate limits")
    struct Hooks {
        let h = APIHarness()
        var huey: MemoryHuey { h.huey }

        @Test("test_task_hooks — pre-execute may cancel; post-execute sees the value or the error")
        func taskHooks() throws {
            struct TypeError: Error {}
            let taskA = huey.task("task_a") { (n: Int) throws -> Int in
                if n < 0 { throw TypeError() }
                return n + 1
            }
            let allow = Mutex(true)
            let pre = Mutex<[String]>([])
            let post = Mutex<[String]>([])
            huey.preExecute("pre_execute_cancel") { _ in
                if !allow.withLock({ $0 }) { throw CancelExecution() }
            }
            huey.preExecute("pre_execute") { call in pre.withLock { $0.append(call.id) } }
            huey.postExecute("post_execute") { call, value, error in
                let errorType = error.map { "\(type(of: $0))" } ?? "nil"
                post.withLock { $0.append("\(call.id) \(value.map { "\($0)" } ?? "nil") \(errorType)") }
            }
            let result = try taskA(3)
            #expect(try h.executeNext() == 4)
            #expect(pre.withLock { $0 } == [result.id])
            #expect(post.withLock { $0 } == ["\(result.id) 4 nil"])

            try taskA(5)
            allow.withLock { $0 = false }
            #expect(try h.executeNext() == nil)
            #expect(pre.withLock { $0 }.count == 1)
            #expect(post.withLock { $0 }.count == 1)

            allow.withLock { $0 = true }
            let failing = try taskA(-1)
            #expect(try h.executeNext() == nil)
            #expect(pre.withLock { $0 } == [result.id, failing.id])
            #expect(post.withLock { $0 } == ["\(result.id) 4 nil", "\(failing.id) nil TypeError"])
        }

        @Test("test_hook_unregister — unregistering says whether there was a hook")
        func hookUnregister() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let pre = Mutex<[String]>([])
            let post = Mutex<[String]>([])
            huey.preExecute("test_pre_exec") { call in pre.withLock { $0.append(call.id) } }
            huey.postExecute("test_post_exec") { call, _, _ in post.withLock { $0.append(call.id) } }
            let r = try taskA(3)
            #expect(try h.executeNext() == 4)
            #expect(pre.withLock { $0 } == [r.id] && post.withLock { $0 } == [r.id])
            #expect(huey.unregisterPreExecute("test_pre_exec"))
            #expect(huey.unregisterPostExecute("test_post_exec"))
            try taskA(4)
            #expect(try h.executeNext() == 5)
            #expect(pre.withLock { $0 }.count == 1 && post.withLock { $0 }.count == 1)
            #expect(!huey.unregisterPreExecute("test_pre_exec"))
            #expect(!huey.unregisterPostExecute("test_post_exec"))
        }

        @Test("test_task_hook_errors — a hook that throws is logged; the other hooks and the task go on")
        func taskHookErrors() throws {
            struct Flaky: Error {}
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let pre = Mutex<[String]>([])
            let post = Mutex<[String]>([])
            huey.preExecute("test_pre_exec1") { _ in throw Flaky() }
            huey.preExecute("test_pre_exec2") { call in pre.withLock { $0.append(call.id) } }
            huey.postExecute("test_post_exec1") { _, _, _ in throw Flaky() }
            huey.postExecute("test_post_exec2") { call, _, _ in post.withLock { $0.append(call.id) } }
            let r = try taskA(3)
            #expect(try h.executeNext() == 4)
            #expect(try r() == 4)
            #expect(pre.withLock { $0 } == [r.id])
            #expect(post.withLock { $0 } == [r.id])
        }

        @Test("test_specific_handler (test_signals.py) — disconnectSignal(handler, .executing)")
        func specificHandler() throws {
            let all = Mutex<[HueySignal]>([])
            let extra = Mutex<[Int]>([])
            huey.signal { signal, _, _ in all.withLock { $0.append(signal) } }
            let extraHandler = huey.signal(.executing) { _, call, _ in
                extra.withLock { $0.append(call.args[0].intValue ?? -1) }
            }
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            func expectSignals(_ expected: [HueySignal], sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(all.withLock { $0 } == expected, sourceLocation: sourceLocation)
                all.withLock { $0.removeAll() }
            }
            try taskA(3)
            #expect(extra.withLock { $0 }.isEmpty)
            #expect(try h.executeNext() == 4)
            #expect(extra.withLock { $0 } == [3])
            expectSignals([.enqueued, .executing, .complete])
            try taskA(1)
            #expect(try h.executeNext() == 2)
            #expect(extra.withLock { $0 } == [3, 1])
            expectSignals([.enqueued, .executing, .complete])

            huey.disconnectSignal(extraHandler, .executing)
            try taskA(2)
            #expect(try h.executeNext() == 3)
            #expect(extra.withLock { $0 } == [3, 1])
            expectSignals([.enqueued, .executing, .complete])
        }

        @Test("test_multi_handlers (test_signals.py) — disconnect one signal of a handler, or all of another")
        func multiHandlers() throws {
            let state1 = Mutex<[HueySignal]>([])
            let state2 = Mutex<[HueySignal]>([])
            let handler1 = huey.signal(.executing, .complete) { signal, _, _ in state1.withLock { $0.append(signal) } }
            let handler2 = huey.signal(.executing, .complete) { signal, _, _ in state2.withLock { $0.append(signal) } }
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            try taskA(1)
            #expect(try h.executeNext() == 2)
            #expect(state1.withLock { $0 } == [.executing, .complete])
            #expect(state2.withLock { $0 } == [.executing, .complete])

            huey.disconnectSignal(handler1, .complete)
            huey.disconnectSignal(handler2)
            try taskA(2)
            #expect(try h.executeNext() == 3)
            #expect(state1.withLock { $0 } == [.executing, .complete, .executing])
            #expect(state2.withLock { $0 } == [.executing, .complete])
        }

        @Test("disconnectSignal on a handler of every signal stops it hearing just that signal")
        func disconnectFromEverySignal() throws {
            let heard = Mutex<[HueySignal]>([])
            let handler = huey.signal { signal, _, _ in heard.withLock { $0.append(signal) } }
            huey.disconnectSignal(handler, .enqueued)
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            try taskA(1)
            try h.executeNext()
            #expect(heard.withLock { $0 } == [.executing, .complete])
        }

        @Test("test_periodic_task — a periodic task returning a value; its calls carry its options")
        func periodicTask() throws {
            let taskP = huey.periodicTask("task_p", try crontab(minute: "1")) { 123 }
            let call = taskP.s()
            #expect(call.retries == 0 && call.retryDelay == 0)
            #expect(try taskP.callLocal() == 123)
            let taskP2 = huey.periodicTask("task_p2", try crontab(), retries: 3, retryDelay: 10) {}
            let call2 = taskP2.s()
            #expect(call2.retries == 3 && call2.retryDelay == 10)
        }

        @Test("test_call_periodic_task — called directly it runs, but its result is not stored")
        func callPeriodicTask() throws {
            let taskP = huey.periodicTask("task_p", try crontab(minute: "1")) { 123 }
            let res = try taskP()
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 123)
            #expect(try res() == nil)
            #expect(try huey.resultCount == 0)
        }

        @Test("periodic_task(context=True) (api.py) — the closure gets its TaskContext and may return a value")
        func periodicTaskWithContext() throws {
            let seen = Mutex<[String]>([])
            let taskP = huey.periodicTask("task_p", try crontab(), retries: 2, context: true) { (task: TaskContext) in
                seen.withLock { $0.append(task.id) }
                return task.retries
            }
            #expect(try taskP.callLocal() == 2)
            #expect(try huey.enqueuePeriodicTasks(at: h.clock.date) == ["task_p"])
            #expect(try h.executeNext() == 2)
            #expect(seen.withLock { $0 }.count == 2)
            #expect(try huey.resultCount == 0)
        }

        @Test("test_dynamic_periodic_tasks — a task may register periodic tasks (thread workers only, as Huey)")
        func dynamicPeriodicTasks() throws {
            let huey = self.huey
            let makePeriodic = huey.task("make_ptask") { (everyN: Int) throws in
                huey.periodicTask("ptask_\(everyN)", try crontab(minute: "*/\(everyN)")) {}
            }
            _ = try makePeriodic(5)
            _ = try makePeriodic(10)
            func expectPeriodic(_ minute: Int, _ names: [String]) throws {
                var parts = DateComponents(year: 2019, month: 1, day: 1, hour: 0, minute: minute)
                parts.timeZone = TimeZone(identifier: "UTC")
                let date = try #require(Calendar(identifier: .gregorian).date(from: parts))
                #expect(try huey.enqueuePeriodicTasks(at: date).sorted() == names)
                try huey.storage.flushQueue()
            }
            let queued = try huey.pending()
            try huey.storage.flushQueue()
            try expectPeriodic(0, [])
            for call in queued { try huey.enqueue(call) }
            try h.executeNext()
            try h.executeNext()
            try expectPeriodic(0, ["ptask_10", "ptask_5"])
            try expectPeriodic(5, ["ptask_5"])
            try expectPeriodic(6, [])
        }

        @Test("test_read_periodic — which periodic tasks a minute enqueues")
        func readPeriodic() throws {
            huey.periodicTask("work", try crontab(minute: "*/15", hour: "9-17")) {}
            huey.periodicTask("sleep", try crontab(minute: "0", hour: "21")) {}
            huey.periodicTask("first_half", try crontab(minute: "0-30")) {}
            func expectPeriodic(_ hour: Int, _ minute: Int, _ names: [String]) throws {
                var parts = DateComponents(year: 2000, month: 1, day: 1, hour: hour, minute: minute)
                parts.timeZone = TimeZone(identifier: "UTC")
                let date = try #require(Calendar(identifier: .gregorian).date(from: parts))
                #expect(try huey.enqueuePeriodicTasks(at: date).sorted() == names.sorted())
            }
            try expectPeriodic(0, 0, ["first_half"])
            try expectPeriodic(23, 59, [])
            try expectPeriodic(9, 0, ["work", "first_half"])
            try expectPeriodic(9, 45, ["work"])
            try expectPeriodic(9, 46, [])
            try expectPeriodic(21, 0, ["sleep", "first_half"])
            try expectPeriodic(21, 30, ["first_half"])
            try expectPeriodic(21, 31, [])
        }

        @Test("test_rate_limit — RateLimitExceeded names the limit, the wait, and whether to retry")
        func rateLimit() throws {
            let rl = huey.rateLimit("test", limit: 3, per: 60)
            for _ in 0..<3 { try rl.acquire() }
            let exceeded = try #require(throws: RateLimitExceeded.self) { try rl.acquire() }
            #expect(exceeded.name == "test")
            #expect(exceeded.delay > 0 && exceeded.delay <= 60)
            #expect(exceeded.retry)

            let rl2 = huey.rateLimit("test2", limit: 1, per: 60, retry: false)
            try rl2.acquire()
            let exceeded2 = try #require(throws: RateLimitExceeded.self) { try rl2.acquire() }
            #expect(exceeded2.name == "test2")
            #expect(exceeded2.delay > 0 && exceeded2.delay <= 60)
            #expect(!exceeded2.retry)
        }

        @Test("test_reset — reset() starts a fresh window")
        func rateLimitReset() throws {
            let rl = huey.rateLimit("test", limit: 1, per: 60)
            try rl.acquire()
            #expect(throws: RateLimitExceeded.self) { try rl.acquire() }
            #expect(try rl.currentUsage == 2)
            try rl.reset()
            #expect(try rl.currentUsage == 0)
            try rl.acquire()
        }

        @Test("test_ctx_decorator — a RateLimit runs a body, like Huey's decorator and context manager")
        func rateLimitBody() throws {
            let rl = huey.rateLimit("test", limit: 2, per: 60)
            #expect(try rl { true })
            #expect(try huey.rateLimit("test", limit: 2, per: 60) { true })
            #expect(throws: RateLimitExceeded.self) { try rl { true } }
        }

        @Test("test_put_get and Huey.delete — put, get, peek and delete a key")
        func putGetDelete() throws {
            try huey.put("key", "v1")
            #expect(try huey.get("key", as: String.self) == "v1")
            try huey.put("key", [0, 1, 2])
            #expect(try huey.get("key", as: [Int].self, peek: true) == [0, 1, 2])
            #expect(try huey.delete("key"))
            #expect(try !huey.delete("key"))
            #expect(try huey.get("key", as: [Int].self) == nil)
        }
    }
}
