import Foundation
import Huey
import Synchronization

/// Waiting for work (a blocking pop of wake-up tokens) and task locks.
extension RedisStorage {
    /// Blocks in `BLPOP` on the wake-up list until an enqueue pushes a token or `timeout`
    /// passes. A token left over from a burst can wake a worker that then finds the queue
    /// empty: at most one extra claim attempt, never a missed wake-up.
    public func waitForWork(timeout: Double) throws -> Bool {
        if timeout <= 0 {
            return !(try command("wait for work", Self.argument("LPOP"), Self.argument(keys.wake))).isNull
        }
        let reply = try redis("wait for work") { connection in
            // BLPOP's own timeout must end before the socket's (the server ends a blocking
            // wait within about 0.1 s of its timeout). Workers wait in slices far shorter
            // than the command timeout, so the socket option is changed only for long waits:
            // two system calls fewer before an idle worker claims.
            let configured = pool.configuration.commandTimeout
            let longWait = configured > 0 && timeout + 1 >= configured
            if longWait { connection.setCommandTimeout(timeout + configured) }
            defer { if longWait { connection.setCommandTimeout(configured) } }
            return try connection.command([
                Self.argument("BLPOP"), Self.argument(keys.wake), Self.argument(String(format: "%.3f", max(timeout, 0.001))),
            ])
        }
        return !reply.isNull
    }

    /// A lock in a Redis key: `SET NX PX` with a random owner token, released only by the
    /// holder's token. A holder that dies without releasing frees it after `lockTimeout` s.
    public func lock(named name: String) throws -> any TaskLock {
        RedisTaskLock(name: name, key: keys.lockPrefix + name, storage: self)
    }
}

/// A task lock held in Redis (see ``RedisStorage/lock(named:)``).
final class RedisTaskLock: TaskLock, Sendable {
    let name: String
    private let key: String
    private let storage: RedisStorage
    /// This object's token while it holds the lock.
    private let token = Mutex<String?>(nil)

    init(name: String, key: String, storage: RedisStorage) {
        self.name = name
        self.key = key
        self.storage = storage
    }

    func tryAcquire() throws -> Bool {
        let candidate = UUID().uuidString
        let reply = try storage.command(
            "take lock \(name)", RedisStorage.argument("SET"), RedisStorage.argument(key), RedisStorage.argument(candidate),
            RedisStorage.argument("NX"), RedisStorage.argument("PX"),
            RedisStorage.argument(Int(storage.lockTimeout * 1000)))
        guard !reply.isNull else { return false }
        token.withLock { $0 = candidate }
        return true
    }

    func release() {
        guard let held = token.withLock({ value -> String? in
            defer { value = nil }
            return value
        }) else { return }
        // Errors are not reported (release cannot throw); an unreleased lock expires after lockTimeout.
        _ = try? storage.run(
            RedisScripts.unlock, "release lock \(name)", extraKeys: [key], [RedisStorage.argument(held)])
    }

    /// Deletes the lock key whoever holds it (Huey's `flush_locks`, e.g. after a holder died).
    func breakLock() throws -> Bool {
        try storage.command("flush lock \(name)", RedisStorage.argument("DEL"), RedisStorage.argument(key)).integer == 1
    }

    func isHeld() throws -> Bool {
        try storage.command("look up lock \(name)", RedisStorage.argument("EXISTS"), RedisStorage.argument(key))
            .integer == 1
    }
}
