import Foundation
import Synchronization

extension Huey {
    /// Runs `body` while holding the lock `name`, shared by every process using this
    /// storage (Huey's `lock_task` as a context manager).
    ///
    /// On SQLite and File storage the lock is a `flock` that the kernel releases the moment
    /// its holder dies, so a crash never leaves a stale lock.
    /// - Throws: ``TaskLockedException`` when another holder has the lock; whatever `body`
    ///   throws; ``StorageError`` when the lock cannot be set up.
    public func lockTask<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let lock = try storage.lock(named: name)
        guard try lock.tryAcquire() else { throw TaskLockedException(lockName: name) }
        state.withLock { _ = $0.taskLocks.insert(name) }
        defer { lock.release() }
        return try body()
    }

    /// Whether the lock `name` is held by anyone now.
    /// - Throws: ``StorageError``.
    public func isLocked(_ name: String) throws -> Bool {
        try storage.lock(named: name).isHeld()
    }

    /// Huey's `flush_locks`: removes the locks that can outlive their holder (Redis keys) and
    /// reports the others. Checks `names`, the locks used so far in this process and the
    /// tasks' `lock:` options. `flock` locks (SQLite, File) are released by the kernel when
    /// their holder dies, so they are never stale: a held one is reported, not broken.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func flushLocks(_ names: String...) throws -> FlushedLocks {
        try flushLocks(names: names)
    }

    /// ``flushLocks(_:)`` with an array.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func flushLocks(names: [String]) throws -> FlushedLocks {
        let known = state.withLock { $0.taskLocks }
        let optionLocks = registry.names.compactMap { registry.task(named: $0)?.options.lock }
        var result = FlushedLocks()
        for name in Set(names).union(known).union(optionLocks) {
            let lock = try storage.lock(named: name)
            guard try lock.isHeld() else { continue }
            if try lock.breakLock() { result.flushed.insert(name) } else { result.held.insert(name) }
        }
        return result
    }

    /// Runs `body` if fewer than `limit` calls of the limit `name` ran in the current
    /// window of `per` seconds (``RateLimit``, a fixed window counted in the storage, shared
    /// by all processes).
    /// - Parameter retry: a task that hits the limit is retried after the window even
    ///   without retries left.
    /// - Throws: ``RateLimitExceeded`` when the window is full; whatever `body` throws;
    ///   ``StorageError``.
    public func rateLimit<T>(
        _ name: String, limit: Int, per: Double, retry: Bool = true, _ body: () throws -> T
    ) throws -> T {
        try rateLimit(name, limit: limit, per: per, retry: retry)(body)
    }

    /// The rate limit `name`: at most `limit` calls per window of `per` seconds (Huey's
    /// `rate_limit`), to acquire, run a body under, or reset.
    /// - Precondition: `limit` and `per` are positive.
    public func rateLimit(_ name: String, limit: Int, per: Double, retry: Bool = true) -> RateLimit {
        RateLimit(huey: self, name: name, limit: limit, per: per, retry: retry)
    }
}

/// What ``Huey/flushLocks(names:)`` did.
public struct FlushedLocks: Sendable, Equatable {
    /// Locks that were removed (Redis keys, perhaps left by a holder that died).
    public var flushed: Set<String> = []
    /// Locks held by live holders, which end with them (`flock`): reported, not broken.
    public var held: Set<String> = []
    /// Makes an empty report.
    public init(flushed: Set<String> = [], held: Set<String> = []) {
        self.flushed = flushed
        self.held = held
    }
}
