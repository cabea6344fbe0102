import CHueyShims
import Foundation
import Logging

/// What a forked worker process runs (`-k process`). It never returns: it leaves with
/// `_exit`.
///
/// Signals in a worker — the master decides every stop, so a worker reacts only to what
/// the master sends it:
/// | signal | worker does |
/// | --- | --- |
/// | SIGINT, SIGHUP, SIGTTIN, SIGTTOU | ignored (a terminal's Ctrl-C reaches the whole process group; the master turns it into a graceful stop) |
/// | SIGUSR1 | a stop request: finish the current task, then exit 0 (graceful stop, restart, one worker fewer) |
/// | SIGTERM | default action: die at once. The master sends it for an immediate stop and for a task past its timeout, and knows which: it puts the task back in the queue (``Huey/interrupt(_:in:)``, no retry used) or records ``TaskTimeout`` |
/// | parent death | `PR_SET_PDEATHSIG` sends SIGTERM; the worker also checks `getppid()` between tasks |
///
/// A graceful stop never touches a running task body. SIGUSR1 stays **blocked** for the
/// worker's whole life: when it arrives it waits, pending, and interrupts no system call
/// (a handler would make the body's `usleep`, `read` or `poll` fail with EINTR, and most
/// code does not resume). The loop takes the pending signal between tasks and in each
/// slice of its idle wait (``WorkerLoop/waitSlice``), so an idle worker leaves within a
/// quarter of a second and a busy one right after its task. Threads a task starts inherit
/// the blocked mask, so none of them receives it either. Only SIGTERM (an immediate stop,
/// a timeout) cuts a body short.
///
/// Exit statuses: 0 = stopped as asked, retired after `-M` or `--max-memory`, or its master is gone;
/// 1 = could not set itself up. Anything else (a signal the master did not send, a
/// crash) is a crash: the master fails the task that was running with ``WorkerCrashed``
/// (the worker shows which in its ``RunningCallMark``) and puts back the others it held.
enum WorkerProcess {
    /// The worker stops after its current task when it gets this signal.
    static let stopSignal = SIGUSR1

    /// Runs the worker in a freshly forked child, then `_exit`s.
    /// - Parameters:
    ///   - huey: the queue (its storage reopens its connections in this process).
    ///   - options: the consumer's options.
    ///   - masterPID: the master's pid, to notice when it is gone.
    ///   - number: the worker's number, for logs.
    ///   - pipe: the master's signal pipe, closed here.
    ///   - mark: where it shows the master which call it is running.
    static func run(
        huey: Huey, options: ConsumerOptions, masterPID: pid_t, number: Int, pipe: SignalPipe, mark: RunningCallMark?
    ) -> Never {
        do {
            try setUpSignals(pipe: pipe)
        } catch {
            let line = "huey worker \(getpid()): cannot set up signals: \(error)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            ProcessControl.exitImmediately(1)
        }
        if getppid() != masterPID { ProcessControl.exitImmediately(0) }

        let logger = Logger(label: "huey.consumer")
        let owner = ClaimOwner.current
        logger.debug("worker \(number) started (pid \(owner.pid))")
        // A full disk pauses this worker's writes (its claim kept) until space returns.
        huey.storage.pauseWhenFull(
            FullDiskPause(label: "worker \(owner.pid)", logger: logger, keepWaiting: { getppid() == masterPID }))
        huey.runStartupHooks()
        let periodic = DynamicPeriodicWatch(huey: huey, logger: logger)
        let loop = WorkerLoop(
            huey: huey, options: options, logger: logger, owner: owner, ownsItsClaims: true,
            shouldStop: { SignalControl.stopRequested || getppid() != masterPID },
            whenIdle: periodic.check, willRun: { mark?.set($0) }, memoryCap: options.maxMemoryBytes)
        let done = loop.run()
        periodic.check()
        huey.runShutdownHooks()
        huey.storage.closeConnections()
        logger.debug("worker \(number) (pid \(owner.pid)) stopping after \(done) tasks")
        ProcessControl.exitImmediately(0)
    }

    /// Right after fork, with every signal still blocked: detach from the master's pipe,
    /// set this worker's dispositions, ask for a signal when the master dies, unblock all
    /// but the stop signal.
    private static func setUpSignals(pipe: SignalPipe) throws {
        pipe.detachInChild()
        for signal in [SIGINT, SIGHUP, SIGTTIN, SIGTTOU, SIGPIPE] { try SignalControl.ignore(signal) }
        for signal in [SIGTERM, SIGCHLD, SIGQUIT, SIGUSR2, SIGALRM] { try SignalControl.setDefault(signal) }
        _huey_reset_stop_flag()
        try systemCall("prctl(PR_SET_PDEATHSIG)") { _huey_set_parent_death_signal(SIGTERM) }
        // Unblocks every signal but the stop request, which stays held (see above).
        try SignalControl.holdStopSignal(stopSignal)
    }
}
