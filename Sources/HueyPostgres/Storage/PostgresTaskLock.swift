import Huey
import Synchronization

/// A task lock held as a PostgreSQL session-level advisory lock (see
/// ``PostgresStorage/lock(named:)``).
final class PostgresTaskLock: TaskLock, Sendable {
    let name: String
    /// The text whose 64-bit hash is the advisory lock's key.
    private let key: String
    private let storage: PostgresStorage
    /// Whether this object holds the lock.
    private let holding = Mutex(false)

    init(name: String, key: String, storage: PostgresStorage) {
        self.name = name
        self.key = key
        self.storage = storage
    }

    func tryAcquire() throws -> Bool {
        let taken = try storage.withSession("take lock \(name)") { connection, held in
            guard !held.contains(key) else { return false }  // another thread of this process has it
            guard try connection.run(storage.sql.tryLock, [.text(key)]).first?.bool(0) == true else { return false }
            held.insert(key)
            return true
        }
        if taken { holding.withLock { $0 = true } }
        return taken
    }

    func release() {
        guard holding.withLock({ was in defer { was = false }; return was }) else { return }
        // A lock whose connection was lost is already gone; nothing else can fail usefully here.
        _ = try? storage.withSession("release lock \(name)") { connection, held in
            guard held.remove(key) != nil else { return }
            try connection.run(storage.sql.unlock, [.text(key)])
        }
    }

    func isHeld() throws -> Bool {
        try storage.withSession("look up lock \(name)") { connection, held in
            try held.contains(key) || !connection.run(storage.sql.lockHeld, [.text(key)]).isEmpty
        }
    }
}
