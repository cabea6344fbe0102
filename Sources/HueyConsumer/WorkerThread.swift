import Foundation
import Logging
import Synchronization

/// One worker thread (`-k thread`): the same loop as a worker process, in the
/// consumer's own process. Timeouts are cooperative here — a task checks
/// ``TaskContext/checkTimeout()`` — since a thread cannot be killed.
///
/// Foundation's `Thread` is used only in thread mode, where the master never forks.
final class WorkerThread: Sendable {
    /// The worker's number, for logs.
    let number: Int
    /// Set by the master to stop this one thread after its current task (SIGTTOU).
    let stopRequested = Atomic<Bool>(false)
    /// Set by the thread when its loop has ended.
    let finished = Atomic<Bool>(false)
    /// Whether the thread may be running a call (false only while it waits for work).
    let busy = Atomic<Bool>(false)

    init(number: Int) {
        self.number = number
    }

    /// Whether the thread's loop has ended.
    var isFinished: Bool { finished.load(ordering: .acquiring) }
    /// Whether the thread is waiting for work (it may claim a call a moment later).
    var isIdle: Bool { !busy.load(ordering: .relaxed) }
    /// Whether the master asked this thread to stop.
    var isRetiring: Bool { stopRequested.load(ordering: .relaxed) }
    /// Asks this thread to stop after its current task.
    func retire() { stopRequested.store(true, ordering: .relaxed) }

    /// Starts the thread.
    /// - Parameters:
    ///   - huey: the queue.
    ///   - options: the consumer's options.
    ///   - stopAll: the consumer-wide stop flag (graceful stop or restart).
    ///   - abandoned: set by an immediate stop: a write waiting out a full disk gives up.
    ///   - wakeDescriptor: the master's signal pipe; the thread writes a byte there when
    ///     it ends, to wake the master.
    func start(huey: Huey, options: ConsumerOptions, stopAll: StopFlag, abandoned: StopFlag, wakeDescriptor: Int32) {
        let thread = Thread { [self] in
            // Named from inside: that also names the OS thread (ps -L, /proc/…/comm, debuggers).
            Thread.current.name = "huey-worker-\(number)"
            let logger = Logger(label: "huey.consumer")
            // As a worker process: a full disk pauses this thread's writes (its claim kept)
            // until space returns; the master's writes still fail at once.
            let pause = FullDiskPause(
                label: "worker thread \(number)", logger: logger, keepWaiting: { !abandoned.isSet })
            let done = FullDiskPause.$current.withValue(pause) { run(huey: huey, options: options, logger: logger, stopAll: stopAll) }
            logger.debug("worker thread \(number) stopping after \(done) tasks")
            finished.store(true, ordering: .releasing)
            var byte = SignalPipe.threadExitedByte
            _ = write(wakeDescriptor, &byte, 1)
        }
        thread.start()
    }

    /// The thread's life: startup hooks, the worker loop, shutdown hooks; returns the tasks run.
    private func run(huey: Huey, options: ConsumerOptions, logger: Logger, stopAll: StopFlag) -> Int {
        logger.debug("worker thread \(number) started")
        huey.runStartupHooks()
        let loop = WorkerLoop(
            huey: huey, options: options, logger: logger, owner: ClaimOwner.current, ownsItsClaims: false,
            shouldStop: { stopAll.isSet || self.stopRequested.load(ordering: .relaxed) },
            busyChanged: { busy in
                // Logged on the change to idle only (with -v), so a reader sees which thread SIGTTOU can retire.
                if self.busy.exchange(busy, ordering: .relaxed) && !busy { logger.debug("worker thread \(self.number) idle") }
            })
        let done = loop.run()
        huey.runShutdownHooks()
        return done
    }
}

/// A flag shared by the master and its worker threads.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    /// Whether it was set.
    var isSet: Bool { value.load(ordering: .acquiring) }
    /// Sets it.
    func set() { value.store(true, ordering: .releasing) }
}
