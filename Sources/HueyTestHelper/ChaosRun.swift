import Foundation
import HueyTestSupport
import Huey

/// One planned call of the chaos run.
struct ChaosCall {
    /// Its id (the key of its result).
    var id: String
    var kind: ChaosTasks.Kind
    /// The argument `i`, which a successful call returns.
    var index: Int
}

/// The chaos driver's state: the queue, the calls enqueued, the consumers started and
/// the kills so far (see ``ChaosCommand``).
final class ChaosRun {
    let options: ChaosOptions
    let huey: Huey
    let markers: String
    let journal: String
    var rng: SeededGenerator
    private(set) var calls: [ChaosCall] = []
    /// Every master started, in order; the last is the current one.
    var masters: [ChildProcess] = []
    var workerKills = 0
    var masterKills = 0
    /// Workers of killed masters still to see gone, with the time they must be gone by.
    var orphans: [(process: ProcessEntry, by: Double)] = []
    /// Rules broken during the run (the final check adds its own).
    private(set) var violations: [String] = []
    /// When the current master was started (Unix seconds).
    var lastMasterStart = 0.0

    /// Prepares `options.directory`: a flushed storage, empty markers and journal.
    /// - Throws: when the folder or the storage cannot be set up.
    init(options: ChaosOptions) throws {
        self.options = options
        markers = options.directory + "/markers"
        journal = options.directory + "/journal.log"
        rng = SeededGenerator(seed: options.seed)
        let files = FileManager.default
        try files.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        try? files.removeItem(atPath: markers)
        try? files.removeItem(atPath: journal)
        try files.createDirectory(atPath: markers, withIntermediateDirectories: true)
        huey = try options.storage.open()
        try huey.storage.flushAll()
    }

    /// Enqueues the calls, runs the chaos, stops the consumer and checks the outcome.
    /// - Throws: when the calls cannot be enqueued or a consumer cannot be started.
    func execute() throws -> ChaosReport {
        try enqueueCalls()
        let started = Date().timeIntervalSince1970
        try startMaster()
        let settled = runChaos(started: started)
        let exit = stopMaster()
        if exit != 0 { violations.append("the last master's graceful stop ended with \(exit.map(String.init) ?? "no exit")") }
        killEverything()
        let elapsed = Date().timeIntervalSince1970 - started
        if !settled { violations.append("not settled after the deadline of \(options.deadline) s") }
        return try ChaosReport(run: self, elapsed: elapsed, earlierViolations: violations)
    }

    /// Enqueues `options.tasks` calls: the mix of ``ChaosTasks``, shuffled.
    private func enqueueCalls() throws {
        let tasks = ChaosTasks.register(on: huey, journal: nil)
        let share = options.tasks * 5 / 100
        var kinds = [ChaosTasks.Kind](repeating: .ok, count: options.tasks - 3 * share)
        for kind in [ChaosTasks.Kind.crashFirst, .slow, .fail] { kinds += Array(repeating: kind, count: share) }
        kinds.shuffle(using: &rng)
        var batch: [TaskCall] = []
        for (index, kind) in kinds.enumerated() {
            let call: TaskCall
            switch kind {
            case .ok: call = tasks.ok.s(index)
            case .crashFirst: call = tasks.crashFirst.s(index, markers)
            case .slow: call = tasks.slow.s(index, markers)
            case .fail: call = tasks.fail.s(index)
            }
            calls.append(ChaosCall(id: call.id, kind: kind, index: index))
            batch.append(call)
            if batch.count == 500 {
                try huey.enqueue(batch)
                batch.removeAll()
            }
        }
        if !batch.isEmpty { try huey.enqueue(batch) }
    }

    /// Kills workers and masters until 95% of the calls have results (or half the
    /// deadline passed), then waits for everything to settle. Returns whether it did
    /// before the deadline.
    private func runChaos(started: Double) -> Bool {
        let total = calls.count
        let masterKillPoints = [total / 3, 2 * total / 3]
        var killing = true
        var lastProgress = started
        while true {
            let now = Date().timeIntervalSince1970
            if now - started > options.deadline { return false }
            let done = (try? huey.storage.resultStoreSize()) ?? 0
            if now - lastProgress >= 2 {
                progress("t=\(Int(now - started))s results=\(done)/\(total) worker-kills=\(workerKills) master-kills=\(masterKills)")
                lastProgress = now
            }
            watchOrphans(now: now)
            if masterKills < masterKillPoints.count && done >= masterKillPoints[masterKills]
                && now - lastMasterStart >= 2
            {
                do { try killMaster() } catch {
                    violations.append("cannot start a new master: \(error)")
                    return false
                }
                continue
            }
            if killing && masterKills == masterKillPoints.count
                && (done >= total - total / 20 || now - started > options.deadline / 2)
            {
                killing = false
                progress("t=\(Int(now - started))s results=\(done)/\(total): killing stops, settling")
            }
            if killing {
                killRandomWorker()
                usleep(UInt32.random(in: 50_000...200_000, using: &rng))
            } else {
                if done >= total && isDrained() && orphans.isEmpty { return true }
                usleep(100_000)
            }
        }
    }

    /// Whether queue, schedule and claims are all empty.
    private func isDrained() -> Bool {
        let storage = huey.storage
        guard let queued = try? storage.queueSize(), let scheduled = try? storage.scheduleSize(),
            let claims = try? storage.claims()
        else { return false }
        return queued == 0 && scheduled == 0 && claims.isEmpty
    }

    func progress(_ line: String) {
        FileHandle.standardError.write(Data("chaos: \(line)\n".utf8))
    }

    /// Workers of a killed master must die with it (PDEATHSIG); one still running 5 s
    /// later is a violation, and is killed.
    private func watchOrphans(now: Double) {
        orphans.removeAll { orphan in
            if !orphan.process.isRunning { return true }
            guard now >= orphan.by else { return false }
            violations.append("worker \(orphan.process.pid) outlived its killed master by 5 s")
            kill(orphan.process.pid, SIGKILL)
            return true
        }
    }
}
