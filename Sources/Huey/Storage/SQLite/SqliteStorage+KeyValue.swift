import Foundation

/// Results and other key/value data (table `kv`), counters (table `counter`) and dead
/// letters (table `dead`).
extension SqliteStorage {
    /// Stores `value` under `key`, replacing what was there.
    /// - Throws: ``StorageError``.
    public func putData(key: String, value: [UInt8]) throws {
        try write { try $0.run(SqliteSQL.put, [.text(name), .text(key), .blob(value)]) }
    }

    /// The value under `key`, left in place.
    /// - Throws: ``StorageError``.
    public func peekData(key: String) throws -> [UInt8]? {
        try withConnection { try $0.queryFirst(SqliteSQL.peek, [.text(name), .text(key)]) { $0.blob(0) } }
    }

    /// Removes and returns the value under `key`.
    /// - Throws: ``StorageError``.
    public func popData(key: String) throws -> [UInt8]? {
        try write { try $0.queryFirst(SqliteSQL.pop, [.text(name), .text(key)]) { $0.blob(0) } }
    }

    /// Removes `key`; says whether it was there.
    /// - Throws: ``StorageError``.
    public func deleteData(key: String) throws -> Bool {
        try write { connection in
            try connection.run(SqliteSQL.deleteKey, [.text(name), .text(key)])
            return connection.changes > 0
        }
    }

    /// Whether `key` has a value.
    /// - Throws: ``StorageError``.
    public func hasData(key: String) throws -> Bool {
        try withConnection { try $0.queryFirst(SqliteSQL.hasKey, [.text(name), .text(key)]) { _ in true } ?? false }
    }

    /// Stores `value` only when `key` has none; says whether it stored.
    /// - Throws: ``StorageError``.
    public func putIfEmpty(key: String, value: [UInt8]) throws -> Bool {
        try write { connection in
            try connection.run(SqliteSQL.putIfEmpty, [.text(name), .text(key), .blob(value)])
            return connection.changes > 0
        }
    }

    /// The values of `keys`, in order (nil where a key has none).
    /// - Throws: ``StorageError``.
    public func peekMany(keys: [String]) throws -> [[UInt8]?] {
        try withConnection { connection in
            try keys.map { key in
                try connection.queryFirst(SqliteSQL.peek, [.text(name), .text(key)]) { $0.blob(0) }
            }
        }
    }

    /// The number of stored keys of this queue.
    /// - Throws: ``StorageError``.
    public func resultStoreSize() throws -> Int {
        try withConnection { try $0.queryFirst(SqliteSQL.kvSize, [.text(name)]) { $0.int(0) } ?? 0 }
    }

    /// Every stored key and value of this queue.
    /// - Throws: ``StorageError``.
    public func resultItems() throws -> [String: [UInt8]] {
        try withConnection { connection in
            let rows = try connection.query(SqliteSQL.kvItems, [.text(name)]) { ($0.text(0), $0.blob(1)) }
            return Dictionary(rows, uniquingKeysWith: { _, last in last })
        }
    }

    /// Removes every stored key of this queue.
    /// - Throws: ``StorageError``.
    public func flushResults() throws {
        try write { try $0.run(SqliteSQL.flushKV, [.text(name)]) }
    }

    // MARK: Counters

    /// Adds `amount` to the counter `key` (missing = 0) and returns the new value.
    /// - Throws: ``StorageError``.
    public func increment(key: String, by amount: Int) throws -> Int {
        try write { try $0.queryFirst(SqliteSQL.increment, [.text(name), .text(key), .int(amount)]) { $0.int(0) } }
            ?? amount
    }

    /// Removes the counter `key`.
    /// - Throws: ``StorageError``.
    public func deleteCounter(key: String) throws {
        try write { try $0.run(SqliteSQL.deleteCounter, [.text(name), .text(key)]) }
    }

    // MARK: Dead letters

    /// Keeps a message that cannot be run, with the reason and the current time.
    /// - Throws: ``StorageError``.
    public func addDead(_ data: [UInt8], reason: String) throws {
        try write { try addDead(data, reason: reason, on: $0) }
    }

    /// Inserts a dead letter inside the caller's transaction.
    func addDead(_ data: [UInt8], reason: String, on connection: SQLiteConnection) throws {
        let now = Date().timeIntervalSince1970
        try connection.run(SqliteSQL.addDead, [.text(name), .blob(data), .text(reason), .real(now)])
    }

    /// Every dead letter of this queue, oldest first.
    /// - Throws: ``StorageError``.
    public func deadItems() throws -> [DeadLetter] {
        try withConnection {
            try $0.query(SqliteSQL.deadItems, [.text(name)]) {
                DeadLetter(data: $0.blob(0), reason: $0.text(1), timestamp: $0.double(2), id: String($0.int64(3)))
            }
        }
    }

    /// Removes every dead letter of this queue.
    /// - Throws: ``StorageError``.
    public func flushDead() throws {
        try write { try $0.run(SqliteSQL.flushDead, [.text(name)]) }
    }
}
