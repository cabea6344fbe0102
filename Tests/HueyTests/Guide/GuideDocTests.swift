import Foundation
import Huey
import Synchronization
import Testing

/// Every code block of `Sources/Huey/Huey.docc/Guide.md`, compiled and run, so the guide
/// cannot rot. Each test holds one section's blocks verbatim (between `// guide:` marks),
/// with the setup it needs around them.
@Suite("Guide code blocks")
struct GuideDocTests {
    let place: ScratchDirectory
    let path: String

    init() throws {
        place = try ScratchDirectory()
        path = place.file("demo.db")
    }

    @Test("A Huey and a task; calling; immediate mode")
    func basics() throws {
        // guide:
        let huey = try SqliteHuey(name: "demo", filename: path)
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        // guide:
        let result = try add(1, 2)
        let ready = try result()                            // Int? — nil until a consumer ran it
        #expect(ready == nil)
        while try huey.processNext(owner: .current, in: huey.storage) {}
        let value = try result(blocking: true, timeout: 5)  // 3, or throws ResultTimeout
        #expect(value == 3)
        // guide:
        let seven = try add.callLocal(3, 4)
        #expect(seven == 7)
        // guide:
        huey.immediate = true
        let three = try add(1, 2)()     // 3, at once
        huey.immediate = false
        #expect(three == 3)
    }

    @Test("Scheduling and periodic tasks")
    func scheduling() throws {
        let huey = try SqliteHuey(name: "demo", filename: path)
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        // guide:
        let later = try add.schedule(args: (3, 4), delay: 10)
        let atNoon = try add.schedule(args: (5, 6), eta: Date(timeIntervalSinceNow: 3600))
        #expect(try huey.scheduled().map(\.id) == [later.id, atNoon.id])
        // guide:
        let moved = try later.reschedule(delay: 60, expires: 300, priority: 5)
        let copy = try #require(try huey.scheduled().first { $0.id == moved.id })
        #expect(copy.expires == .seconds(300) && copy.priority == 5 && copy.args == [3, 4])
        #expect(try later.isRevoked())
        // guide:
        huey.periodicTask("every_three_minutes", try crontab(minute: "*/3")) {
            print("This task runs every three minutes")
        }
        huey.periodicTask("office_hours", try crontab(minute: "*/10", hour: "9-11,16-18")) {
            print("Every ten minutes, 9-11am and 4-6pm")
        }
        // guide:
        let nightly = huey.periodicTask("nightly_count", try crontab(minute: "0", hour: "2"), context: true) {
            (task: TaskContext) in task.id.count
        }
        let count = try nightly.callLocal()   // 36
        #expect(count == 36)
        #expect(huey.registry.periodicNames == ["every_three_minutes", "nightly_count", "office_hours"])
    }

    @Test("Retries, RetryTask, options, revoke, expiration")
    func retriesAndOptions() throws {
        let huey = try SqliteHuey(name: "demo", filename: path)
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        // guide:
        struct Unlucky: Error {}
        let flaky = huey.task("flaky", retries: 2, retryDelay: 10, retryBackoff: 2) { () throws -> String in
            guard Bool.random() else { throw Unlucky() }
            return "lucky"
        }
        // guide:
        let poll = huey.task("poll") { (url: String) throws -> Int in
            throw RetryTask(delay: 60)
        }
        // guide:
        let attempts = Mutex(0)                     // Mutex: import Synchronization
        let shaky = huey.task("shaky", retries: 1) { () throws -> String in
            guard attempts.withLock({ $0 += 1; return $0 }) > 1 else { throw Unlucky() }
            return "second time lucky"
        }
        let answer = try shaky()
        // A consumer runs it: the first attempt fails, one retry is left.
        #expect(try huey.processNext(owner: .current, in: huey.storage))
        var seen: (type: String, retries: Int)?
        do {
            _ = try answer()
        } catch let failure as TaskException {
            print(failure.type, failure.retries)    // "Unlucky 1"
            seen = (failure.type, failure.retries)
        }
        #expect(seen?.type == "Unlucky" && seen?.retries == 1)
        // The consumer retries it, and this time it works.
        #expect(try huey.processNext(owner: .current, in: huey.storage))
        answer.reset()                              // forget the error the handle read
        let lucky = try answer()                    // "second time lucky"
        #expect(lucky == "second time lucky")
        #expect(try huey.pendingCount == 0)
        // guide:
        let report = huey.task("report", expires: 60, timeout: 30, priority: 10, context: true) {
            (task: TaskContext, file: String) in "\(task.id): \(file)"
        }
        let urgent = try add(1, 2, priority: 90, expires: 300)
        let patient = try add(3, 4, retries: 5, retryDelay: 2, retryBackoff: 2, timeout: 10)
        #expect(flaky.options.retries == 2 && poll.name == "poll" && report.options.priority == 10)
        #expect(try huey.pending().first?.id == urgent.id)
        let patientCall = try #require(try huey.pending().first { $0.id == patient.id })
        #expect(patientCall.retries == 5 && patientCall.retryDelay == 2 && patientCall.retryBackoff == 2)
        #expect(patientCall.timeout == 10)
        // guide:
        let doomed = try add(1, 2)
        try doomed.revoke()                  // this call is skipped (once, as Huey's Result.revoke)
        try doomed.restore()                 // ...unless restored in time
        try add.revoke(once: true)           // skip the next call of the task, then run normally
        try add.revoke(until: Date(timeIntervalSinceNow: 3600))
        try add.restore()
        #expect(try !add.isRevoked())
        // guide:
        let fresh = try add(1, 2, expires: 30)
        let later3 = try add.schedule(args: (1, 2), delay: 3600, expires: 60)  // must start within 60 s of its hour
        #expect(try huey.pending().last?.expires == .seconds(30) && fresh.id.count == 36)
        #expect(try huey.scheduled().last?.id == later3.id)
    }

    @Test("Pipelines, map, groups and chords")
    func composition() throws {
        let huey = try SqliteHuey(name: "demo", filename: path)
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        huey.immediate = true
        // guide:
        let pipe = add.s(1, 2).then(add, 3).then(add, 4).then(add, 5)
        let sums = try huey.enqueue(pipe, as: Int.self)   // [3, 6, 10, 15] once run
        #expect(try sums.get(blocking: true, timeout: 5) == [3, 6, 10, 15])
        // guide:
        let slow = add.s(1, 2, delay: 10).then(add, 3, delay: 20, priority: 5)
        #expect(slow.eta != nil && slow.onComplete?.eta != nil && slow.onComplete?.priority == 5)
        // guide:
        let fib = huey.task("fib") { (a: Int, b: Int) in Spread(a + b, a) }
        let fibs = try huey.enqueue(fib.s(1, 1).then(fib).then(fib), as: [Int].self)  // [[2,1],[3,2],[5,3]]
        #expect(try fibs.get(blocking: true, timeout: 5) == [[2, 1], [3, 2], [5, 3]])
        // guide:
        let split = huey.task("split") { (total: Int) in ["a": total, "b": 1] }
        let minus = huey.task("minus", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a - b }
        let stages = try huey.enqueue(split.s(10).then(minus), as: JSONValue.self)  // [{"a":10,"b":1}, 9]
        #expect(try stages.get(blocking: true, timeout: 5) == [["a": 10, "b": 1], 9])
        // guide:
        let onFailure = huey.task("on_failure") { (error: TaskException) in print("failed:", error.error) }
        let guarded = add.s(1, 2).error(onFailure)
        #expect(guarded.onError?.name == "on_failure")
        // guide:
        let squares = try add.map((0..<10).map { ($0, $0 * $0) })   // [0, 2, 6, 12, ...] once run
        #expect(try squares.get(blocking: true, timeout: 5) == [0, 2, 6, 12, 20, 30, 42, 56, 72, 90])
        // guide:
        let pair = try huey.enqueue(group([add.s(1, 1), add.s(2, 2)]), as: Int.self)
        let both = try pair(blocking: true, timeout: 5)   // [2, 4]
        #expect(both == [2, 4])
        // guide:
        let total = huey.task("total") { (values: [Int]) in values.reduce(0, +) }
        let chordResult = try huey.enqueue(group([add.s(1, 1), add.s(2, 2)]).then(total), as: Int.self)
        let parts = try chordResult.results(blocking: true, timeout: 5)   // [2, 4]
        #expect(try chordResult(blocking: true, timeout: 5) == 6)
        #expect(parts == [2, 4])
        huey.immediate = false
        let clock = TestClock(Date())
        clock.install(on: huey)
        // guide:
        let halves = group([add.s(1, 2), add.s(3, 4)]).then(total)
        let nested = try huey.enqueue(group([halves, add.s(5, 6)]).then(total, delay: 5), as: Int.self)  // 21
        while try huey.processNext(owner: .current, in: huey.storage) {}
        #expect(try huey.scheduled().map(\.id) == [nested.id])
        clock.advance(5)
        #expect(try huey.enqueueDueScheduled() == 1)
        while try huey.processNext(owner: .current, in: huey.storage) {}
        #expect(try nested(blocking: true, timeout: 5) == 21)
    }

    @Test("Locks, rate limits, signals, hooks, inspection")
    func operations() throws {
        let huey = try SqliteHuey(name: "demo", filename: path)
        // guide:
        try huey.lockTask("reports-lock") {
            print("only one of me runs at a time")
        }
        let nightly = huey.task("nightly", lock: "reports-lock") { () in "done" }
        #expect(nightly.options.lock == "reports-lock")
        // guide:
        let fetched = try huey.rateLimit("api", limit: 10, per: 60) { "fetched" }
        let api = huey.rateLimit("api", limit: 10, per: 60)   // a RateLimit to keep
        try api.acquire()
        let used = try api.currentUsage
        try api.reset()                                        // a fresh window
        #expect(fetched == "fetched" && used == 2)
        #expect(try api.currentUsage == 0)
        // guide:
        huey.signal { signal, call, error in print(signal, call.name) }
        let finished = huey.signal(.error, .complete) { signal, call, error in print("finished:", call.id) }
        huey.disconnectSignal(finished, .complete)   // that handler now hears only .error
        huey.preExecute("audit") { call in print("about to run", call.name) }
        huey.postExecute("audit") { call, value, error in print("ran", call.name) }
        huey.onStartup("connect") { print("worker starting") }
        // guide:
        let waiting = try huey.pending()          // [TaskCall]
        let later2 = try huey.scheduled()         // [TaskCall]
        let counts = (try huey.pendingCount, try huey.scheduledCount, try huey.resultCount)
        try huey.put("config", ["mode": "fast"])
        let config = try huey.get("config", as: [String: String].self, peek: true)
        let removed = try huey.delete("config")   // true
        #expect(waiting.isEmpty && later2.isEmpty && counts == (0, 0, 0) && config == ["mode": "fast"])
        #expect(removed)
    }
}
