import Synchronization

/// When a storage shared by several machines (Redis, PostgreSQL) sends this machine's
/// heartbeat: at most once per interval, however often the consumer asks, and again on the
/// next call after a send failed. A clock that went back counts as due.
package final class HeartbeatSchedule: Sendable {
    /// When the last heartbeat was sent (Unix seconds; 0: never, or the last send failed).
    private let lastSent = Mutex<Double>(0)

    /// Makes a schedule that has sent nothing yet.
    package init() {}

    /// Runs `send` when `interval` seconds have passed at `now` since the last heartbeat.
    /// - Throws: what `send` throws; the next call then sends again.
    package func sendIfDue(now: Double, every interval: Double, _ send: () throws -> Void) throws {
        let due = lastSent.withLock { last in
            guard now - last >= interval || now < last else { return false }
            last = now
            return true
        }
        guard due else { return }
        do {
            try send()
        } catch {
            lastSent.withLock { $0 = 0 }
            throw error
        }
    }
}
