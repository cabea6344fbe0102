import Foundation
import Huey
import Synchronization
import Testing

/// A Huey over memory storage with a hand-moved clock, driven like Huey's `BaseTestCase`:
/// `executeNext()` is its `execute_next()`.
struct CompatibilityBench {
    let huey: MemoryHuey
    let clock = TestClock()
    let owner = ClaimOwner.current

    init(storeNone: Bool = false) {
        huey = MemoryHuey(name: "compat", storeNone: storeNone)
        clock.install(on: huey)
    }

    /// Runs the next queued call; false when the queue was empty.
    @discardableResult
    func executeNext() throws -> Bool { try huey.processNext(owner: owner, in: huey.storage) }

    /// The error a failed call's handle throws.
    func trap<R>(_ result: TaskResult<R>) throws -> TaskException {
        do {
            _ = try result()
        } catch let failure as TaskException {
            return failure
        }
        Issue.record("\(result.id) did not throw a TaskException")
        throw CancellationError()
    }
}

/// A test error whose description is Huey's `repr` of its `TestError`.
struct TestError: Error, CustomStringConvertible {
    let message: String
    var description: String { "TestError(\(message))" }
}

extension HueyCompatibilityTests {
    @Suite("test_api.py: expiry, errors and retries")
    struct Execution {
        let bench = CompatibilityBench()
        var huey: MemoryHuey { bench.huey }
        var clock: TestClock { bench.clock }

        @Test("test_scheduling_expires — a relative expiry counts from the scheduler moving the call")
        func schedulingExpires() throws {
            let add = huey.task("add") { (n: Int) in n + 1 }
            // The guide: "must be run within 60 seconds once enqueued", enqueued in an hour.
            let result = try add.schedule(args: 3, delay: 3600, expires: 60)
            clock.advance(3600)
            #expect(try huey.enqueueDueScheduled() == 1)
            clock.advance(30)
            #expect(try bench.executeNext())
            #expect(try result() == 4)

            let late = try add.schedule(args: 5, delay: 3600, expires: 60)
            clock.advance(3600)
            #expect(try huey.enqueueDueScheduled() == 1)
            clock.advance(61)
            #expect(try bench.executeNext())
            #expect(try late() == nil)  // expired: nothing ran, nothing stored
        }

        @Test("test_expires — a retry re-resolves a relative expiry; an absolute one stays")
        func retryReresolvesExpiry() throws {
            let runs = Mutex(0)
            let flaky = huey.task("flaky", retries: 1, retryDelay: 100, expires: 10) { () throws -> Int in
                let run = runs.withLock { $0 += 1; return $0 }
                if run == 1 { throw TestError(message: "first") }
                return run
            }
            let result = try flaky()
            #expect(try bench.executeNext())
            clock.advance(100)
            #expect(try huey.enqueueDueScheduled() == 1)
            #expect(try bench.executeNext())
            result.reset()
            #expect(try result() == 2)

            let absolute = try flaky(expires: .date(clock.date.addingTimeInterval(50)))
            runs.withLock { $0 = 0 }
            #expect(try bench.executeNext())
            clock.advance(100)
            #expect(try huey.enqueueDueScheduled() == 1)
            #expect(try bench.executeNext())
            absolute.reset()
            #expect(throws: TaskException.self) { try absolute() }  // the first error: the retry expired
            #expect(runs.withLock { $0 } == 1)
        }

        @Test("test_retry — the error is stored on every failed attempt; a read error is cached; reset() re-reads")
        func retry() throws {
            let counter = Mutex(0)
            let task = huey.task("task_a", retries: 1) { (n: Int) throws -> Int in
                if n < 0 { throw TestError(message: "\(counter.withLock { $0 += 1; return $0 })") }
                return n + 1
            }
            let ok = try task(1)
            try bench.executeNext()
            #expect(try ok() == 2)

            let r = try task(-1)
            try bench.executeNext()
            var failure = try bench.trap(r)
            #expect(failure.error == "TestError(1)")
            #expect(failure.retries == 1)
            #expect(try huey.pendingCount == 1)
            #expect(try huey.resultCount == 0)

            try bench.executeNext()
            #expect(try huey.resultCount == 1)
            failure = try bench.trap(r)  // cached on the handle, like a value
            #expect(failure.error == "TestError(1)")
            #expect(try huey.resultCount == 1)

            r.reset()
            failure = try bench.trap(r)
            #expect(failure.error == "TestError(2)")
            #expect(failure.retries == 0)
            #expect(try huey.pendingCount == 0)
            #expect(try huey.resultCount == 0)
        }

        @Test("test_retry_to_success — the last attempt's value replaces the intermediate errors")
        func retryToSuccess() throws {
            let state = Mutex(0)
            let task = huey.task("task_a", retries: 2) { () throws -> Int in
                let n = state.withLock { $0 += 1; return $0 }
                if n != 3 { throw TestError(message: "try again") }
                return 1337
            }
            let r = try task()
            for _ in 0..<3 { try bench.executeNext() }
            #expect(try r() == 1337)
            #expect(try huey.pendingCount == 0)
            #expect(try huey.resultCount == 0)
        }

        @Test("retry delay counts from the end of the failed run (Huey's _requeue_task timestamp)")
        func retryDelayFromEndOfRun() throws {
            let clock = self.clock
            let slow = huey.task("slow", retries: 1, retryDelay: 10) { () throws -> Int in
                clock.advance(5)  // the body runs for 5 s
                throw TestError(message: "slow")
            }
            let started = clock.seconds
            _ = try slow()
            try bench.executeNext()
            let eta = try #require(try huey.scheduled().first?.eta).timeIntervalSince1970
            #expect(eta == started + 15)
        }

        @Test("test_task_error — the error, the retries left and the error type are stored and read once")
        func taskError() throws {
            let taskE = huey.task("task_e") { (n: Int) throws -> Int in
                if n == 0 { throw TestError(message: "uh-oh") }
                return n + 1
            }
            let re = try taskE(0)
            try bench.executeNext()
            #expect(try huey.resultCount == 1)
            let failure = try bench.trap(re)
            #expect(failure.error == "TestError(uh-oh)")
            #expect(failure.retries == 0)
            #expect(failure.traceback.contains("TestError"))  // Swift has no traceback: it names the type
            #expect(try huey.resultCount == 0)
            #expect(try huey.pendingCount == 0)
        }

        @Test("test_retry_delay — a retry with a delay waits in the schedule, not the queue")
        func retryDelay() throws {
            let taskA = huey.task("task_a", retries: 2, retryDelay: 60) { () throws -> Int in
                throw TestError(message: "try again")
            }
            let r = try taskA()
            try bench.executeNext()
            _ = try bench.trap(r)
            #expect(try huey.pendingCount == 0)
            #expect(try huey.scheduledCount == 1)
            let retry = try #require(try huey.scheduled().first)
            #expect(retry.retries == 1)
            #expect(isAbout(retry.eta, clock.seconds + 60))
            clock.advance(59)
            #expect(try huey.enqueueDueScheduled() == 0)  // not ready to run
            clock.advance(2)
            #expect(try huey.enqueueDueScheduled() == 1)
        }

        @Test("test_retry_backoff — waits of 2, 4, 8 s; the grown delay travels with the call; then nothing more")
        func retryBackoff() throws {
            let taskA = huey.task("task_a", retries: 3, retryDelay: 2, retryBackoff: 2) { () throws -> Int in
                throw TestError(message: "try again")
            }
            let r = try taskA()
            try bench.executeNext()
            _ = try bench.trap(r)
            for (retries, delay, wait) in [(2, 4.0, 2.0), (1, 8, 4), (0, 16, 8)] {
                let scheduled = try huey.scheduled()
                #expect(scheduled.count == 1)
                let task = try #require(scheduled.first)
                #expect(task.retries == retries)
                #expect(task.retryDelay == delay)
                #expect(task.retryBackoff == 2)
                #expect(isAbout(task.eta, clock.seconds + wait))
                clock.advance(wait)
                #expect(try huey.enqueueDueScheduled() == 1)
                try bench.executeNext()
            }
            // Retries are used up: nothing further is scheduled or queued.
            #expect(try huey.scheduledCount == 0)
            #expect(try huey.pendingCount == 0)
            // The backoff multiplier can also be given when the call is made.
            #expect(taskA.s(retryBackoff: 3).retryBackoff == 3)
        }

        @Test("test_retry_periodic — a failed periodic call is retried with one retry fewer")
        func retryPeriodic() throws {
            let state = Mutex(0)
            let taskP = huey.periodicTask("task_p", try crontab(hour: "0"), retries: 2) {
                let previous = state.withLock { value -> Int in
                    defer { value = value == 0 ? 1 : (value == 1 ? 2 : 9) }
                    return value
                }
                if previous == 0 { throw TestError(message: "oops") }
            }
            _ = try taskP()
            try bench.executeNext()
            let retry = try #require(try huey.pending().first)
            #expect(try huey.pendingCount == 1)
            #expect(retry.retries == 1)
            try bench.executeNext()
            #expect(state.withLock { $0 } == 2)
            #expect(try huey.pendingCount == 0)
        }

        @Test("test_retry_delay_periodic — a periodic call's delayed retry keeps its id and waits in the schedule")
        func retryDelayPeriodic() throws {
            let taskP = huey.periodicTask("task_p", try crontab(), retries: 2, retryDelay: 60) {
                throw TestError(message: "try again")
            }
            let r = try taskP()
            try bench.executeNext()
            #expect(try huey.pendingCount == 0)
            #expect(try huey.scheduledCount == 1)
            let retry = try #require(try huey.scheduled().first)
            #expect(retry.id == r.id)
            #expect(retry.retries == 1)
            #expect(isAbout(retry.eta, clock.seconds + 60))
        }

        @Test("test_retrytask_eta_delay — RetryTask(delay:) and RetryTask(eta:); the task's retryDelay by default")
        func retryTaskEtaDelay() throws {
            let taskA = huey.task("task_a", retryDelay: 10) { (d: Double?, e: Double?) throws -> Int in
                if let d { throw RetryTask(delay: d) }
                if let e { throw RetryTask(eta: Date(timeIntervalSince1970: e)) }
                throw RetryTask()
            }
            let now = clock.seconds
            for (d, e, expected) in [
                (nil, nil, now + 10), (3, nil, now + 3), (300, nil, now + 300),
                (nil, now + 3, now + 3), (nil, now + 300, now + 300),
            ] as [(Double?, Double?, Double)] {
                let r = try taskA(d, e)
                try bench.executeNext()
                #expect(try r() == nil)  // not an error, nothing stored
                #expect(try huey.pendingCount == 0)
                let scheduled = try huey.scheduled()
                #expect(scheduled.map(\.id) == [r.id])
                #expect(isAbout(scheduled.first?.eta, expected))
                try huey.flush()
            }
        }

        @Test("test_cancel_execution — without retries only retry: true retries, with at least one retry")
        func cancelExecution() throws {
            let taskA = huey.task("task_a") { (retry: Bool?) throws -> Int in throw CancelExecution(retry: retry) }
            for retry in [nil, false] as [Bool?] {
                let r = try taskA(retry)
                try bench.executeNext()
                #expect(throws: TaskException.self) { try r() }
                #expect(try huey.pendingCount == 0)
            }
            let r = try taskA(true)
            try bench.executeNext()
            let failure = try bench.trap(r)
            #expect(failure.type == "CancelExecution")
            #expect(failure.retries == 1)
            #expect(try huey.pendingCount == 1)
        }

        @Test("test_subtask_error — a TaskException let through stores the inner error text")
        func subtaskError() throws {
            let inner = huey.task("task_i") { (a: Int) throws -> Int in throw TestError(message: "\(a)") }
            let handle = Mutex<TaskResult<Int>?>(nil)
            let outer = huey.task("task_o") { () throws -> Int in
                guard let result = handle.withLock({ $0 }) else { return 0 }
                return try result() ?? 0
            }
            handle.withLock { $0 = try? inner(1) }
            try bench.executeNext()
            let r = try outer()
            try bench.executeNext()
            let failure = try bench.trap(r)
            #expect(failure.error == "TestError(1)")
            #expect(failure.taskID == r.id)
        }

        @Test("test_retrytask_explicit — RetryTask stores nothing while the task will run again")
        func retryTaskExplicit() throws {
            let state = Mutex(0)
            let task = huey.task("task_a") { (n: Int) throws -> Int in
                let total = state.withLock { $0 += n; return $0 }
                if total < 2 { throw RetryTask() }
                return total
            }
            let r = try task(1)
            try bench.executeNext()
            #expect(try r() == nil)  // not an error, nothing stored
            #expect(try huey.pendingCount == 1)
            try bench.executeNext()
            #expect(try r() == 2)
            #expect(try huey.resultCount == 0)
        }

        @Test("test_retrying_exceptions_not_surfaced — lock and rate-limit refusals surface only when final")
        func retryingExceptionsNotSurfaced() throws {
            let state = Mutex<[String]>([])
            let onError = huey.task("on_err") { (error: ErrorInfo) in state.withLock { $0.append(error.type) } }
            let huey = self.huey
            let locked = huey.task("locked", retries: 1) { () throws -> String in
                try huey.lockTask("lk") { "ran" }
            }
            let limited = huey.task("limited") { () throws -> String in
                try huey.rateLimit("rl", limit: 1, per: 60, retry: false) { "ran" }
            }
            let r = try huey.enqueue(locked.s().error(onError), as: String.self)[0]
            _ = try huey.lockTask("lk") { try bench.executeNext() }
            #expect(try r() == nil)
            #expect(state.withLock { $0 }.isEmpty)
            try bench.executeNext()
            #expect(try r() == "ran")

            _ = try huey.rateLimit("rl", limit: 1, per: 60) { 0 }  // use the window up
            let limitedResult = try huey.enqueue(limited.s().error(onError), as: String.self)[0]
            try bench.executeNext()
            #expect(throws: TaskException.self) { try limitedResult() }
            try bench.executeNext()  // on_err runs
            #expect(state.withLock { $0 } == ["RateLimitExceeded"])
        }

        @Test("test_cancel_execution_task_retries — CancelExecution stores its error on every attempt")
        func cancelExecutionTaskRetries() throws {
            let task = huey.task("task_a", retries: 2) { (retry: Bool?) throws -> Int in
                throw CancelExecution(retry: retry)
            }
            let never = try task(false)
            try bench.executeNext()
            #expect(throws: TaskException.self) { try never() }
            #expect(try huey.pendingCount == 0)

            let r = try task(nil)
            for retries in [2, 1, 0] {
                try bench.executeNext()
                let failure = try bench.trap(r)
                #expect(failure.type == "CancelExecution")
                #expect(failure.retries == retries)
                #expect(try huey.pendingCount == (retries > 0 ? 1 : 0))
                r.reset()
            }

            let forever = try task(true)
            for retries in [2, 1, 1, 1] {
                try bench.executeNext()
                #expect(try bench.trap(forever).retries == retries)
                #expect(try huey.pendingCount == 1)
                forever.reset()
            }
        }

        @Test("test_error_callback_retries — on_error is enqueued on every failed attempt")
        func errorCallbackRetries() throws {
            let state = Mutex<[String]>([])
            let task = huey.task("task_a", retries: 1) { () throws -> Int in throw TestError(message: "boom") }
            let handler = huey.task("task_e") { (error: ErrorInfo) in state.withLock { $0.append(error.error) } }
            try huey.enqueue(task.s().error(handler))
            try bench.executeNext()
            #expect(try huey.pendingCount == 2)  // the handler and the retry
            #expect(try huey.resultCount == 1)  // the intermediate error
            try bench.executeNext()  // the first handler
            try bench.executeNext()  // the final attempt
            #expect(try huey.pendingCount == 1)
            try bench.executeNext()  // the second handler
            #expect(state.withLock { $0 } == ["TestError(boom)", "TestError(boom)"])
            #expect(try huey.pendingCount == 0)
        }

        @Test("test_intermediate_error_withheld / test_on_error_deferred (TestStoreIntermediateErrors) — with it off, errors and on_error wait for the final failure")
        func intermediateErrorsWithheld() throws {
            huey.storeIntermediateErrors = false
            let state = Mutex<[String]>([])
            let task = huey.task("task_a", retries: 1) { () throws -> Int in throw TestError(message: "boom") }
            let handler = huey.task("task_e") { (error: ErrorInfo) in state.withLock { $0.append(error.error) } }
            let r = try huey.enqueue(task.s().error(handler), as: Int.self)[0]
            try bench.executeNext()
            #expect(try huey.pendingCount == 1)
            #expect(try huey.resultCount == 0)
            #expect(try r() == nil)
            try bench.executeNext()
            #expect(try huey.pendingCount == 1)
            #expect(try bench.trap(r).retries == 0)
            try bench.executeNext()
            #expect(state.withLock { $0 } == ["TestError(boom)"])
        }

        @Test("test_result_store — a nil result is stored only with storeNone")
        func resultStore() throws {
            for storeNone in [false, true] {
                let bench = CompatibilityBench(storeNone: storeNone)
                let task = bench.huey.task("task_a") { (n: Int) -> Int? in n == 2 ? nil : n - 1 }
                let results = try [1, 2, 3].map { try task($0) }
                for _ in 0..<3 { try bench.executeNext() }
                #expect(try bench.huey.resultCount == (storeNone ? 3 : 2))
                #expect(try results[0]() == 0)
                #expect(try results[1].isReady == storeNone)
                #expect(try results[2]() == 2)
            }
        }

        @Test("test_chain_errors — t.error(a).error(b) runs b when a fails")
        func chainErrors() throws {
            let state1 = Mutex<[String]>([])
            let state2 = Mutex<[Int]>([])
            let task = huey.task("task_a") { (n: Int) throws -> Int in
                if n < 1 { throw TestError(message: "\(n)") }
                return n - 1
            }
            let e1 = huey.task("task_e1") { (n: Int, error: ErrorInfo) throws in
                state1.withLock { $0.append(error.error) }
                if n < 1 { throw TestError(message: "\(n)") }
            }
            let e2 = huey.task("task_e2") { (n: Int, error: ErrorInfo) -> Int in
                state2.withLock { $0.append(n) }
                return n
            }
            let pipe = task.s(1).then(task.makeCall(partialArguments: []).error(e1, 0).error(e2, 3))
            let results = try huey.enqueue(pipe, as: Int.self)
            try bench.executeNext()  // returns 0
            try bench.executeNext()  // raises
            #expect(try huey.pendingCount == 1)
            try bench.executeNext()  // e1, also fails
            #expect(try huey.pendingCount == 1)
            try bench.executeNext()  // e2
            #expect(state1.withLock { $0 } == ["TestError(0)"])
            #expect(state2.withLock { $0 } == [3])
            #expect(try results[0]() == 0)
            #expect(throws: TaskException.self) { try results[1]() }
            #expect(try huey.pendingCount == 0)
        }

        @Test("test_pipeline_error_midway — a failed stage stops its pipeline; later stages hold its error")
        func pipelineErrorMidway() throws {
            let task = huey.task("task_a") { (n: Int) throws -> Int in
                if n < 0 { throw TestError(message: "below zero") }
                return n - 1
            }
            let results = try huey.enqueue(task.s(1).then(task).then(task).then(task), as: Int.self)
            try bench.executeNext()
            try bench.executeNext()
            try bench.executeNext()
            #expect(throws: TaskException.self) { try results[2]() }
            #expect(try huey.pendingCount == 0)
            #expect(try bench.trap(results[3]).taskID == results[2].id)
        }

        @Test("test_pipeline_error_retries_then_downstream — intermediate errors on the failed stage only")
        func pipelineErrorRetriesThenDownstream() throws {
            let task = huey.task("task_a", retries: 1) { (n: Int) throws -> Int in throw TestError(message: "\(n)") }
            let handler = huey.task("task_e") { (n: Int, error: ErrorInfo) in n }
            let pipe = task.s(1).then(task, 2).then(task, 3).error(handler, 9)
            let results = try huey.enqueue(pipe, as: Int.self)
            try bench.executeNext()
            #expect(try huey.pendingCount == 2)  // error handler, retry
            #expect(try results[2].isReady == false)
            try bench.executeNext()
            try bench.executeNext()  // retry, final failure
            #expect(try huey.pendingCount == 1)  // error handler
            try bench.executeNext()
            #expect(try huey.pendingCount == 0)
            for result in results {
                result.reset()
                #expect(throws: TaskException.self) { try result() }
            }
        }
    }
}
