import Foundation
import Huey
import Logging

/// Worker threads in the consumer's own process (`-k thread`).
///
/// Threads cannot be killed: a stop request is a flag they read between tasks, a task past
/// its timeout is only warned about (timeouts are cooperative, ``TaskContext/checkTimeout()``),
/// and an immediate stop puts back the claims of this process and leaves the threads to
/// end with it. Their claims are owned by the consumer's process, so no claim of theirs is
/// recovered by reaping.
final class ThreadWorkerPool: WorkerPool {
    private let huey: Huey
    private let options: ConsumerOptions
    private let masterPID: pid_t
    private let logger = Logger(label: "huey.consumer")
    private var threads: [WorkerThread] = []
    /// Set for a graceful stop or restart (every thread leaves after its task), and for
    /// an immediate stop.
    private let stopAll = StopFlag()
    /// Set for an immediate stop: the threads are abandoned to end with the process.
    private let abandoned = StopFlag()
    /// Claim tokens already warned about as overrunning.
    private var overrunWarnings: Set<String> = []

    init(huey: Huey, options: ConsumerOptions, masterPID: pid_t) {
        self.huey = huey
        self.options = options
        self.masterPID = masterPID
    }

    var kind: String { "thread" }

    var liveCount: Int { threads.count { !$0.isFinished && !$0.isRetiring } }

    var workerPIDs: [pid_t] { [] }

    /// After an immediate stop there is nothing to wait for: their claims are back in the
    /// queue and a thread that finishes its task later finds its claim gone.
    var hasLiveWorkers: Bool { !abandoned.isSet && threads.contains { !$0.isFinished } }

    var nextStartAt: Double { 0 }

    var nextKillAt: Double? { nil }

    /// Threads end with the program: a SIGHUP restart waits for every one (drain, then exec).
    var keepsWorkersAcrossRestart: Bool { false }

    var holdsRestart: Bool { hasLiveWorkers }

    /// Nothing outlives the re-exec.
    func handOver() {}

    /// Only a process pool hands workers over; if the program before the re-exec ran process
    /// workers (its default changed), they are left to finish, and the health check recovers
    /// the claims of any that dies. Their mark descriptors are closed.
    func adopt(_ workers: [InheritedWorker]) {
        guard !workers.isEmpty else { return }
        for worker in workers { worker.markDescriptor.map(RunningCallMark.closeIfMark) }
        logger.warning(
            "\(workers.count) worker process(es) from before the restart are not adopted by thread workers; they finish their task.")
    }

    func checkCanStart() throws {}

    /// A claim's owner is this process, never a thread: nothing to reap.
    func owns(pid: pid_t) -> Bool { false }

    func start(number: Int, pipe: SignalPipe) -> Bool {
        let thread = WorkerThread(number: number)
        threads.append(thread)
        // A new thread inherits the creator's signal mask: start it with every
        // signal blocked so signals are delivered to the master thread only.
        try? SignalControl.blockAll()
        thread.start(
            huey: huey, options: options, stopAll: stopAll, abandoned: abandoned, wakeDescriptor: pipe.writeDescriptor)
        try? SignalControl.unblockAll()
        return true
    }

    /// Forgets the threads that ended.
    func reap() -> [ReapedWorker] {
        threads.removeAll { $0.isFinished }
        return []
    }

    func noteRecovered(_ worker: ReapedWorker, heldTask: Bool) {}

    /// Retires the newest thread waiting for work when there is one, else the newest.
    func retireOne() {
        let live = threads.filter { !$0.isFinished && !$0.isRetiring }
        let idle = live.filter(\.isIdle)
        guard let thread = (idle.isEmpty ? live : idle).last else { return }
        thread.retire()
        logger.info("Retiring \(idle.isEmpty ? "busy" : "idle") worker thread \(thread.number).")
    }

    func retireAll() { stopAll.set() }

    /// Stops the threads claiming, and puts back what this process holds. A thread that
    /// finishes its task later finds its claim gone and stores nothing.
    func interruptAll() {
        stopAll.set()
        abandoned.set()
        let recovery = ClaimRecovery(huey: huey, logger: logger)
        do {
            try recovery.sweep { claim in
                claim.owner.isLocal && claim.owner.pid == masterPID && claim.owner.isAlive ? .interrupted : nil
            }
        } catch {
            logger.error("cannot put interrupted tasks back in the queue: \(error); the next consumer will")
        }
    }

    /// Warns once per claim: a thread cannot be killed.
    func overran(_ claim: Claim, named name: String, timeout: Double) {
        guard claim.owner.pid == masterPID, overrunWarnings.insert(claim.token).inserted else { return }
        if overrunWarnings.count > 1000 { overrunWarnings.removeAll() }
        logger.warning(
            "Task \(name) ran past its timeout of \(format(timeout)) s; thread workers stop only when the task checks (TaskContext.checkTimeout()).")
    }

    func escalateKills() {}
}
