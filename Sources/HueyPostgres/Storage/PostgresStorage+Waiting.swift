import Foundation
import Huey
import Synchronization

/// Waiting for work in `LISTEN`, and task locks.
extension PostgresStorage {
    /// Waits on this process's listening connection until a notification arrives on the
    /// queue's channel (every enqueue sends one as it commits, Python Huey's too) or
    /// `timeout` passes. The first call opens the connection, listens, and returns true at
    /// once (something may have been enqueued before it listened). Notifications beyond the
    /// one that woke the caller wake up to eight other callers (other threads) at once.
    /// While the server is unreachable this sleeps for `timeout` and returns false (the
    /// outage is logged once; the next claim reports the error).
    /// - Throws: ``StorageError`` when the server refuses to listen.
    public func waitForWork(timeout: Double) throws -> Bool {
        try listener.withLock { (state: inout ListenerState) throws -> Bool in
            if state.pid != getpid() { state = ListenerState(pid: getpid()) }  // forked: not ours
            if state.pendingWakes > 0 {
                state.pendingWakes -= 1
                return true
            }
            do {
                guard let connection = state.connection, !connection.isBroken else {
                    state.connection = nil
                    let connection = try connect()
                    try connection.listen(channel)
                    state.connection = connection
                    state.openedAt = Self.monotonicNow()
                    return true
                }
                guard try connection.waitForNotification(timeout: timeout) != nil else { return false }
                var more = 0
                while more < 8, try connection.waitForNotification(timeout: 0) != nil { more += 1 }
                state.pendingWakes = more
                return true
            } catch let error as PostgresError {
                guard error.code == .connection || state.connection?.isBroken == true else {
                    throw StorageError(postgres: error, doing: "wait for work", name: name)
                }
                noteUnreachable(error, connectionOpenedAt: state.connection.map { _ in state.openedAt })
                state.connection = nil
                usleep(UInt32(max(0, min(timeout, 10)) * 1_000_000))
                return false
            }
        }
    }

    /// A task lock that is a session-level advisory lock of PostgreSQL
    /// (`pg_try_advisory_lock` on a 64-bit hash of prefix, queue and name), held on this
    /// process's statement connection.
    ///
    /// Advisory locks rather than rows: the server releases a session's advisory locks
    /// when the session ends, so a worker that is killed, or a machine that goes away,
    /// frees its locks at once (as soon as the server notices the connection closed),
    /// with no expiry to choose and no stale lock for ``Huey/flushLocks(names:)`` to
    /// break; they cost no table writes. Consequences: they cannot be broken by another
    /// process (a held lock is reported by `flushLocks`, never removed), Python Huey's
    /// locks (rows in `<prefix>_kv`) are not the same locks, and a lock held when the
    /// connection to the server is lost is lost with it. Threads of one process share the
    /// connection, so the storage also keeps which locks this process holds: a second
    /// holder in the same process is refused as in another process.
    public func lock(named name: String) throws -> any TaskLock {
        PostgresTaskLock(name: name, key: "\(tablePrefix).\(self.name).lock.\(name)", storage: self)
    }
}
