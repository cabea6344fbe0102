import Foundation
import Huey
import HueyDashboard
import Synchronization

/// What the fixture's `boom` task throws.
struct Boom: Error, CustomStringConvertible {
    var description: String { "boom as asked" }
}

/// A SQLite queue in a scratch folder with a known history and content, on a clock the
/// fixture sets (``now``), for the dashboard tests.
///
/// History (run in this process by ``Huey/processNext(owner:in:)``, statistics flushed):
/// - minute `start`: 10 `add` calls, queued 4 s before they ran — completed 10;
/// - minute `start + 60`: 4 `flaky` calls (2 of them fail twice then succeed), queued 20 s
///   before their first attempt, retries at once — completed 4, failed 4, retried 4; and
///   one `boom` call (no retries) run at once — failed 1, its error result stored.
///
/// Content at ``now`` (`start + 180`): 3 `add` calls queued at `start + 150`, one of them
/// claimed by this process (2 pending, 1 running for 30 s), 2 scheduled an hour ahead, the
/// hand-made error result `failed-call-1`, 1 dead letter, the periodic task `nightly` at
/// 02:30, and a registered consumer (this process as master and worker, heartbeat 5 s ago).
final class DashboardFixture: @unchecked Sendable {
    // @unchecked Sendable: set up once in init, then only read (the clock has its own lock).
    let directory: String
    let database: String
    let huey: SqliteHuey
    let add: TaskWrapper<Int, Int, Int>
    let failedID = "failed-call-1"
    let boomID: String
    let queuedIDs: [String]
    let scheduledIDs: [String]
    let claimedID: String
    /// The first minute of the history (Unix seconds, a whole minute five minutes ago).
    let start: Double
    private let clock: FixtureClock

    /// The fixture's time now: `start + 180` unless a test moves it.
    var now: Double { clock.seconds }
    var date: Date { Date(timeIntervalSince1970: now) }

    init(name: String = "test") throws {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-dash-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
        database = directory + "/queue.db"
        let start = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - 300
        self.start = start
        let clock = FixtureClock(start + 5)
        self.clock = clock
        let huey = try SqliteHuey(name: name, filename: database)
        huey.clock = { Date(timeIntervalSince1970: clock.seconds) }
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let attempts = Mutex<[Int: Int]>([:])
        let flaky = huey.task("flaky", retries: 2) { (n: Int) throws -> Int in
            let attempt = attempts.withLock { $0[n, default: 0] += 1; return $0[n]! }
            if n < 2 && attempt <= 2 { throw Boom() }
            return n
        }
        let boom = huey.task("boom") { () throws -> Int in throw Boom() }
        huey.periodicTask("nightly", try crontab(minute: "30", hour: "2")) {}
        func set(_ offset: Double) { clock.seconds = start + offset }
        func drain() throws { while try huey.processNext(owner: .current, in: huey.storage) {} }

        for n in 1...10 { _ = try add(n, n) }
        set(9)
        try drain()
        set(70)
        for n in 0..<4 { _ = try flaky(n) }
        set(90)
        boomID = try boom().id
        try drain()
        try huey.flushStatistics(in: huey.storage)

        set(150)
        queuedIDs = try (1...3).map { try add($0, $0).id }
        scheduledIDs = try (1...2).map { try add.schedule(args: ($0, 10), delay: 3600).id }
        let claim = try huey.storage.claim(owner: .current, now: start + 150)
        claimedID = try huey.decodeMessage(claim!.data).id
        set(180)
        self.huey = huey
        self.add = add
        let failure = ErrorInfo(
            error: "disk on fire", retries: 0, traceback: "add at step 2", taskID: failedID, type: "FireError")
        try huey.storage.putData(key: failedID, value: try MessageCodec.encode(.error(failure)))
        try huey.storage.addDead(Array("{not json".utf8), reason: "undecodable message: test")
        let me = ClaimOwner.current
        try huey.registerConsumer(
            ConsumerRecord(
                host: me.host, pid: me.pid, processStart: me.startTime, startedAt: start, version: "fixture 1.0",
                workerType: "process", workerCount: 1, workerPids: [me.pid], queue: name, storage: "SqliteStorage",
                heartbeat: start + 175),
            ttl: 3600)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A dashboard over this queue (token `secret` unless told otherwise).
    func dashboard(token: String? = "secret") -> Dashboard {
        Dashboard(huey: huey, configuration: DashboardConfiguration(port: 0, token: token))
    }
}

/// The fixture's clock: Unix seconds a test sets.
final class FixtureClock: Sendable {
    private let value: Mutex<Double>

    init(_ seconds: Double) { value = Mutex(seconds) }

    var seconds: Double {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
