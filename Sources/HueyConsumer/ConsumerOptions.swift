import Foundation

/// How a consumer runs tasks.
public enum WorkerType: String, Sendable, Hashable, CaseIterable {
    /// Forked worker processes (`-k process`, our default): a crash, a hang or a task
    /// timeout costs one worker, never the consumer; task timeouts are enforced by
    /// killing the worker.
    case process
    /// Threads in the consumer's own process (`-k thread`, Huey's default): lighter, but
    /// task timeouts are cooperative (``TaskContext/checkTimeout()``) and a crash in a task
    /// takes the whole consumer down.
    case thread
}

/// The signal that stops the consumer gracefully (`-g`); the other of INT/TERM stops it
/// at once.
public enum GracefulSignal: String, Sendable, Hashable, CaseIterable {
    /// SIGINT is graceful, SIGTERM immediate (Huey's default).
    case int = "INT"
    /// SIGTERM is graceful, SIGINT immediate.
    case term = "TERM"
}

/// Everything that tunes a ``Consumer``: one field per `huey consume` flag, with Huey's
/// defaults (except ``workerType``, which defaults to `.process` here).
public struct ConsumerOptions: Sendable, Hashable {
    /// `-w`: number of workers (≥ 1).
    public var workers: Int = 1
    /// `-k`: processes or threads.
    public var workerType: WorkerType = .process
    /// `-d`: an idle worker's first wait for work, in seconds.
    public var delay: Double = 0.1
    /// `-m`: the longest an idle worker waits before looking again, in seconds.
    public var maxDelay: Double = 10
    /// `-b`: each idle wait is this many times the previous one (≥ 1).
    public var backoff: Double = 1.15
    /// `-c`: seconds between health checks (claims left by dead processes that were not
    /// this consumer's children are recovered; missing workers are started).
    public var healthCheckInterval: Double = 10
    /// `-C` clears this: without the health check a worker that crashes is not replaced
    /// (its claims are still recovered). Workers that retire (`-M`) are always replaced.
    public var healthCheck: Bool = true
    /// `-f`: flush task locks at start.
    public var flushLocks: Bool = false
    /// `-L`: more lock names to flush at start.
    public var extraLocks: [String] = []
    /// `-M`: a worker exits after this many tasks and is replaced; `nil` = never.
    public var maxTasks: Int?
    /// `--max-memory`: a process worker whose resident memory passes this many MiB after a
    /// task is replaced (between tasks); `nil` = no cap. Process workers only: ``validate()``
    /// refuses it with `.thread`. Read with
    /// ``ProcessTable/residentBytes(of:)``.
    public var maxMemory: Int?
    /// ``maxMemory`` in bytes.
    public var maxMemoryBytes: Int? { maxMemory.map { $0 << 20 } }
    /// `-t`: how long a graceful stop waits for running tasks before interrupting them;
    /// `nil` = as long as they take.
    public var shutdownTimeout: Double?
    /// `-g`: which of SIGINT/SIGTERM is graceful.
    public var gracefulSignal: GracefulSignal = .int
    /// `-s`: scheduler tick in seconds; divides 60.
    public var schedulerInterval: Int = 1
    /// `-n` clears this: periodic tasks are not enqueued.
    public var periodic: Bool = true
    /// `-u` / `--localtime`: log timestamps in UTC (`true`) or local time (`false`);
    /// `nil` follows the Huey's `utc`. (Crontabs always follow `Huey(utc:)`.)
    public var utcLogTimes: Bool?
    /// How long a worker told to stop now (SIGTERM) or timed out gets before SIGKILL.
    public var killGracePeriod: Double = 1

    /// Options with every default.
    public init() {}

    /// Options with the common ones set, the rest at their defaults.
    public init(workers: Int, workerType: WorkerType = .process) {
        self.workers = workers
        self.workerType = workerType
    }

    /// Checks every value; the message names the flag and the bad value.
    /// - Throws: ``ConfigurationError``.
    public func validate() throws {
        func fail(_ text: String) throws -> Never { throw ConfigurationError(text) }
        if workers < 1 { try fail("workers (-w) must be at least 1, got \(workers)") }
        if !(delay >= 0 && delay.isFinite) { try fail("delay (-d) must be a number of seconds ≥ 0, got \(delay)") }
        if !(maxDelay >= delay && maxDelay.isFinite) {
            try fail("max delay (-m) must be ≥ the delay (\(delay)), got \(maxDelay)")
        }
        if !(backoff >= 1 && backoff.isFinite) { try fail("backoff (-b) must be at least 1, got \(backoff)") }
        if !(healthCheckInterval > 0 && healthCheckInterval.isFinite) {
            try fail("health check interval (-c) must be > 0 seconds, got \(healthCheckInterval)")
        }
        if let maxTasks, maxTasks < 1 { try fail("max tasks (-M) must be at least 1, got \(maxTasks)") }
        if let maxMemory, !(1...(1 << 30)).contains(maxMemory) {
            try fail("max memory (--max-memory) must be a number of MB from 1 to \(1 << 30), got \(maxMemory)")
        }
        if maxMemory != nil && workerType == .thread {
            // Threads share the consumer's memory: no one worker can be measured or replaced.
            try fail("max memory (--max-memory) needs process workers (-k process); thread workers share one process's memory")
        }
        if let shutdownTimeout, !(shutdownTimeout >= 0 && shutdownTimeout.isFinite) {
            try fail("shutdown timeout (-t) must be ≥ 0 seconds, got \(shutdownTimeout)")
        }
        if !(1...60).contains(schedulerInterval) || 60 % schedulerInterval != 0 {
            try fail(
                "scheduler interval (-s) must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60), "
                    + "got \(schedulerInterval)")
        }
        if !(killGracePeriod >= 0 && killGracePeriod.isFinite) {
            try fail("kill grace period must be ≥ 0 seconds, got \(killGracePeriod)")
        }
    }
}
