import Foundation

/// Pausing a queue: while the pause flag is stored, no consumer claims from the queue
/// (every storage checks it in the same step that takes a message); enqueueing and
/// scheduling go on, running tasks finish, and the flag survives consumer restarts.
extension Huey {
    /// Pauses the queue for every consumer of this storage (a no-op when already paused).
    /// - Throws: ``StorageError``; `.unsupported` when the storage's claims do not look for
    ///   the flag (``Storage/claimsHonorPause``), so pausing would stop nothing.
    public func pause() throws {
        let storage = self.storage
        guard storage.claimsHonorPause else {
            throw StorageError(
                code: .unsupported, message: "\(type(of: storage)) cannot pause its queue: its claims do not check a pause flag")
        }
        let now = clock().timeIntervalSince1970
        _ = try storage.putFleetValue(
            key: FleetKeys.paused, value: Array(String(now).utf8), expiresAt: nil, onlyIfAbsent: true, now: now)
    }

    /// Lets consumers claim from the queue again; false when it was not paused.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func resume() throws -> Bool {
        try storage.deleteFleetValue(key: FleetKeys.paused)
    }

    /// Whether the queue is paused.
    /// - Throws: ``StorageError``.
    public var isPaused: Bool {
        get throws { try pausedSince() != nil }
    }

    /// When the queue was paused (by the clock of whoever paused it), or nil when it is not.
    /// - Throws: ``StorageError``.
    public func pausedSince() throws -> Date? {
        let values = try storage.fleetValues(prefix: FleetKeys.paused, now: clock().timeIntervalSince1970)
        guard let value = values[FleetKeys.paused] else { return nil }
        return Date(timeIntervalSince1970: Double(String(decoding: value, as: UTF8.self)) ?? 0)
    }
}
