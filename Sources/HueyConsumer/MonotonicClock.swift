import Foundation

/// Seconds on the monotonic clock: for intervals the consumer measures itself (kill
/// grace periods, the shutdown timeout, respawn backoff), which must not jump with the
/// wall clock. Task times (etas, deadlines, crontab minutes) use `huey.clock()`.
enum MonotonicClock {
    /// Now, in seconds since an arbitrary point (boot).
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
