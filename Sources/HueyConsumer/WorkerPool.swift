import Foundation
import Huey

/// The workers a ``Consumer`` supervises: forked processes (``ProcessWorkerPool``,
/// `-k process`) or threads of the consumer's process (``ThreadWorkerPool``, `-k thread`).
///
/// The consumer decides how many workers there should be and when to stop; the pool
/// starts, retires, interrupts and collects them, and says what becomes of a dead worker's
/// claims. Every method is called from the master's thread.
protocol WorkerPool: AnyObject {
    /// "process" or "thread", for logs.
    var kind: String { get }
    /// The workers counted toward the target: not told to leave.
    var liveCount: Int { get }
    /// The pids of its worker processes, lowest first (empty for threads, which share the
    /// master's pid).
    var workerPIDs: [pid_t] { get }
    /// Whether any worker has not ended yet (the consumer waits for them when stopping).
    var hasLiveWorkers: Bool { get }
    /// The earliest real time (monotonic seconds) another worker may be started: later
    /// than now while a crash loop is backed off from.
    var nextStartAt: Double { get }
    /// The earliest real time a worker is due to be killed (its grace period ended), if any.
    var nextKillAt: Double? { get }
    /// Whether workers told to leave keep running across a SIGHUP re-exec, adopted by the
    /// new program (processes: they stay children of the same pid). Threads end with the
    /// program, so a restart of a thread pool first waits for them all.
    var keepsWorkersAcrossRestart: Bool { get }
    /// Whether a restart must still wait before it re-executes: a thread pool until every
    /// thread has ended; a process pool only while it is killing workers (for a timeout or
    /// an immediate stop), since what each kill means lives in this program's memory.
    var holdsRestart: Bool { get }

    /// Throws when this process cannot host the pool (a process pool needs a single thread
    /// to fork from).
    /// - Throws: ``ConfigurationError``.
    func checkCanStart() throws
    /// Starts worker `number`; false when it could not be started (logged; try again at
    /// ``nextStartAt``).
    func start(number: Int, pipe: SignalPipe) -> Bool
    /// Collects the workers that ended, saying what becomes of each one's claims.
    func reap() -> [ReapedWorker]
    /// Asks one worker to finish its task and leave (SIGTTOU).
    func retireOne()
    /// Asks every worker to finish its task and leave (graceful stop or restart).
    func retireAll()
    /// Stops every worker now; their tasks go back to the queue (immediate stop).
    func interruptAll()
    /// The task of `claim` (`name`, for logs) ran past its `timeout`: a process pool kills
    /// its worker, a thread pool warns.
    func overran(_ claim: Claim, named name: String, timeout: Double)
    /// Kills the workers still alive after their grace period.
    func escalateKills()
    /// Whether the local process `pid` is one of this pool's workers (its claims are
    /// recovered when it is reaped, not as orphans).
    func owns(pid: pid_t) -> Bool
    /// Leaves the workers still running for the re-executed program (``DrainingWorkers``);
    /// a thread pool has none to leave.
    func handOver()
    /// Takes over the workers a predecessor handed over: they finish their task and leave,
    /// never count toward the target, and are reaped, timed out and stopped like the
    /// pool's own. A thread pool has none.
    func adopt(_ workers: [InheritedWorker])
    /// A dead worker's claims were recovered; `heldTask` says whether it held any. A
    /// worker that died right after it started holding nothing is a crash loop to back
    /// off from.
    func noteRecovered(_ worker: ReapedWorker, heldTask: Bool)
}

/// A worker the pool found ended, and what becomes of its claims.
struct ReapedWorker {
    /// Its pid (its claims' owner).
    let pid: pid_t
    /// Its number, for logs.
    let number: Int
    /// What its claims become.
    let recovery: Recovery
    /// Whether it died without being asked to (not retired, stopped or killed by the master).
    let diedUnasked: Bool
}

/// What becomes of a dead worker's claims.
enum Recovery {
    /// Put them back in the queue (``ClaimVerdict/interrupted``).
    case interrupt
    /// Fail the claim `token` with ``TaskTimeout``; put back the other calls of its batch,
    /// which were not running (``ClaimVerdict/notRunning``).
    case timeout(token: String, timeout: Double)
    /// Fail the call it was `running` with ``WorkerCrashed`` and this reason, and put back
    /// the ones it had not started or had finished without acknowledging them (a batch);
    /// fail them all when which one ran is ``RunningCall/unknown``. `early`: the worker died
    /// within a second of starting (with no task held, that is a crash loop to back off from).
    case crash(reason: String, early: Bool, running: RunningCall = .unknown)

    /// The verdict for `claim`, one of the dead worker's claims.
    func verdict(for claim: Claim) -> ClaimVerdict {
        switch self {
        case .interrupt: return .interrupted
        case .timeout(let token, let timeout): return token == claim.token ? .timedOut(timeout: timeout) : .notRunning
        case .crash(let reason, _, .unknown): return .crashed(reason: reason)
        case .crash(let reason, _, .claim(let token)):
            return token == claim.token ? .crashed(reason: reason) : .notRunning
        case .crash(_, _, .none): return .notRunning
        }
    }
}

extension WorkerType {
    /// Makes the pool of this kind of workers.
    func makePool(huey: Huey, options: ConsumerOptions, masterPID: pid_t) -> any WorkerPool {
        switch self {
        case .process: return ProcessWorkerPool(huey: huey, options: options, masterPID: masterPID)
        case .thread: return ThreadWorkerPool(huey: huey, options: options, masterPID: masterPID)
        }
    }
}
