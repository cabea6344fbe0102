import Foundation

/// How a connection waits for a lock another connection holds (`SQLITE_BUSY`): short
/// sleeps that grow from 20 µs to 1 ms, until `timeout` seconds have passed.
///
/// SQLite's own `busy_timeout` handler sleeps 1 ms, then 2, 5, 10 ms … between tries. A
/// queue's transactions last some 100 µs, so two workers taking turns at the write lock
/// spent most of each wait asleep after the lock was already free; these shorter sleeps
/// let the waiting worker in soon after the holder commits.
struct SQLiteBusyWait {
    /// Seconds to keep trying before SQLite gives up with `SQLITE_BUSY` (shortened for the
    /// length of a checkpoint, see ``SQLiteConnection/checkpoint(_:budget:)``).
    var timeout: Double
    /// When the current wait began (monotonic seconds).
    private var waitingSince = 0.0

    /// Makes a wait policy that gives up after `timeout` seconds.
    init(timeout: Double) {
        self.timeout = max(0, timeout)
    }

    /// Called by SQLite with the number of earlier tries for this lock (0 for the first);
    /// sleeps before the next try and returns true, or returns false to give up.
    mutating func shouldRetry(attempt: Int) -> Bool {
        let now = Self.monotonicSeconds()
        if attempt == 0 { waitingSince = now }
        guard now - waitingSince < timeout else { return false }
        usleep(UInt32(min(20 * (attempt + 1), 1000)))
        return true
    }

    /// `seconds` as whole milliseconds for `sqlite3_busy_timeout`.
    static func milliseconds(_ seconds: Double) -> Int32 {
        Int32(min(max(0, seconds) * 1000, Double(Int32.max)).rounded())
    }

    private static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
