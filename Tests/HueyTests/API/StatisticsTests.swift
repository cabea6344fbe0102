import Foundation
import Huey
import Synchronization
import Testing

/// The per-task statistics recorded with each ack (issue 18), counted by a worker loop the
/// test drives, on a clock it moves.
@Suite("Statistics")
struct StatisticsTests {
    let huey = MemoryHuey(name: "stats")
    let clock = TestClock()
    let owner = ClaimOwner.current

    init() { clock.install(on: huey) }

    @discardableResult
    func drain() throws -> Int {
        var count = 0
        while try huey.processNext(owner: owner, in: huey.storage) { count += 1 }
        return count
    }

    @Test("100 calls, 7 failing twice then succeeding: completed 100, failed 14, retried 14; waits in their buckets")
    func knownWorkload() throws {
        struct Flaky: Error {}
        let attempts = Mutex<[Int: Int]>([:])
        let flaky = huey.task("flaky", retries: 2) { (n: Int) throws -> Int in
            let attempt = attempts.withLock { $0[n, default: 0] += 1; return $0[n]! }
            if n < 7 && attempt <= 2 { throw Flaky() }
            return n
        }
        for n in 0..<100 { try flaky(n) }
        clock.advance(7)  // every first attempt waits 7 s; retries are queued at once: 0 s
        #expect(try drain() == 114)

        let report = try huey.statistics(window: 600)
        let stats = try #require(report.tasks.first)
        #expect(report.tasks.map(\.name) == ["flaky"])
        #expect(stats.counters[.completed] == 100)
        #expect(stats.counters[.failed] == 14)
        #expect(stats.counters[.retried] == 14)
        #expect(stats.counters[.expired] == 0 && stats.counters[.revoked] == 0 && stats.counters[.crashed] == 0)
        #expect(stats.counters.runTime.reduce(0, +) == 114)
        var waits = Array(repeating: 0, count: TaskCounters.bucketBounds.count)
        waits[TaskCounters.bucket(for: 7)] = 100
        waits[TaskCounters.bucket(for: 0)] = 14
        #expect(stats.counters.waitTime == waits)
        #expect(stats.waitTime(0.5) == 10)  // the bucket (5, 10]
        #expect(stats.waitTime(0.1) == 0.001)
        #expect(stats.errorRatio == 14.0 / 114.0)
        #expect(report.total.counters == stats.counters)
        #expect(report.inFlight == 0 && report.waiting == 0 && report.oldestWaitingAge == nil)
    }

    @Test("run-time percentiles land in the buckets of bodies of known duration")
    func runTimePercentiles() throws {
        let nap = huey.task("nap") { (seconds: Double) in usleep(UInt32(seconds * 1_000_000)) }
        for _ in 0..<18 { try nap(0) }
        for _ in 0..<2 { try nap(0.6) }
        try drain()
        let stats = try #require(try huey.statistics().tasks.first)
        #expect(stats.counters[.completed] == 20)
        // 18 of 20 ran (nearly) nothing: the median is in a low bucket; the slowest 10 % took
        // 0.6 s, so p95 and p99 are in (0.5, 1] (an extra 0.4 s of load would be needed to miss).
        #expect(try #require(stats.runTime(0.5)) <= 0.1)
        #expect(stats.runTime(0.95) == 1)
        #expect(stats.runTime(0.99) == 1)
    }

    @Test("expired, revoked and crashed calls are counted; a crash's retry too")
    func otherOutcomes() throws {
        let add = huey.task("add", retries: 1) { (a: Int, b: Int) in a + b }
        try add(1, 1, expires: 5)
        clock.advance(10)
        let revoked = try add(2, 2)
        try revoked.revoke()
        try drain()
        try add(3, 3)
        let claim = try #require(try huey.storage.claim(owner: owner, now: clock.seconds))
        try huey.fail(claim, with: WorkerCrashed(reason: "killed by signal 9"), in: huey.storage)
        try drain()  // the crash's retry completes
        let counters = try #require(try huey.statistics().tasks.first).counters
        #expect(counters[.expired] == 1)
        #expect(counters[.revoked] == 1)
        #expect(counters[.crashed] == 1)
        #expect(counters[.retried] == 1)
        #expect(counters[.completed] == 1)
        #expect(counters[.failed] == 0)
    }

    @Test("the window: minutes before it are left out; statisticsWindow 0 records nothing")
    func windowAndOff() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        try add(1, 1)
        try drain()
        clock.advance(3600)
        try add(1, 2)
        try drain()
        #expect(try huey.statistics(window: 60).total.counters[.completed] == 1)
        #expect(try huey.statistics(window: 7200).total.counters[.completed] == 2)
        #expect(try huey.statistics(window: 7200).minutes.count == 2)
        huey.statisticsWindow = 0
        try add(2, 2)
        try drain()
        #expect(try huey.statistics(window: 7200).total.counters[.completed] == 2)
    }

    @Test("the oldest waiting call's age is its time in the queue")
    func oldestWaiting() throws {
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        try add(1, 1)
        clock.advance(30)
        try add(1, 2)
        clock.advance(15)
        let report = try huey.statistics()
        #expect(report.waiting == 2)
        #expect(report.oldestWaitingAge == 45)
    }

    @Test("percentile: the smallest bucket bound holding the share of calls")
    func percentileMath() {
        var counters = TaskCounters()
        for _ in 0..<90 { counters.recordRunTime(0.02) }  // (0.01, 0.025]
        for _ in 0..<9 { counters.recordRunTime(3) }  // (2.5, 5]
        counters.recordRunTime(400)  // over 300 s
        #expect(TaskCounters.percentile(0.5, of: counters.runTime) == 0.025)
        #expect(TaskCounters.percentile(0.9, of: counters.runTime) == 0.025)
        #expect(TaskCounters.percentile(0.95, of: counters.runTime) == 5)
        #expect(TaskCounters.percentile(1, of: counters.runTime) == .infinity)
        #expect(TaskCounters.percentile(0.5, of: TaskCounters().runTime) == nil)
    }
}
