/// Fleet state (periodic slots, the consumer registry, the pause flag) in table `fleet`,
/// and acting on one dead letter. Rows expire at `expires` (NULL: never); expired rows
/// are ignored by reads and removed by the next put-if-empty.
extension SqliteStorage {
    /// Stores `value` under `key`; with `onlyIfAbsent` only when no live row is there — one
    /// `BEGIN IMMEDIATE` transaction, so of any number of processes exactly one wins.
    /// - Throws: ``StorageError``.
    public func putFleetValue(key: String, value: [UInt8], expiresAt: Double?, onlyIfAbsent: Bool, now: Double) throws
        -> Bool
    {
        let values: [SQLiteValue] = [.text(name), .text(key), .blob(value), .optionalReal(expiresAt)]
        guard onlyIfAbsent else {
            try write { try $0.run(SqliteSQL.fleetPut, values) }
            return true
        }
        return try write { connection in
            try connection.run(SqliteSQL.fleetSweep, [.text(name), .real(now)])
            return try connection.queryFirst(SqliteSQL.fleetPutIfAbsent, values) { _ in true } ?? false
        }
    }

    /// The live values under `prefix`.
    /// - Throws: ``StorageError``.
    public func fleetValues(prefix: String, now: Double) throws -> [String: [UInt8]] {
        let rows = try withConnection { connection in
            try connection.query(SqliteSQL.fleetValues, [.text(name), .text(prefix), .real(now)]) { row in
                (row.text(0), row.blob(1))
            }
        }
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }

    /// Removes `key`; says whether it was there.
    /// - Throws: ``StorageError``.
    public func deleteFleetValue(key: String) throws -> Bool {
        try write { try $0.queryFirst(SqliteSQL.fleetDelete, [.text(name), .text(key)]) { _ in true } ?? false }
    }

    /// ``claim(owner:now:)`` looks for the pause flag in its transaction.
    public var claimsHonorPause: Bool { true }

    /// Whether this queue is paused, inside the caller's transaction (one primary-key read).
    func isPaused(on connection: SQLiteConnection) throws -> Bool {
        try connection.queryFirst(SqliteSQL.fleetPaused, [.text(name)]) { _ in true } ?? false
    }

    /// In one transaction: removes dead letter `id` (its row id) and queues its message.
    /// - Throws: ``StorageError``.
    public func requeueDead(id: String, priority: Double) throws -> Bool {
        guard let row = Int64(id) else { return false }
        return try write { connection in
            guard let data = try connection.queryFirst(SqliteSQL.takeDead, [.text(name), .integer(row)], row: { $0.blob(0) })
            else { return false }
            try connection.run(SqliteSQL.enqueue, [.text(name), .blob(data), .real(priority)])
            return true
        }
    }

    /// Removes dead letter `id` (its row id).
    /// - Throws: ``StorageError``.
    public func discardDead(id: String) throws -> Bool {
        guard let row = Int64(id) else { return false }
        return try write { try $0.queryFirst(SqliteSQL.takeDead, [.text(name), .integer(row)]) { _ in true } ?? false }
    }
}

extension SqliteSQL {
    static let fleetPut = "INSERT OR REPLACE INTO fleet (queue, key, value, expires) VALUES (?1, ?2, ?3, ?4)"
    static let fleetPutIfAbsent = "INSERT OR IGNORE INTO fleet (queue, key, value, expires) VALUES (?1, ?2, ?3, ?4) RETURNING 1"
    static let fleetSweep = "DELETE FROM fleet WHERE queue = ?1 AND expires <= ?2"
    static let fleetValues = """
        SELECT key, value FROM fleet WHERE queue = ?1 AND substr(key, 1, length(?2)) = ?2
            AND (expires IS NULL OR expires > ?3)
        """
    static let fleetDelete = "DELETE FROM fleet WHERE queue = ?1 AND key = ?2 RETURNING 1"
    static let fleetPaused = "SELECT 1 FROM fleet WHERE queue = ?1 AND key = '\(FleetKeys.paused)'"
    static let takeDead = "DELETE FROM dead WHERE queue = ?1 AND id = ?2 RETURNING data"
}
