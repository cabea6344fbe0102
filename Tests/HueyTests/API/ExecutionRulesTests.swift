import Foundation
import Huey
import Synchronization
import Testing

/// DESIGN §5 rules, with the test driving the worker's loop (`processNext`) itself.
@Suite("Execution rules")
struct ExecutionRulesTests {
    let huey = MemoryHuey(name: "rules")
    let clock = TestClock()
    let owner = ClaimOwner.current

    init() { clock.install(on: huey) }

    /// Runs everything queued now.
    @discardableResult
    func drain() throws -> Int {
        var count = 0
        while try huey.processNext(owner: owner, in: huey.storage) { count += 1 }
        return count
    }

    @Test("retries with retryDelay 1 and backoff 2 are scheduled at +1s, +2s, +4s")
    func retryBackoff() throws {
        struct Flaky: Error {}
        let flaky = huey.task("flaky", retries: 3, retryDelay: 1, retryBackoff: 2) { () throws -> Int in throw Flaky() }
        let result = try flaky()
        var gaps: [Double] = []
        for _ in 0..<3 {
            let failedAt = clock.seconds
            try drain()
            let scheduled = try huey.scheduled()
            #expect(scheduled.count == 1)
            let eta = try #require(scheduled.first?.eta).timeIntervalSince1970
            gaps.append(eta - failedAt)
            clock.advance(eta - failedAt)
            #expect(try huey.enqueueDueScheduled() == 1)
        }
        #expect(gaps == [1, 2, 4])
        try drain()
        #expect(try huey.scheduledCount == 0)
        #expect(throws: TaskException.self) { try result() }
    }

    @Test("priorities 0, 1, 10, 50, 90 run as 90, 50, 10, 1, 0; equal priorities FIFO")
    func priorityOrder() throws {
        let order = Mutex<[String]>([])
        let note = huey.task("note") { (label: String) in order.withLock { $0.append(label) } }
        let prioritized = huey.task("prioritized", priority: 50) { (label: String) in order.withLock { $0.append(label) } }
        for priority in [0.0, 1, 10, 50, 90] { try note("p\(Int(priority))", priority: priority) }
        try note("p0-second", priority: 0)
        try prioritized("task-default-50")
        try drain()
        #expect(order.withLock { $0 } == ["p90", "p50", "task-default-50", "p10", "p1", "p0", "p0-second"])
    }

    @Test("a call past its expiry is skipped with the expired signal")
    func expiry() throws {
        let log = SignalLog(huey)
        let add = huey.task("add", expires: 10) { (a: Int, b: Int) in a + b }
        let late = try add(1, 2)
        let fresh = try add(2, 3, expires: 60)
        clock.advance(11)
        try drain()
        #expect(try late() == nil)
        #expect(try fresh() == 5)
        #expect(log.signals(for: "add").contains(.expired))
        let absolute = try add(4, 4, expires: .date(clock.date.addingTimeInterval(-1)))
        try drain()
        #expect(try absolute() == nil)
    }

    @Test("revoke and restore one call, all calls, and until a time")
    func revokeRestore() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let first = try add(1, 1)
        try first.revoke()
        #expect(try first.isRevoked())
        #expect(try first.restore())
        #expect(try !first.isRevoked())
        let second = try add(2, 2)
        try second.revoke()
        try drain()
        #expect(try first() == 2)
        #expect(try second() == nil)

        try add.revoke(until: clock.date.addingTimeInterval(30))
        let blocked = try add(3, 3)
        try drain()
        #expect(try blocked() == nil)
        clock.advance(31)
        #expect(try !add.isRevoked())
        let allowed = try add(4, 4)
        try drain()
        #expect(try allowed() == 8)

        try huey.revoke(id: "some-id")
        #expect(try huey.restore(id: "some-id"))
        #expect(try !huey.restore(id: "some-id"))
    }

    @Test("a pre-execute hook can cancel; post-execute hooks see the value")
    func hooks() throws {
        let log = SignalLog(huey)
        let seen = Mutex<[JSONValue?]>([])
        huey.preExecute("no-negatives") { call in
            if call.args.first?.intValue ?? 0 < 0 { throw CancelExecution(retry: false) }
        }
        huey.postExecute("record") { _, value, _ in seen.withLock { $0.append(value) } }
        let double = huey.task("double") { (x: Int) in x * 2 }
        let canceled = try double(-1)
        let ran = try double(21)
        try drain()
        #expect(try canceled() == nil)
        #expect(try ran() == 42)
        #expect(seen.withLock { $0 } == [42])
        #expect(log.signals(for: "double").contains(.canceled))
    }

    @Test("CancelExecution(retry: true) retries even without retries; false never does")
    func cancelExecution() throws {
        let attempts = Mutex(0)
        let task = huey.task("cancel") { (retry: Bool) throws -> Int in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw CancelExecution(retry: retry) }
            return attempt
        }
        let retried = try task(true)
        try drain()
        #expect(try retried() == 2)
        attempts.withLock { $0 = 0 }
        let stopped = try task(false)
        try drain()
        #expect(throws: TaskException.self) { try stopped() }
    }

    @Test("RetryTask(delay:) schedules another run regardless of retries")
    func retryTask() throws {
        let attempts = Mutex(0)
        let task = huey.task("again") { () throws -> Int in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw RetryTask(delay: 60) }
            return attempt
        }
        let result = try task()
        try drain()
        #expect(try huey.scheduled().first?.eta == clock.date.addingTimeInterval(60))
        clock.advance(60)
        try huey.enqueueDueScheduled()
        try drain()
        #expect(try result() == 2)
    }

    @Test("lockTask: one holder at a time; a task with a lock option reports locked")
    func locks() throws {
        let log = SignalLog(huey)
        let inner = try huey.lockTask("reports") { () throws -> Bool in
            #expect(try huey.isLocked("reports"))
            #expect(throws: TaskLockedException.self) { try huey.lockTask("reports") {} }
            return true
        }
        #expect(inner)
        #expect(try !huey.isLocked("reports"))

        let report = huey.task("report", lock: "reports") { () in 1 }
        let result = try huey.lockTask("reports") { try report() }
        try drain()  // lock released before the worker runs: it runs
        #expect(try result() == 1)
        let blocked = try huey.lockTask("reports") { () throws -> TaskResult<Int> in
            let r = try report()
            try drain()  // runs while the lock is held: refused
            return r
        }
        #expect(log.signals(for: "report").contains(.locked))
        #expect(throws: TaskException.self) { try blocked() }
    }

    @Test("rateLimit allows `limit` calls per window and retries a limited task after the window")
    func rateLimit() throws {
        let log = SignalLog(huey)
        #expect(try huey.rateLimit("api", limit: 2, per: 60) { 1 } == 1)
        #expect(try huey.rateLimit("api", limit: 2, per: 60) { 2 } == 2)
        #expect(throws: RateLimitExceeded.self) { try huey.rateLimit("api", limit: 2, per: 60) { 3 } }

        let limited = huey.task("limited") { () throws -> Int in try huey.rateLimit("api", limit: 2, per: 60) { 7 } }
        let result = try limited()
        try drain()
        #expect(try result() == nil)
        #expect(log.signals(for: "limited").contains(.rateLimited))
        let eta = try #require(try huey.scheduled().first?.eta)
        #expect(eta > clock.date && eta <= clock.date.addingTimeInterval(60))
        clock.advance(60)
        try huey.enqueueDueScheduled()
        try drain()
        #expect(try result() == 7)
    }

    @Test("an unknown task name goes to the dead letters and the caller sees an error")
    func unknownTask() throws {
        let call = try huey.enqueue(TaskCall(name: "nobody.registered", args: [1]))
        #expect(try drain() == 1)
        let dead = try huey.storage.deadItems()
        #expect(dead.count == 1)
        #expect(dead.first?.reason.contains("nobody.registered") == true)
        #expect {
            try call[0]()
        } throws: { error in
            (error as? TaskException)?.type == "UnknownTaskError"
        }
    }

    @Test("garbage in the queue goes to the dead letters; the next task still runs")
    func garbage() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        try huey.storage.enqueue(Array("not json at all".utf8), priority: 10)
        let result = try add(2, 2)
        #expect(try drain() == 2)
        #expect(try result() == 4)
        #expect(try huey.storage.deadItems().first?.reason.contains("malformed message") == true)
    }

    @Test("put and get(peek:) on the result store")
    func keyValue() throws {
        try huey.put("config", ["a": 1])
        #expect(try huey.get("config", as: [String: Int].self, peek: true) == ["a": 1])
        #expect(try huey.get("config", as: [String: Int].self) == ["a": 1])
        #expect(try huey.get("config", as: [String: Int].self) == nil)
    }

    @Test("pending(), counts, allResults() and flush()")
    func inspection() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let first = try add(1, 2)
        try add.schedule(args: (5, 5), delay: 30)
        #expect(try huey.pending().map(\.id) == [first.id])
        #expect(try huey.pendingCount == 1)
        #expect(try huey.scheduledCount == 1)
        try drain()
        #expect(try huey.resultCount == 1)
        #expect(try huey.allResults() == [first.id: 3])
        try huey.flush()
        #expect(try huey.resultCount == 0 && huey.scheduledCount == 0)
    }

    @Test("reschedule revokes the original and enqueues a delayed copy")
    func reschedule() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let original = try add(1, 2)
        let moved = try original.reschedule(delay: 60)
        #expect(moved.id != original.id)
        try drain()
        #expect(try original() == nil)
        clock.advance(60)
        try huey.enqueueDueScheduled()
        try drain()
        #expect(try moved() == 3)
    }

    @Test("a blocking get times out with ResultTimeout")
    func resultTimeout() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let result = try add(1, 2)
        #expect(throws: ResultTimeout.self) { try result(blocking: true, timeout: 0.05) }
    }

    @Test("a message over the size limit is refused at enqueue with a clear error")
    func tooLarge() throws {
        huey.maxMessageSize = 1024
        let echo = huey.task("echo") { (text: String) in text }
        #expect {
            try echo(String(repeating: "x", count: 2048))
        } throws: { error in
            (error as? CodecError)?.code == .tooLarge
        }
        #expect(try huey.pendingCount == 0)
    }

    @Test("a context task can change its own retry delay before it throws")
    func contextRetryDelay() throws {
        struct NotYet: Error {}
        let poll = huey.task("poll", retries: 1, retryDelay: 5, context: true) { (task: TaskContext) throws -> Int in
            if task.retries > 0 {
                task.retryDelay = 42
                throw NotYet()
            }
            return 1
        }
        let result = try poll()
        try drain()
        #expect(try huey.scheduled().first?.eta == clock.date.addingTimeInterval(42))
        clock.advance(42)
        try huey.enqueueDueScheduled()
        try drain()
        #expect(try huey.result(id: result.id, as: Int.self, preserve: true) == 1)
        #expect(try huey.result(id: result.id, as: Int.self) == 1)
        #expect(try huey.result(id: result.id, as: Int.self) == nil)
    }

    @Test("registering a name twice stops the program with a clear message")
    func duplicateName() async {
        await #expect(processExitsWith: .failure) {
            let huey = MemoryHuey(name: "dup")
            huey.task("same") { () in 1 }
            huey.task("same") { () in 2 }
        }
    }
}

@Suite("Periodic tasks")
struct PeriodicTaskTests {
    @Test("enqueuePeriodicTasks enqueues the tasks whose crontab matches that minute, results unstored")
    func periodic() throws {
        let huey = MemoryHuey(name: "periodic")
        let runs = Mutex(0)
        huey.periodicTask("every_three_minutes", try crontab(minute: "*/3")) { runs.withLock { $0 += 1 } }
        huey.periodicTask("predicate", { _ in false }) {}
        let hour = 1_699_999_200.0  // 2023-11-14 22:00:00 UTC, on the hour
        let at = { (minute: Int) in Date(timeIntervalSince1970: hour + Double(minute) * 60) }
        #expect(try huey.enqueuePeriodicTasks(at: at(3)) == ["every_three_minutes"])
        #expect(try huey.enqueuePeriodicTasks(at: at(4)) == [])
        #expect(try huey.enqueuePeriodicTasks(at: at(6)) == ["every_three_minutes"])
        #expect(huey.registry.periodicNames == ["every_three_minutes", "predicate"])
        while try huey.processNext(owner: .current, in: huey.storage) {}
        #expect(runs.withLock { $0 } == 2)
        #expect(try huey.resultCount == 0)
    }
}
