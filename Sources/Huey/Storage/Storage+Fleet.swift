import Foundation

/// Fleet state — periodic slots, the consumer registry, the pause flag — kept by storages
/// that have no key space of their own for it: in the key/value data, under keys starting
/// with ``fleetKeyPrefix``, each value prefixed with its expiry (``FleetEntry``).
///
/// Memory, SQLite, File and Redis storages keep fleet state apart from results (a table,
/// a folder, keys of their own) and replace all three methods. With these defaults the
/// keys show in ``Storage/resultItems()`` and go with ``Storage/flushResults()``, listing
/// reads every stored key, and an expired value is replaced by a delete and a second
/// put-if-empty (two processes doing that at once could both win; slots are only ever
/// re-claimed after they expired, which needs clocks minutes apart). Dead letters cannot
/// be requeued or discarded one by one through Huey's primitives: the defaults throw
/// `.unsupported`.
extension Storage {
    /// The key/value prefix of fleet keys kept by the defaults.
    public static var fleetKeyPrefix: String { "huey.fleet." }

    /// Put-if-empty on the key/value data, the expiry kept in the value.
    /// - Throws: ``StorageError``.
    public func putFleetValue(key: String, value: [UInt8], expiresAt: Double?, onlyIfAbsent: Bool, now: Double) throws
        -> Bool
    {
        let stored = Self.fleetKeyPrefix + key
        let entry = FleetEntry.encode(value, expiresAt: expiresAt)
        guard onlyIfAbsent else {
            try putData(key: stored, value: entry)
            return true
        }
        if try putIfEmpty(key: stored, value: entry) { return true }
        guard let existing = try peekData(key: stored), FleetEntry.decode(existing)?.isExpired(at: now) ?? true else {
            return false
        }
        _ = try deleteData(key: stored)
        return try putIfEmpty(key: stored, value: entry)
    }

    /// The live fleet values under `prefix`, read from every stored key.
    /// - Throws: ``StorageError``.
    public func fleetValues(prefix: String, now: Double) throws -> [String: [UInt8]] {
        let wanted = Self.fleetKeyPrefix + prefix
        var values: [String: [UInt8]] = [:]
        for (key, bytes) in try resultItems() where key.hasPrefix(wanted) {
            guard let entry = FleetEntry.decode(bytes), !entry.isExpired(at: now) else { continue }
            values[String(key.dropFirst(Self.fleetKeyPrefix.count))] = entry.value
        }
        return values
    }

    /// Deletes the fleet key from the key/value data.
    /// - Throws: ``StorageError``.
    public func deleteFleetValue(key: String) throws -> Bool {
        try deleteData(key: Self.fleetKeyPrefix + key)
    }

    /// A claim built on Huey's primitives does not look for the pause flag.
    public var claimsHonorPause: Bool { false }

    /// Not possible atomically through Huey's primitives.
    /// - Throws: ``StorageError`` `.unsupported`.
    public func requeueDead(id: String, priority: Double) throws -> Bool {
        throw StorageError(code: .unsupported, message: "\(type(of: self)) cannot requeue one dead letter")
    }

    /// Not possible through Huey's primitives.
    /// - Throws: ``StorageError`` `.unsupported`.
    public func discardDead(id: String) throws -> Bool {
        throw StorageError(code: .unsupported, message: "\(type(of: self)) cannot discard one dead letter")
    }
}
