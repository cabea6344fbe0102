import Foundation
import Huey
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_api.py` `TestTaskChaining`, `TestRateLimit` (rate limits inside a
    /// task), `TestStoreIntermediateErrors` and `TestStorageWrappers` cases not ported elsewhere.
    @Suite("test_api.py: pipelines, rate-limited tasks, storage wrappers")
    struct Chaining {
        let h = APIHarness()
        var huey: MemoryHuey { h.huey }

        /// Huey's `assertPipe`: runs a pipeline stage by stage (one call queued at a time) and
        /// reads every stage's value.
        func assertPipe(_ pipeline: TaskCall, _ expected: [Int], sourceLocation: SourceLocation = #_sourceLocation)
            throws
        {
            let results = try huey.enqueue(pipeline, as: Int.self)
            for _ in 0..<results.count {
                #expect(try h.pending == 1, sourceLocation: sourceLocation)
                try h.executeNext()
            }
            #expect(try h.pending == 0, sourceLocation: sourceLocation)
            #expect(try results.map { try $0() } == expected, sourceLocation: sourceLocation)
        }

        @Test("test_pipeline_tuple — a Spread result (Huey's tuple) fills the next stage's arguments")
        func pipelineTuple() throws {
            let fib = huey.task("fib") { (a: Int, b: Int) in Spread(a + b, a) }
            let results = try huey.enqueue(fib.s(1, 1).then(fib).then(fib).then(fib), as: [Int].self)
            for _ in 0..<4 {
                #expect(try h.pending == 1)
                try h.executeNext()
            }
            #expect(try results.map { try $0() } == [[2, 1], [3, 2], [5, 3], [8, 5]])
        }

        @Test("test_pipeline_dict — a dictionary result fills the next stage's keyword arguments (argumentNames)")
        func pipelineDict() throws {
            let stateful = huey.task("stateful", argumentNames: ["v1", "v2", "v3"]) { (v1: Int?, v2: Int?, v3: Int?) in
                ["v1": v1.map { $0 + 1 } ?? 0, "v2": v2.map { $0 + 2 } ?? 0, "v3": v3.map { $0 + 3 } ?? 0]
            }
            func run(_ pipeline: TaskCall) throws -> [[String: Int]?] {
                let results = try huey.enqueue(pipeline, as: [String: Int].self)
                for _ in 0..<results.count {
                    #expect(try h.pending == 1)
                    try h.executeNext()
                }
                return try results.map { try $0() }
            }
            // Swift closures have no default values: the first stage passes nil for Huey's None.
            #expect(try run(stateful.s(nil, nil, nil).then(stateful).then(stateful)) == [
                ["v1": 0, "v2": 0, "v3": 0], ["v1": 1, "v2": 2, "v3": 3], ["v1": 2, "v2": 4, "v3": 6],
            ])
            // A stage's own keywords win over the previous stage's dictionary (Huey's setdefault).
            let pipeline = stateful.s(4, nil, nil)
                .then(TaskCall(name: "stateful", kwargs: ["v2": 6]))
                .then(TaskCall(name: "stateful", kwargs: ["v2": 1, "v3": 8]))
            #expect(try run(pipeline) == [
                ["v1": 5, "v2": 0, "v3": 0], ["v1": 6, "v2": 8, "v3": 3], ["v1": 7, "v2": 3, "v3": 11],
            ])
        }

        @Test("test_partial — a stage's own arguments come first, the previous value last")
        func partial() throws {
            let add = huey.task("add") { (a: Int, b: Int) in a + b }
            let mul = huey.task("mul") { (a: Int, b: Int) in a * b }
            try assertPipe(add.s(1, 2).then(add, 3).then(add, 4).then(add, 5), [3, 6, 10, 15])
            try assertPipe(add.s(1, 2).then(mul, 4).then(add, -5).then(mul, 3).then(add, 8), [3, 12, 7, 21, 29])
        }

        @Test("test_mixed_tasks_instances — then() takes a task or a call made with s()")
        func mixedTasksInstances() throws {
            let add = huey.task("add") { (a: Int, b: Int) in a + b }
            let mul = huey.task("mul") { (a: Int, b: Int) in a * b }
            let p1 = add.s(1, 2).then(add.makeCall(partialArguments: [3]))
            let p2 = p1.then(mul.makeCall(partialArguments: [4])).then(mul, 5)
            try assertPipe(p2, [3, 6, 24, 120])
        }

        @Test("test_error_callback — the handler gets the error and runs as its own call")
        func errorCallback() throws {
            let state = Recorded<String>()
            let taskA = huey.task("task_a") { (n: Int) throws -> Int in throw TestError(message: "\(n)") }
            let taskE = huey.task("task_e") { (error: TaskException) in
                state.append(error.error)
                return 1337
            }
            let result = try huey.enqueue(taskA.s(0).error(taskE), as: Int.self)[0]
            #expect(try h.executeNext() == nil)
            #expect(throws: TaskException.self) { try result() }
            #expect(try h.pending == 1)
            #expect(try h.executeNext() == 1337)
            #expect(state.all == ["TestError(0)"])
        }

        @Test("test_pipeline_revoke_midway — a revoked stage does not run and stops the pipeline; its revocation is used up")
        func pipelineRevokeMidway() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            let results = try huey.enqueue(taskA.s(1).then(taskA).then(taskA).then(taskA), as: Int.self)
            let r3 = results[2]
            try r3.revoke()
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == 3)
            #expect(try r3.isRevoked())
            #expect(try h.executeNext() == nil)
            #expect(try h.pending == 0)
            #expect(try !r3.isRevoked())  // cleared when it was handled
        }

        @Test("test_retry_then_success (TestStoreIntermediateErrors) — with it off, no reset() is needed for the later value")
        func retryThenSuccessWithheld() throws {
            huey.storeIntermediateErrors = false
            let state = Recorded<Int>()
            let taskA = huey.task("task_a", retries: 2) { () throws -> String in
                state.append(1)
                if state.all.count == 1 { throw TestError(message: "boom") }
                return "ok"
            }
            let r = try taskA()
            #expect(try h.executeNext() == nil)
            #expect(try huey.resultCount == 0)
            #expect(try r() == nil)
            #expect(try h.executeNext() == "ok")
            #expect(try r() == "ok")
            #expect(try h.pending == 0)
        }

        @Test("test_execution (TestRateLimit) — a refused call is retried without using a retry, unless retry: false")
        func rateLimitedExecution() throws {
            let huey = self.huey
            let limit = huey.rateLimit("test", limit: 2, per: 60)
            let test = huey.task("test") { (n: Int) throws -> Int in try limit { n + 1 } }
            _ = try test(1)
            _ = try test(2)
            let r3 = try test(3)
            #expect(try h.executeNext() == 2)
            #expect(try h.executeNext() == 3)
            #expect(try huey.scheduledCount == 0)
            #expect(try h.executeNext() == nil)
            #expect(try huey.scheduledCount == 1)
            #expect(try r3() == nil)  // will be retried, nothing stored
            #expect(try huey.scheduled().map(\.retries) == [0])  // no retry used
            try huey.storage.flushSchedule()

            let r4 = try test(4, retries: 2)
            #expect(try h.executeNext() == nil)
            #expect(try r4() == nil)
            #expect(try huey.scheduled().map(\.retries) == [2])  // kept, not decremented
            try huey.storage.flushSchedule()

            let limit2 = huey.rateLimit("test", limit: 2, per: 60, retry: false)
            let test2 = huey.task("test2") { (n: Int) throws -> Int in try limit2 { n + 1 } }
            let r5 = try test2(5)
            #expect(try h.executeNext() == nil)
            let failure = try #require(throws: TaskException.self) { try r5() }
            #expect(failure.type == "RateLimitExceeded")
            #expect(try huey.scheduledCount == 0)

            let r6 = try test2(6, retries: 2, retryDelay: 600)
            #expect(try h.executeNext() == nil)
            #expect(try r6() == nil)  // a refusal stores nothing while a retry is pending
            let retry = try #require(try huey.scheduled().first)
            #expect(retry.retries == 1)  // decremented
            #expect(retry.retryDelay == 600)
        }

        @Test("test_task_with_retries (TestRateLimit) — a task's retries and delay are kept on a refusal that retries")
        func rateLimitedTaskWithRetries() throws {
            let huey = self.huey
            let limit = huey.rateLimit("test", limit: 1, per: 60)
            let test = huey.task("test", retries: 2, retryDelay: 10) { (n: Int) throws -> Int in try limit { n + 1 } }
            _ = try test(1)
            _ = try test(2)
            #expect(try h.executeNext() == 2)
            #expect(try huey.scheduledCount == 0)
            #expect(try h.executeNext() == nil)
            let kept = try #require(try huey.scheduled().first)
            #expect(kept.retries == 2 && kept.retryDelay == 10)
            try huey.storage.flushSchedule()

            let limit2 = huey.rateLimit("test", limit: 1, per: 60, retry: false)
            let test2 = huey.task("test2", retries: 2, retryDelay: 10) { (n: Int) throws -> Int in try limit2 { n + 1 } }
            _ = try test2(1)
            #expect(try h.executeNext() == nil)
            let decremented = try #require(try huey.scheduled().first)
            #expect(decremented.retries == 1 && decremented.retryDelay == 10)
        }

        @Test("test_read_schedule — reading the schedule up to a time takes the due calls out, in eta order")
        func readSchedule() throws {
            let taskA = huey.task("task_a") { (n: Int) in n }
            let timestamp = h.clock.date.addingTimeInterval(86_400)
            let rn1 = try taskA.schedule(args: -1, eta: timestamp.addingTimeInterval(-1))
            let r0 = try taskA.schedule(args: 0, eta: timestamp)
            let rp1 = try taskA.schedule(args: 1, eta: timestamp.addingTimeInterval(1))
            // Written straight to the schedule (see README, "Differences from Huey").
            #expect(try huey.scheduledCount == 3)
            #expect(try h.pending == 0)
            func read(_ date: Date) throws -> [String] {
                try huey.storage.readSchedule(timestamp: date.timeIntervalSince1970).map {
                    try JSONCodec.decode(Message.self, from: $0).id
                }
            }
            #expect(try read(timestamp) == [rn1.id, r0.id])
            #expect(try read(timestamp).isEmpty)  // reading is destructive
            #expect(try read(timestamp.addingTimeInterval(86_400 * 365)) == [rp1.id])
            #expect(try h.pending == 0)
            #expect(try huey.resultCount == 0)
            #expect(try huey.scheduledCount == 0)
        }

        @Test("test_storage_wrappers — pending(), scheduled() and allResults() list what the storage holds")
        func storageWrappers() throws {
            let taskA = huey.task("task_a") { (n: Int) in n + 1 }
            #expect(try huey.pending().isEmpty)
            #expect(try huey.scheduled().isEmpty)
            #expect(try huey.allResults().isEmpty)
            let r1 = try taskA(1)
            let r2 = try taskA.schedule(args: 2, delay: 60)
            let r3 = try taskA(3)
            // A delayed call is written straight to the schedule (see README, "Differences
            // from Huey"); Huey lists it as pending until a worker moves it.
            #expect(try huey.pending().map(\.id) == [r1.id, r3.id])
            #expect(try huey.scheduled().map(\.id) == [r2.id])
            #expect(try huey.allResults().isEmpty)
            try h.executeNext()
            #expect(try huey.pending().map(\.id) == [r3.id])
            #expect(try huey.scheduled().map(\.id) == [r2.id])
            #expect(try Array(huey.allResults().keys) == [r1.id])
        }
    }
}
