import Huey

/// Fleet state (periodic slots, the consumer registry, the pause flag) in
/// `<prefix>_fleet`, apart from results, and acting on one dead letter. Rows expire at
/// `expires_at` (NULL: never); reads ignore expired rows and a put-if-absent overwrites one.
extension PostgresStorage {
    /// Stores `value` under `key`; with `onlyIfAbsent` only when no live row is there — one
    /// statement (`on conflict … do update … where` expired), so of any number of processes
    /// exactly one wins.
    /// - Throws: ``StorageError``.
    public func putFleetValue(key: String, value: [UInt8], expiresAt: Double?, onlyIfAbsent: Bool, now: Double) throws
        -> Bool
    {
        let values: [PostgresValue] = [.text(name), .text(key), .bytes(value), expiresAt.map { .double($0) } ?? .null]
        return try withConnection("store fleet key \(key)") { connection in
            guard onlyIfAbsent else {
                try connection.run(sql.fleetPut, values)
                return true
            }
            return try !connection.run(sql.fleetPutIfAbsent, values + [.double(now)]).isEmpty
        }
    }

    /// The live values whose keys start with `prefix`.
    /// - Throws: ``StorageError``.
    public func fleetValues(prefix: String, now: Double) throws -> [String: [UInt8]] {
        try withConnection("list fleet keys") { connection in
            var values: [String: [UInt8]] = [:]
            for row in try connection.run(sql.fleetValues, [.text(name), .text(prefix), .double(now)]) {
                guard let key = row.string(0) else { continue }
                values[key] = row.bytes(1) ?? []
            }
            return values
        }
    }

    /// Removes `key`; says whether it was there. Removing the pause flag notifies the
    /// queue's channel, so workers waiting in `LISTEN` claim again at once.
    /// - Throws: ``StorageError``.
    public func deleteFleetValue(key: String) throws -> Bool {
        try write("delete fleet key \(key)") { connection in
            let removed = try !connection.run(sql.fleetDelete, [.text(name), .text(key)]).isEmpty
            if removed && key == FleetKeys.paused { try connection.run(sql.notify, [.text(channel)]) }
            return removed
        }
    }

    /// Every claim statement reads the pause flag (``PostgresSQL/claimNext``).
    public var claimsHonorPause: Bool { true }

    /// In one transaction: removes dead letter `id` (its row id), queues its message with
    /// `priority` and notifies the queue's channel. False when there is no such letter.
    /// - Throws: ``StorageError``.
    public func requeueDead(id: String, priority: Double) throws -> Bool {
        guard let row = Int(id) else { return false }
        return try write("requeue dead letter \(id)") { connection in
            guard let data = try connection.run(sql.takeDead, [.text(name), .integer(row)]).first?.bytes(0) else {
                return false
            }
            try connection.run(sql.enqueue, [.text(name), .bytes(data), .double(priority)])
            try connection.run(sql.notify, [.text(channel)])
            return true
        }
    }

    /// Removes dead letter `id` (its row id); false when there is no such letter.
    /// - Throws: ``StorageError``.
    public func discardDead(id: String) throws -> Bool {
        guard let row = Int(id) else { return false }
        return try withConnection("discard dead letter \(id)") {
            try !$0.run(sql.takeDead, [.text(name), .integer(row)]).isEmpty
        }
    }
}
