import Foundation

extension SqliteStorage {
    /// Returns true as soon as this queue is non-empty, or false after `timeout` seconds.
    ///
    /// Sleeps in `poll()` on an inotify watch of the database's directory, woken when
    /// another connection writes `<file>-wal` or `<file>` (every commit does), and
    /// re-checks the queue after each wake-up. A commit's pages reach the WAL just before
    /// the commit becomes visible, so when a check after a wake-up finds the queue empty
    /// it checks again under the write lock (`BEGIN IMMEDIATE`, nothing written), which
    /// waits for a commit under way to finish. The watch exists before the first check,
    /// so no commit slips in between. Without
    /// inotify (too many instances, an unsupported file system) it checks every 50 ms.
    /// - Throws: ``StorageError`` when the queue cannot be read.
    public func waitForWork(timeout: Double) throws -> Bool {
        guard let watch = commitWatches.checkOut() else { return try pollForWork(timeout: timeout) }
        defer { commitWatches.checkIn(watch) }
        let deadline = ContinuousClock.now + .seconds(max(0, timeout))
        var changed = try watch.drain()
        while true {
            if try queueSize() > 0 { return true }
            if changed, try queueSizeAfterCommits() > 0 { return true }
            let remaining = deadline - .now
            if remaining <= .zero { return false }
            let (seconds, attoseconds) = remaining.components
            changed = try watch.wait(timeout: Double(seconds) + Double(attoseconds) * 1e-18)
            if !changed { return false }
        }
    }

    /// The queue size read under the write lock, so commits under way have finished.
    private func queueSizeAfterCommits() throws -> Int {
        try write { try $0.queryFirst(SqliteSQL.queueSize, [.text(name)]) { $0.int(0) } ?? 0 }
    }

    /// The fallback: checks the queue every 50 ms until it is non-empty or `timeout` passes.
    private func pollForWork(timeout: Double) throws -> Bool {
        let deadline = Date().timeIntervalSince1970 + max(0, timeout)
        while true {
            if try queueSize() > 0 { return true }
            let remaining = deadline - Date().timeIntervalSince1970
            if remaining <= 0 { return false }
            usleep(UInt32(min(remaining, 0.05) * 1_000_000))
        }
    }
}
