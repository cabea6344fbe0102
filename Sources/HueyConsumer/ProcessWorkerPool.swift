import CHueyShims
import Foundation
import Huey
import Logging

/// Worker processes (`-k process`): forks them, reaps them, signals and kills them, and
/// backs off from replacing workers that die as soon as they start.
///
/// A graceful request reaches a worker as ``WorkerProcess/stopSignal`` (it leaves between
/// tasks); an immediate stop or a timeout as SIGTERM, followed by SIGKILL after
/// `killGracePeriod`. What the master asked of each worker (``WorkerFate``) decides, when
/// it is reaped, what becomes of its claims (``Recovery``).
final class ProcessWorkerPool: WorkerPool {
    private let huey: Huey
    private let options: ConsumerOptions
    private let masterPID: pid_t
    private let logger = Logger(label: "huey.consumer")
    /// Worker processes by pid.
    private var processes: [pid_t: WorkerRecord] = [:]
    /// No worker is started before this time (monotonic seconds): a crash loop's back-off.
    private(set) var nextStartAt = 0.0
    private var quickCrashes = 0

    init(huey: Huey, options: ConsumerOptions, masterPID: pid_t) {
        self.huey = huey
        self.options = options
        self.masterPID = masterPID
    }

    var kind: String { "process" }

    var liveCount: Int { processes.values.count { $0.fate != .retiring && $0.fate != .interrupted } }

    var hasLiveWorkers: Bool { !processes.isEmpty }

    var workerPIDs: [pid_t] { processes.keys.sorted() }

    var nextKillAt: Double? { processes.values.compactMap(\.killAt).min() }

    /// Retired workers stay children of the same pid across `execve`: the new program adopts them.
    var keepsWorkersAcrossRestart: Bool { true }

    /// A restart waits only for the workers being killed: whether a kill was a timeout
    /// (``TaskTimeout``) or an immediate stop is known to this program alone.
    var holdsRestart: Bool {
        processes.values.contains { record in
            if case .timedOut = record.fate { return true }
            return record.fate == .interrupted
        }
    }

    func checkCanStart() throws {
        let threadCount = _huey_thread_count()
        if threadCount > 1 {
            throw ConfigurationError(
                "process workers need a single-threaded process to fork from, but this one has "
                    + "\(threadCount) threads (something started Dispatch, async code or a thread before the "
                    + "consumer). Run the consumer from a plain synchronous main, or use -k thread.")
        }
    }

    func owns(pid: pid_t) -> Bool { processes[pid] != nil }

    /// Forks one worker process. Before the fork: no storage connection open, stdio
    /// flushed, every signal blocked (so the child never runs the master's handlers
    /// before it has set its own); after it, the parent unblocks.
    func start(number: Int, pipe: SignalPipe) -> Bool {
        huey.storage.closeConnections()
        fflush(nil)
        let mark = RunningCallMark()
        let pid: pid_t
        do {
            try SignalControl.blockAll()
            do {
                pid = try ProcessControl.fork()
            } catch {
                try? SignalControl.unblockAll()
                throw error
            }
        } catch {
            logger.error("cannot start worker \(number): \(error); retrying in 1 s")
            nextStartAt = MonotonicClock.now() + 1
            return false
        }
        if pid == 0 {
            // The worker needs its mark's mapping, not the descriptors of any mark.
            for record in processes.values { record.mark?.closeDescriptor() }
            mark?.closeDescriptor()
            WorkerProcess.run(
                huey: huey, options: options, masterPID: masterPID, number: number, pipe: pipe, mark: mark)
        }
        try? SignalControl.unblockAll()
        processes[pid] = WorkerRecord(pid: pid, number: number, startedAt: MonotonicClock.now(), mark: mark)
        logger.info("Started worker \(number) (pid \(pid)).")
        return true
    }

    /// Reaps every exited worker process, deciding what becomes of each one's claims.
    func reap() -> [ReapedWorker] {
        var reaped: [ReapedWorker] = []
        while true {
            let exited: (pid: pid_t, status: ExitStatus)?
            do { exited = try ProcessControl.reapAny() } catch {
                logger.error("master: waitpid failed: \(error)")
                return reaped
            }
            guard let (pid, status) = exited else { return reaped }
            guard let record = processes.removeValue(forKey: pid) else {
                logger.debug("reaped pid \(pid), not a worker (\(status))")
                continue
            }
            reaped.append(
                ReapedWorker(
                    pid: pid, number: record.number, recovery: classify(record, status: status),
                    diedUnasked: record.fate == .running && status != .exited(0)))
        }
    }

    private func classify(_ record: WorkerRecord, status: ExitStatus) -> Recovery {
        let name = "worker \(record.number) (pid \(record.pid))"
        switch record.fate {
        case .interrupted:
            logger.info("\(name) stopped (\(status)).")
            return .interrupt
        case .timedOut(let token, let timeout):
            logger.warning("\(name) was killed: its task ran past its timeout of \(format(timeout)) s.")
            return .timeout(token: token, timeout: timeout)
        case .retiring, .running:
            let early = MonotonicClock.now() - record.startedAt < 1
            if status == .exited(0) && record.inherited {
                logger.info("\(name), from before the restart, finished and left.")
            } else if status == .exited(0) {
                logger.debug("\(name) exited.")
            } else {
                logger.error("\(name) died: \(status).")
            }
            return .crash(
                reason: "worker \(record.pid) \(status)", early: early && status != .exited(0),
                running: record.mark?.running ?? .unknown)
        }
    }

    /// Backs off from replacing workers that keep dying right after they start without
    /// holding a task (a startup hook that crashes, say), so the master does not fork in
    /// a tight loop. A worker killed by its task does not count.
    func noteRecovered(_ worker: ReapedWorker, heldTask: Bool) {
        guard case .crash(_, let early, _) = worker.recovery else { return }
        guard early && !heldTask else {
            quickCrashes = 0
            return
        }
        quickCrashes += 1
        let delay = min(0.1 * pow(2, Double(quickCrashes)), 10)
        nextStartAt = MonotonicClock.now() + delay
        logger.warning("Workers are dying at start; next one in \(format(delay)) s.")
    }

    /// Leaves every worker not yet reaped (all told to leave by the restart) to the
    /// re-executed master, through ``DrainingWorkers``, each with its ``RunningCallMark``
    /// descriptor, which stays open across the `execve`.
    func handOver() {
        let workers = processes.values.sorted { $0.number < $1.number }
        DrainingWorkers.export(workers.map {
            InheritedWorker(pid: $0.pid, number: $0.number, markDescriptor: $0.mark?.descriptorForExec())
        })
    }

    /// Takes over the workers the master before the restart left running, mapping each one's
    /// ``RunningCallMark`` again from its handed-over descriptor, so if one dies unasked only
    /// the call it was running crashes. A worker handed over without a mark (no memfd, or
    /// one that cannot be mapped) fails every claim it holds (``RunningCall/unknown``).
    func adopt(_ workers: [InheritedWorker]) {
        for worker in workers {
            guard processes[worker.pid] == nil else {
                worker.markDescriptor.map(RunningCallMark.closeIfMark)
                continue
            }
            let mark = worker.markDescriptor.flatMap(RunningCallMark.init(adopting:))
            if mark == nil {
                logger.warning("Worker \(worker.number) (pid \(worker.pid)) was handed over without its running-call mark.")
            }
            // startedAt 0: long ago, so its death is never taken for a crash at start.
            processes[worker.pid] = WorkerRecord(
                pid: worker.pid, number: worker.number, startedAt: 0, mark: mark, fate: .retiring, inherited: true)
            logger.info("Adopted worker \(worker.number) (pid \(worker.pid)) from before the restart; it leaves after its task.")
        }
    }

    /// Retires the newest idle worker (one holding no claim in the storage) when there is
    /// one, else the newest. It leaves between tasks; a body it is running is never
    /// interrupted (see ``WorkerProcess``).
    func retireOne() {
        let candidates = processes.values.filter { $0.fate == .running }
        let busy = busyWorkerPIDs()
        let idle = candidates.filter { !busy.contains($0.pid) }
        guard let record = (idle.isEmpty ? candidates : idle).max(by: { $0.number < $1.number }) else { return }
        processes[record.pid]?.fate = .retiring
        signal(WorkerProcess.stopSignal, to: record.pid)
        logger.info("Retiring \(idle.isEmpty ? "busy" : "idle") worker \(record.number) (pid \(record.pid)).")
    }

    /// The pids of this machine's processes that hold a claim now; empty when the claims
    /// cannot be read (logged), so retirement then falls back to the newest worker.
    private func busyWorkerPIDs() -> Set<pid_t> {
        do {
            return Set(try huey.storage.claims().filter(\.owner.isLocal).map(\.owner.pid))
        } catch {
            logger.error("cannot read claims to find an idle worker: \(error)")
            return []
        }
    }

    func retireAll() {
        for (pid, record) in processes where record.fate == .running {
            processes[pid]?.fate = .retiring
            signal(WorkerProcess.stopSignal, to: pid)
        }
    }

    func interruptAll() {
        for (pid, record) in processes {
            if case .timedOut = record.fate { continue }
            if record.fate == .interrupted { continue }
            terminate(pid, fate: .interrupted)
        }
    }

    /// Kills the worker holding `claim` (SIGTERM, SIGKILL after the grace period); the
    /// claim fails with ``TaskTimeout`` when the worker is reaped.
    func overran(_ claim: Claim, named name: String, timeout: Double) {
        guard let record = processes[claim.owner.pid], record.fate == .running || record.fate == .retiring else {
            return
        }
        logger.warning(
            "Task \(name) ran past its timeout of \(format(timeout)) s; killing worker \(record.number) (pid \(record.pid)).")
        terminate(record.pid, fate: .timedOut(token: claim.token, timeout: timeout))
    }

    /// Sends SIGKILL to workers still alive after their SIGTERM grace period.
    func escalateKills() {
        let now = MonotonicClock.now()
        for (pid, record) in processes {
            guard let killAt = record.killAt, now >= killAt else { continue }
            logger.warning("Worker \(record.number) (pid \(pid)) ignored SIGTERM; sending SIGKILL.")
            signal(SIGKILL, to: pid)
            processes[pid]?.killAt = nil
        }
    }

    /// Sends SIGTERM to worker `pid`, remembering why, with SIGKILL to follow.
    private func terminate(_ pid: pid_t, fate: WorkerFate) {
        processes[pid]?.fate = fate
        processes[pid]?.killAt = MonotonicClock.now() + options.killGracePeriod
        signal(SIGTERM, to: pid)
    }

    /// Sends a signal to a worker, logging a failure.
    private func signal(_ signal: Int32, to pid: pid_t) {
        do {
            try ProcessControl.send(signal, to: pid)
        } catch {
            logger.error("cannot send \(SignalControl.name(of: signal)) to worker \(pid): \(error)")
        }
    }
}

/// A worker process the master forked.
struct WorkerRecord {
    /// Its pid.
    let pid: pid_t
    /// Its number, for logs.
    let number: Int
    /// When it was forked (monotonic seconds).
    let startedAt: Double
    /// Which of its claims it is running (nil: the memory could not be mapped, or it was
    /// adopted without a mark).
    let mark: RunningCallMark?
    /// What the master asked of it.
    var fate = WorkerFate.running
    /// When to send SIGKILL if it has not died (monotonic seconds).
    var killAt: Double?
    /// Whether it was started by the program before a SIGHUP re-exec and adopted.
    var inherited = false
}

/// What the master asked of a worker, which decides what its claims become when it dies.
enum WorkerFate: Equatable {
    /// Nothing: if it dies holding a claim, it crashed.
    case running
    /// Told to finish its task and exit (``WorkerProcess/stopSignal``).
    case retiring
    /// Killed for a consumer stop: its claims go back to the queue.
    case interrupted
    /// Killed because the claim `token` overran its `timeout`.
    case timedOut(token: String, timeout: Double)
}
