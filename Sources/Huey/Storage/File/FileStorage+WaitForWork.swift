import Foundation

extension FileStorage {
    /// Returns true as soon as `queue/` holds an entry, or false after `timeout` seconds.
    ///
    /// Sleeps in `poll()` on an inotify watch of `queue/`, woken when an entry is renamed
    /// (or created) there, and re-checks after each wake-up. The watch exists before the
    /// first check, so no entry slips in between. Without inotify (too many instances, an
    /// unsupported file system) it checks every 50 ms.
    /// - Throws: ``StorageError`` when the directory cannot be read.
    public func waitForWork(timeout: Double) throws -> Bool {
        guard let watch = queueWatches.checkOut() else { return try pollForWork(timeout: timeout) }
        defer { queueWatches.checkIn(watch) }
        let deadline = ContinuousClock.now + .seconds(max(0, timeout))
        _ = try watch.drain()  // renames are visible when reported: no need to know
        while true {
            if try FileSystemCalls.hasEntries(queueDirectory) { return true }
            let remaining = deadline - .now
            if remaining <= .zero { return false }
            let (seconds, attoseconds) = remaining.components
            if try !watch.wait(timeout: Double(seconds) + Double(attoseconds) * 1e-18) { return false }
        }
    }

    /// The fallback: checks `queue/` every 50 ms until it holds an entry or `timeout` passes.
    private func pollForWork(timeout: Double) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(max(0, timeout))
        while true {
            if try FileSystemCalls.hasEntries(queueDirectory) { return true }
            let remaining = deadline - .now
            if remaining <= .zero { return false }
            let (seconds, attoseconds) = remaining.components
            usleep(UInt32(min(0.05, Double(seconds) + Double(attoseconds) * 1e-18) * 1_000_000))
        }
    }
}
