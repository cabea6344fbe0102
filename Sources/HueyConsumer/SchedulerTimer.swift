import Foundation

/// When the master's scheduler ticks, in `huey.clock()` time.
///
/// Ticks fall on multiples of the interval (which divides 60, so a tick lands on every
/// minute boundary). The master sleeps in real time, so the timer also measures how fast
/// `huey.clock()` runs against the monotonic clock — 1 normally, faster when a test
/// injects a fast clock — and converts "clock seconds to the next tick" into real
/// seconds to sleep. The rate is never taken below 1, so a wall-clock step backwards
/// can only make the master tick more often, never sleep too long.
struct SchedulerTimer {
    /// The tick interval in clock seconds.
    let interval: Double
    /// The next tick, in clock seconds since 1970 (`-infinity`: tick now).
    private(set) var nextTick = -Double.infinity
    /// Clock seconds per real second.
    private(set) var rate = 1.0
    private var sample: (clock: Double, real: Double)?

    init(interval: Int) {
        self.interval = Double(interval)
    }

    /// Whether a tick is due at clock time `clock`.
    func isDue(clock: Double) -> Bool { clock >= nextTick }

    /// Records a tick made at `clock` and schedules the next one on the interval grid.
    mutating func ticked(clock: Double) {
        nextTick = ((clock / interval).rounded(.down) + 1) * interval
    }

    /// Feeds a (clock, real) pair to the rate estimate.
    mutating func observe(clock: Double, real: Double) {
        guard let previous = sample else {
            sample = (clock, real)
            return
        }
        let elapsed = real - previous.real
        guard elapsed >= 0.5 else { return }
        let measured = (clock - previous.clock) / elapsed
        rate = measured.isFinite ? min(max(measured, 1), 10_000) : 1
        sample = (clock, real)
    }

    /// Real seconds to sleep until the next tick (at most one interval).
    func realSecondsToNextTick(clock: Double) -> Double {
        guard nextTick.isFinite else { return 0 }
        return min(max(0, (nextTick - clock) / rate), interval)
    }
}

/// Which minute's periodic tasks were enqueued last, so each minute fires exactly once
/// however often the scheduler ticks — and across a SIGHUP re-exec, through the
/// environment variable ``environmentKey``.
struct PeriodicMinutes {
    /// Carries the last enqueued minute across `execv`.
    static let environmentKey = "HUEY_CONSUMER_LAST_PERIODIC_MINUTE"

    /// Minutes since 1970 of the last enqueue.
    var lastMinute: Int

    /// Starts at `minute`, the minute the consumer starts in: periodic tasks are enqueued
    /// when a minute begins, so a consumer started at 12:00:30 first enqueues for 12:01.
    /// (Huey enqueues at start too; we do not, so that starting or restarting never runs
    /// a minute twice and every run starts at the beginning of its minute.)
    init(startingAt minute: Int) {
        lastMinute = minute
    }

    /// A master re-executed by SIGHUP continues from the minute its predecessor left
    /// (``takeInherited()``), so a minute skipped during the restart still fires. Only the
    /// minute before this one or this one is taken; anything else (a stale variable) is
    /// ignored.
    mutating func continueFrom(inherited: Int?) {
        guard let inherited, inherited <= lastMinute, inherited >= lastMinute - 1 else { return }
        lastMinute = inherited
    }

    /// The minute a predecessor left in the environment, removed from it so that no child
    /// inherits it. The master calls this once, as it starts running.
    static func takeInherited() -> Int? {
        let text = getenv(environmentKey).map { String(cString: $0) }
        unsetenv(environmentKey)
        return text.flatMap { Int($0) }
    }

    /// The minute of clock time `clock`.
    static func minute(of clock: Double) -> Int { Int((clock / 60).rounded(.down)) }

    /// Leaves the last minute for the re-executed master.
    func export() {
        setenv(Self.environmentKey, String(lastMinute), 1)
    }
}
