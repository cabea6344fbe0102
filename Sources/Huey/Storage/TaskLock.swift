/// A named mutual-exclusion lock shared through a storage.
public protocol TaskLock: AnyObject, Sendable {
    /// The lock's name.
    var name: String { get }
    /// Takes the lock without waiting; returns false when another holder has it.
    /// - Throws: ``StorageError`` when the lock file cannot be opened.
    func tryAcquire() throws -> Bool
    /// Gives the lock back (no effect when not held by this object).
    func release()
    /// Whether anybody (this process or another) holds the lock now.
    /// - Throws: ``StorageError``.
    func isHeld() throws -> Bool
    /// Removes the lock whoever holds it, where that is possible (a Redis key, which can
    /// outlive a holder that died); returns whether a lock was removed. A `flock` lock
    /// belongs to its live holder and ends with it: it cannot be broken (the default, false).
    /// - Throws: ``StorageError``.
    func breakLock() throws -> Bool
}

extension TaskLock {
    /// `flock` and in-process locks end with their holder: nothing to break.
    public func breakLock() throws -> Bool { false }
}
