import Foundation
import Logging

/// The consumer: a master that runs the scheduler and supervises N workers that run tasks.
///
/// ```swift
/// try Consumer(huey: huey, workers: 4, workerType: .process).run()
/// ```
/// The master is one thread with no Dispatch and no Swift concurrency. It forks its
/// workers (`.process`, the default) or starts threads (`.thread`), then loops on
/// `poll()` over a self-pipe fed by its signal handlers, waking for each scheduler tick:
/// it reaps workers, moves due scheduled calls to the queue, enqueues periodic tasks once
/// per minute and per fleet (other consumers on the storage do not enqueue them again),
/// refreshes its record in the registry of live consumers, kills workers whose task ran past its timeout, replaces dead workers and
/// recovers the claims of dead processes — a task is never lost (DESIGN §6).
///
/// Signals to the master (with `gracefulSignal: .term` SIGINT and SIGTERM swap):
/// - SIGINT: graceful stop — no new tasks, running ones finish (up to `shutdownTimeout`),
///   then ``run()`` returns. A second SIGINT stops now.
/// - SIGTERM: stop now — workers are killed, their tasks go back to the queue without
///   using a retry (signal `interrupted`), then ``run()`` returns.
/// - SIGHUP: restart without a gap — the master tells every worker to leave after its task
///   and re-executes `/proc/self/exe` at once with the same arguments (same pid, new code).
///   The new program adopts the old worker processes still finishing their task
///   (``DrainingWorkers``) and starts its own workers right away. Thread workers cannot
///   outlive the re-exec: with `-k thread` running tasks finish first, then it re-executes.
/// - SIGTTIN / SIGTTOU: one worker more / fewer.
///
/// Where its parts live: the loop, the tick and the signal table in `Consumer+Master.swift`;
/// the worker count in `Consumer+Workers.swift` (the workers themselves in a
/// ``WorkerPool``); the scheduler in `Consumer+Scheduler.swift`; claim scans in
/// `Consumer+Recovery.swift` (the policy in ``ClaimRecovery``); stopping (and systemd
/// notifications) in `Consumer+Shutdown.swift`; storage upkeep in `Consumer+Storage.swift`;
/// the registry record in `Consumer+Registry.swift`.
public final class Consumer {
    /// The queue consumed.
    public let huey: Huey
    /// The options in force.
    public let options: ConsumerOptions

    let logger = Logger(label: "huey.consumer")
    let masterPID = getpid()
    var pipe: SignalPipe!
    var phase = Phase.running
    /// The workers: processes or threads, as `options.workerType` says.
    let pool: any WorkerPool
    /// How many workers should be running now (changed by SIGTTIN/SIGTTOU, and by crashes
    /// when the health check is off).
    var targetWorkers: Int
    var workerNumbers = 0
    /// Claims of reaped workers still to recover (retried each tick if storage fails).
    var recoveries: [pid_t: ReapedWorker] = [:]
    /// Consecutive failed attempts at `recoveries` (a stop gives up after a few: the next
    /// consumer recovers those claims as orphans).
    var recoveryFailures = 0
    var timer: SchedulerTimer
    var periodicMinutes: PeriodicMinutes
    var nextClaimsCheck = 0.0
    var nextHealthCheck = 0.0
    /// When the master next refreshes its record in the registry of live consumers.
    var nextRegistration = 0.0
    /// When this master started (Unix seconds), for its registry record.
    let startedAt = Date().timeIntervalSince1970
    /// Tells systemd how the consumer is doing (nothing without `$NOTIFY_SOCKET`).
    let notifier = SystemdNotifier()
    /// When the master last said the disk is full (see `Consumer+Storage.swift`).
    var fullDiskNotice = FullDiskNotice()
    /// The minute the statistics were last pruned (once a minute, in ``maintainStorage(final:)``).
    var statisticsPrunedMinute = Int.min

    /// Makes a consumer with `options`. Nothing starts (and nothing about this process
    /// changes) until ``run()``.
    public init(huey: Huey, options: ConsumerOptions = ConsumerOptions()) {
        self.huey = huey
        self.options = options
        self.targetWorkers = options.workers
        self.timer = SchedulerTimer(interval: options.schedulerInterval)
        self.periodicMinutes = PeriodicMinutes(startingAt: PeriodicMinutes.minute(of: huey.clock().timeIntervalSince1970))
        self.pool = options.workerType.makePool(huey: huey, options: options, masterPID: getpid())
    }

    /// Makes a consumer with `workers` workers of `workerType` and every other option at
    /// its default.
    public convenience init(huey: Huey, workers: Int, workerType: WorkerType = .process) {
        self.init(huey: huey, options: ConsumerOptions(workers: workers, workerType: workerType))
    }

    /// Runs until stopped by a signal; returns after a stop (graceful or not). A SIGHUP
    /// restart re-executes the program and does not return.
    ///
    /// Call it from the main thread of a process that has started no other thread (no
    /// Dispatch, no `async` main) when the workers are processes.
    /// - Throws: ``ConfigurationError`` for bad options, a Huey in immediate mode (its
    ///   calls run when made and never reach a queue, as Huey refuses too) or a
    ///   multithreaded process;
    ///   ``SystemError`` when the signal pipe cannot be set up; ``StorageError`` when the
    ///   storage is read-only or unusable (checked before anything starts) or locks cannot
    ///   be flushed at start.
    public func run() throws {
        if huey.immediate {
            throw ConfigurationError(
                "a consumer cannot run a Huey in immediate mode: its calls run when they are made and never reach "
                    + "the queue. Set huey.immediate = false in the program that runs the consumer.")
        }
        try options.validate()
        try pool.checkCanStart()
        try huey.storage.verifyWritable()
        periodicMinutes.continueFrom(inherited: PeriodicMinutes.takeInherited())
        let draining = DrainingWorkers.takeInherited()
        try setUpMaster()
        logStartup()
        adopt(draining)
        register()
        if options.flushLocks || !options.extraLocks.isEmpty { try flushLocks() }
        recoverOrphanedClaims()
        try masterLoop()
    }

    private func setUpMaster() throws {
        pipe = try SignalPipe()
        try SignalControl.ignore(SIGPIPE)
        try pipe.install([SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGTTIN, SIGTTOU])
        // A parent may have started us with signals blocked (Foundation's Process does);
        // the master must receive them.
        try SignalControl.unblockAll()
    }

    private func logStartup() {
        logger.info(
            "Huey consumer started with \(options.workers) \(pool.kind) worker\(options.workers == 1 ? "" : "s"), PID \(masterPID), queue \(huey.name)")
        logger.info("Scheduler runs every \(options.schedulerInterval) second(s).")
        logger.info("Periodic tasks are \(options.periodic ? "enabled" : "disabled").")
        logger.info(
            "Graceful stop on SIG\(options.gracefulSignal.rawValue), immediate stop on SIG\(options.gracefulSignal == .int ? "TERM" : "INT"), restart on SIGHUP.")
        let names = huey.registry.names
        let periodic = Set(huey.registry.periodicNames)
        logger.info("The following tasks are available:\(names.isEmpty ? " none" : "")")
        for name in names { logger.info("+ \(name)\(periodic.contains(name) ? " (periodic)" : "")") }
    }

    /// Takes over the workers the program before a SIGHUP re-exec left finishing their
    /// tasks; new workers are numbered after them.
    private func adopt(_ draining: [InheritedWorker]) {
        guard !draining.isEmpty else { return }
        pool.adopt(draining)
        workerNumbers = max(workerNumbers, draining.map(\.number).max() ?? 0)
    }

    private func flushLocks() throws {
        let locks = try huey.flushLocks(names: options.extraLocks)
        if locks.flushed.isEmpty && locks.held.isEmpty { logger.info("Flushing locks: none held.") }
        if !locks.flushed.isEmpty { logger.info("Flushed locks: \(locks.flushed.sorted().joined(separator: ", "))") }
        if !locks.held.isEmpty {
            // File locks (flock) belong to their live holders and end with them.
            logger.warning("Locks held by running processes: \(locks.held.sorted().joined(separator: ", "))")
        }
    }
}

/// What the master is doing.
enum Phase: Equatable {
    /// Running tasks normally.
    case running
    /// Waiting for running tasks to finish (graceful stop or restart), until `deadline`
    /// (monotonic seconds) if `-t` was given.
    case draining(restart: Bool, deadline: Double?)
    /// Workers were sent SIGTERM; waiting for them to die.
    case interrupting

    /// Whether a stop (not a restart) is under way, graceful or immediate.
    var isStopping: Bool {
        if case .draining(restart: false, _) = self { return true }
        return self == .interrupting
    }
}
