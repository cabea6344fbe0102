import Foundation
import Huey
import HueyTestSupport
import Testing

/// What the reload scenarios need of a fixture: a SQLite queue (``ConsumerFixture``) or a
/// queue on a server (``ServerQueueFixture``), each cleaning up every process it started.
protocol ReloadWorld: AnyObject {
    var huey: Huey { get }
    var tasks: ConsumerTestTasks { get }
    var log: String { get }
    func file(_ name: String) -> String
    func start(_ arguments: [String], environment: [String: String]) throws -> HelperProcess
}

extension ConsumerFixture: ReloadWorld {}
extension ServerQueueFixture: ReloadWorld {}

/// Samples a master's live children (from `/proc`) and remembers every sample with more of
/// them than `-w` plus the old workers (running before the SIGHUP) still alive in it.
final class ChildCountWatch {
    let master: Int32
    let limit: Int
    let old: Set<Int32>
    private(set) var violations: [String] = []
    private(set) var samples = 0

    init(master: Int32, limit: Int, old: Set<Int32>) {
        self.master = master
        self.limit = limit
        self.old = old
    }

    /// The master's live children now, lowest pid first (recorded).
    @discardableResult
    func sample() -> [Int32] {
        let children = ProcessTable.children(of: master).map(\.pid).sorted()
        let oldAlive = children.count { old.contains($0) }
        samples += 1
        if children.count > limit + oldAlive { violations.append("\(children) with old \(old.sorted())") }
        return children
    }
}

/// A consumer with a 20 s `longOnce` call running in one of its workers, about to be reloaded.
struct RunningLongTask {
    let master: HelperProcess
    /// Appended with the master's pid each time the helper's main starts.
    let boots: String
    /// The workers before the SIGHUP.
    let before: [Int32]
    /// The 20 s call and its marker (one line, the pid, per run).
    let long: TaskResult<Ran>
    let marker: String
    /// The worker running it.
    let runner: Int32

    /// Starts `consume -w workers -k process <extra>` and the long call, and waits until a
    /// worker runs it.
    init(in world: some ReloadWorld, workers: Int, extra: [String] = []) throws {
        let boots = world.file("boot.log")
        let master = try world.start(
            ["consume", "-w", "\(workers)", "-k", "process"] + extra, environment: ["HUEY_TEST_BOOT_LOG": boots])
        var found: [Int32] = []
        let up = poll(timeout: 30) {
            found = ProcessTable.children(of: master.pid).map(\.pid).sorted()
            return found.count == workers
        }
        try #require(up, "workers never started; \(world.log)")
        let marker = world.file("long.marker")
        let long = try world.tasks.longOnce(20, marker)
        try #require(poll(timeout: 15) { lines(of: marker).count == 1 }, "the long task never started; \(world.log)")
        let runner = try #require(Int32(lines(of: marker)[0]))
        try #require(found.contains(runner), "ran in \(runner), workers \(found)")
        (self.master, self.boots, self.before, self.long, self.marker, self.runner) = (master, boots, found, long, marker, runner)
    }

    /// Sends SIGHUP and waits until the same pid runs the helper's main again and has
    /// `workers` new workers; returns them and the seconds that took.
    func reload(workers: Int, watch: ChildCountWatch, world: some ReloadWorld, bootsBefore: Int = 1) throws
        -> (fresh: [Int32], seconds: Double)
    {
        master.send(SIGHUP)
        let signaledAt = now()
        var fresh: [Int32] = []
        let reloaded = poll(timeout: 30) {
            fresh = watch.sample().filter { !watch.old.contains($0) }
            return lines(of: boots).count == bootsBefore + 1 && fresh.count == workers
        }
        try #require(reloaded, "no reload: boots \(lines(of: boots)), new workers \(fresh); \(world.log)")
        #expect(Set(lines(of: boots)) == ["\(master.pid)"], "another pid booted: \(lines(of: boots))")
        return (fresh, now() - signaledAt)
    }

    /// Waits (sampling `watch`) for the long call's value. A failure stored on the way (a
    /// crashed run that is retried) is collected in `failures` and the handle reset, so the
    /// retry's value is read next.
    func waitForLong(timeout: Double, watch: ChildCountWatch, failures: inout [String]) -> Ran? {
        var ran: Ran?
        var seen: [String] = []
        poll(timeout: timeout) {
            watch.sample()
            do {
                ran = try long()
            } catch {
                seen.append("\(error)")
                long.reset()
            }
            return ran != nil
        }
        failures += seen
        return ran
    }

    /// ``waitForLong(timeout:watch:failures:)`` for a call that must not fail: a failure is recorded as an issue.
    func waitForLong(timeout: Double, watch: ChildCountWatch) -> Ran? {
        var failures: [String] = []
        let ran = waitForLong(timeout: timeout, watch: watch, failures: &failures)
        #expect(failures.isEmpty, "the long call failed: \(failures)")
        return ran
    }
}

/// The reload scenarios, run on SQLite (``ConsumerProcessTests``) and Redis
/// (``RedisConsumerTests``).
enum ReloadScenarios {
    /// A 20 s task runs; SIGHUP; a call enqueued once the new workers run completes within
    /// 5 s in a new worker, while the old task finishes untouched, once, in its old worker.
    static func newWorkTakenWhileOldTaskFinishes(in world: some ReloadWorld, storage: String) throws {
        let setup = try RunningLongTask(in: world, workers: 2)
        let watch = ChildCountWatch(master: setup.master.pid, limit: 2, old: Set(setup.before))
        let descriptors = try #require(steadyDescriptors(of: setup.master.pid), "\(world.log)")
        let signaledAt = now()
        let (fresh, reloadSeconds) = try setup.reload(workers: 2, watch: watch, world: world)
        // The new program holds what the old one held (signal pipe, storage): nothing leaked
        // through exec. Besides, the master holds one memfd per live worker, its RunningCallMark:
        // two before, then the new workers' and the adopted old ones' (handed over on purpose).
        let reopened = steadyDescriptors(of: setup.master.pid)
        #expect(
            reopened.map(withoutMarks) == withoutMarks(descriptors),
            "before \(descriptors), after \(String(describing: reopened))")
        #expect(markCount(descriptors) == 2, "\(descriptors)")
        // Three once the idle old worker is reaped: the two new workers' and the adopted runner's.
        let settled = poll(timeout: 10) {
            let marks = markCount(ProcessTable.descriptors(of: setup.master.pid))
            return marks == 3 && marks == watch.sample().count
        }
        #expect(settled, "marks \(ProcessTable.descriptors(of: setup.master.pid)), workers \(watch.sample())")
        #expect(watch.sample().contains(setup.runner), "the old worker is gone; \(world.log)")
        #expect(try setup.long() == nil, "the long task ended early")

        let enqueuedAt = now()
        let quick = try world.tasks.work(7, 0)
        var quickRan: Ran?
        poll(timeout: 30) {
            watch.sample()
            quickRan = try? quick()
            return quickRan != nil
        }
        let latency = now() - enqueuedAt
        let ran = try #require(quickRan, "the new call never ran; \(world.log)")
        note("\(storage) reload: new workers \(twoDecimals(reloadSeconds)) s after SIGHUP; a new call completed "
            + "\(twoDecimals(latency)) s after its enqueue while the 20 s task ran on (shared 2-core machine)")
        #expect(ran.value == 7 && fresh.contains(ran.pid), "\(ran); new workers \(fresh)")
        #expect(latency <= 5, "the new call took \(latency) s")
        #expect(try setup.long() == nil, "the long task should still be running")

        let finished = try #require(setup.waitForLong(timeout: 40, watch: watch), "\(world.log)")
        #expect(finished.value == 0 && finished.pid == setup.runner, "\(finished)")
        #expect(finished.end - finished.start >= 19.9, "cut short: \(finished)")
        #expect(finished.end > signaledAt)
        #expect(lines(of: setup.marker) == ["\(setup.runner)"], "ran again: \(lines(of: setup.marker))")
        // Reaped by the new master: only its own workers are left.
        #expect(poll(timeout: 10) { watch.sample() == fresh.sorted() }, "\(watch.sample()); \(world.log)")
        #expect(poll(timeout: 10) { markCount(ProcessTable.descriptors(of: setup.master.pid)) == 2 }, "an old mark was not closed")
        #expect(watch.violations.isEmpty, "more workers than -w plus the old ones: \(watch.violations)")
        note("\(storage) reload: \(watch.samples) child counts sampled, none above -w plus the old ones")
        #expect(setup.master.isRunning && lines(of: setup.boots).count == 2, "\(world.log)")
        #expect(world.log.contains("Adopted worker"), "\(world.log)")
        #expect(try world.huey.storage.claims().isEmpty)
    }

    /// SIGHUP while a 20 s task runs, then the graceful stop (`-g TERM`: SIGTERM): the master
    /// waits for the old worker's task, stores its result, and exits 0 after it.
    static func gracefulStopWaitsForOldWorker(in world: some ReloadWorld) throws {
        let setup = try RunningLongTask(in: world, workers: 1, extra: ["-g", "TERM"])
        let watch = ChildCountWatch(master: setup.master.pid, limit: 1, old: Set(setup.before))
        _ = try setup.reload(workers: 1, watch: watch, world: world)

        setup.master.send(SIGTERM)
        let exit = setup.master.waitForExit(timeout: 45)
        let exitedAt = now()
        #expect(exited(exit, code: 0), "\(String(describing: exit)); \(world.log)")
        // Stored before the master exited: read without waiting.
        let finished = try #require(try setup.long(), "the old task's result is missing; \(world.log)")
        #expect(finished.pid == setup.runner && finished.value == 0, "\(finished)")
        #expect(finished.end - finished.start >= 19.9, "cut short: \(finished)")
        #expect(finished.end <= exitedAt)
        #expect(lines(of: setup.marker).count == 1)
        #expect(ProcessTable.startTime(of: setup.runner) == nil, "the old worker outlived the master")
        #expect(watch.violations.isEmpty, "\(watch.violations)")
    }

    /// SIGHUP while a 20 s task runs, then the immediate stop (SIGTERM): the new master kills
    /// the old worker too and puts its task back in the queue without using a retry.
    static func immediateStopKillsOldWorker(in world: some ReloadWorld) throws {
        let setup = try RunningLongTask(in: world, workers: 1)
        let watch = ChildCountWatch(master: setup.master.pid, limit: 1, old: Set(setup.before))
        _ = try setup.reload(workers: 1, watch: watch, world: world)

        setup.master.send(SIGTERM)
        let signaledAt = now()
        let exit = setup.master.waitForExit(timeout: 20)
        let took = now() - signaledAt
        #expect(exited(exit, code: 0), "\(String(describing: exit)); \(world.log)")
        #expect(took < 15, "the immediate stop took \(took) s")
        #expect(poll(timeout: 10) { ProcessTable.startTime(of: setup.runner) == nil }, "the old worker still runs")
        #expect(try setup.long() == nil, "the task finished instead of being interrupted")
        let pending = try world.huey.pending()
        #expect(pending.map(\.id) == [setup.long.id], "\(world.log)")
        #expect(pending.first?.retries == 2, "an interrupted task used a retry")
        #expect(try world.huey.storage.claims().isEmpty)
    }

    /// SIGHUP while a 20 s task runs, then SIGKILL to its old worker: the new master reaps it
    /// as its own worker, fails the claim with WorkerCrashed (the retry policy applies) and
    /// the retry runs in a new worker.
    static func killedOldWorkerIsRecovered(in world: some ReloadWorld, storage: String) throws {
        let setup = try RunningLongTask(in: world, workers: 1)
        let watch = ChildCountWatch(master: setup.master.pid, limit: 1, old: Set(setup.before))
        let (fresh, _) = try setup.reload(workers: 1, watch: watch, world: world)

        kill(setup.runner, SIGKILL)
        let killedAt = now()
        var failures: [String] = []
        let rerun = try #require(
            setup.waitForLong(timeout: 20, watch: watch, failures: &failures), "never ran again; \(world.log)")
        // The crash may be read between the two runs: then it is WorkerCrashed, nothing else.
        #expect(failures.allSatisfy { $0.contains("killed by signal 9") }, "\(failures)")
        note("\(storage) reload: the old worker's task ran again \(twoDecimals(now() - killedAt)) s after its SIGKILL")
        #expect(rerun.value == 1 && rerun.pid == fresh[0], "\(rerun); new worker \(fresh)")
        #expect(lines(of: setup.marker) == ["\(setup.runner)", "\(fresh[0])"])
        #expect(world.log.contains("(pid \(setup.runner)) died: killed by signal 9"), "\(world.log)")
        #expect(!world.log.contains("left by dead process \(setup.runner)"), "recovered as an orphan; \(world.log)")
        #expect(try world.huey.storage.claims().isEmpty)
        #expect(setup.master.isRunning)
        #expect(watch.violations.isEmpty, "\(watch.violations)")
    }
}

extension ReloadScenarios {
    /// A worker holding a batch — a 20 s call running, calls claimed with it not run — is
    /// handed over by SIGHUP, then SIGKILLed: the new master reads the worker's mark (handed
    /// over with it), so only the running call fails with WorkerCrashed (and is retried); the
    /// batch's other calls go back to the queue and run. Returns how many claims the worker
    /// held, or nil when the long call was the last of its batch (nothing to tell apart: the
    /// caller tries again with a fresh fixture).
    static func killedOldWorkerHoldingBatch(in fixture: ConsumerFixture) throws -> Int? {
        let (tally, marker, boots) = (fixture.file("tally"), fixture.file("long.marker"), fixture.file("boot.log"))
        // Enqueued before the consumer starts: by the long call, the worker's batches have grown.
        var tallies: [TaskResult<Int>] = []
        for n in 0..<300 { tallies.append(try fixture.tasks.tally(n)) }
        let long = try fixture.tasks.longOnce(20, marker)
        for n in 300..<600 { tallies.append(try fixture.tasks.tally(n)) }
        let master = try fixture.start(
            ["consume", "-w", "1", "-k", "process"], environment: ["HUEY_TEST_TALLY": tally, "HUEY_TEST_BOOT_LOG": boots])
        try #require(poll(timeout: 60) { lines(of: marker).count == 1 }, "the long call never started; \(fixture.log)")
        let runner = try #require(Int32(lines(of: marker)[0]))
        let held = try fixture.huey.storage.claims().count { $0.owner.pid == runner }
        guard held >= 2 else { return nil }

        let watch = ChildCountWatch(master: master.pid, limit: 1, old: [runner])
        master.send(SIGHUP)
        var fresh: [Int32] = []
        let reloaded = poll(timeout: 30) {
            fresh = watch.sample().filter { $0 != runner }
            return lines(of: boots).count == 2 && fresh.count == 1
        }
        try #require(reloaded, "no reload: boots \(lines(of: boots)), new workers \(fresh); \(fixture.log)")
        #expect(try fixture.huey.storage.claims().count { $0.owner.pid == runner } == held, "the batch changed")
        kill(runner, SIGKILL)

        // Each tally call has its value: a batch call failed as WorkerCrashed would throw here.
        for (n, result) in tallies.enumerated() {
            #expect(try result.get(blocking: true, timeout: 60) == n, "\(fixture.log)")
        }
        var failures: [String] = []
        var rerun: Ran?
        poll(timeout: 30) {
            do { rerun = try long() } catch {
                failures.append("\(error)")
                long.reset()
            }
            return rerun != nil
        }
        // The crash may be read between the two runs: then it is WorkerCrashed, nothing else.
        #expect(failures.allSatisfy { $0.contains("killed by signal 9") }, "\(failures)")
        let ran = try #require(rerun, "the long call never ran again; \(fixture.log)")
        #expect(ran.value == 1 && ran.pid == fresh[0], "\(ran); new worker \(fresh)")
        #expect(lines(of: marker) == ["\(runner)", "\(fresh[0])"])
        let putBack = master.standardError.components(
            separatedBy: "back in the queue: worker \(runner) died running another call")
        #expect(putBack.count - 1 == held - 1, "\(held) claims held; \(fixture.log)")
        let tallied = Set(lines(of: tally).compactMap { Int($0.split(separator: " ").first ?? "") })
        #expect(tallied == Set(0..<600))
        #expect(try poll(timeout: 10) { try fixture.huey.storage.claims().isEmpty })
        #expect(try fixture.huey.pendingCount == 0)
        #expect(master.isRunning, "\(fixture.log)")
        return held
    }
}

/// The open descriptors of `pid` once two reads 0.6 s apart agree (longer than the master's
/// claims check, which reopens the storage connection closed around a fork), or nil.
func steadyDescriptors(of pid: Int32, timeout: Double = 10) -> [String]? {
    var seen: [String] = []
    let steady = poll(timeout: timeout) {
        let first = ProcessTable.descriptors(of: pid)
        usleep(600_000)
        seen = ProcessTable.descriptors(of: pid)
        return seen == first && !seen.isEmpty
    }
    return steady ? seen : nil
}

/// Whether a descriptor's target (``ProcessTable/descriptors(of:)``) is a worker's RunningCallMark.
func isMark(_ target: String) -> Bool { target.hasPrefix("/memfd:huey-running-call") }

/// The descriptors that are not marks.
func withoutMarks(_ targets: [String]) -> [String] { targets.filter { !isMark($0) } }

/// How many descriptors are marks.
func markCount(_ targets: [String]) -> Int { targets.count(where: isMark) }

/// "1.23" for a note.
func twoDecimals(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
