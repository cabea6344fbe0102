import Huey

/// Results and other key/value data (`<prefix>_kv`), counters (`<prefix>_counter`), and the
/// key prefix lookup workers use for revocations.
extension PostgresStorage: KeyPrefixStorage {
    public func putData(key: String, value: [UInt8]) throws {
        try withConnection("store \(key)") { try $0.run(sql.put, [.text(name), .text(key), .bytes(value)]) }
    }

    public func peekData(key: String) throws -> [UInt8]? {
        try withConnection("read \(key)") { try $0.run(sql.peek, [.text(name), .text(key)]).first?.bytes(0) }
    }

    public func popData(key: String) throws -> [UInt8]? {
        try withConnection("pop \(key)") { try $0.run(sql.pop, [.text(name), .text(key)]).first?.bytes(0) }
    }

    public func deleteData(key: String) throws -> Bool {
        try withConnection("delete \(key)") { try $0.run(sql.deleteKey, [.text(name), .text(key)]).affectedRows > 0 }
    }

    public func hasData(key: String) throws -> Bool {
        try withConnection("look up \(key)") { try !$0.run(sql.hasKey, [.text(name), .text(key)]).isEmpty }
    }

    public func putIfEmpty(key: String, value: [UInt8]) throws -> Bool {
        try withConnection("store \(key) if empty") {
            try $0.run(sql.putIfEmpty, [.text(name), .text(key), .bytes(value)]).affectedRows == 1
        }
    }

    public func peekMany(keys: [String]) throws -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        return try withConnection("read \(keys.count) keys") { connection in
            // One snapshot for all of them.
            try connection.transaction {
                try keys.map { try connection.run(sql.peek, [.text(name), .text($0)]).first?.bytes(0) }
            }
        }
    }

    public func resultStoreSize() throws -> Int {
        try withConnection("count stored keys") { try $0.run(sql.kvSize, [.text(name)]).first?.int(0) ?? 0 }
    }

    public func resultItems() throws -> [String: [UInt8]] {
        try withConnection("list stored keys") { connection in
            var items: [String: [UInt8]] = [:]
            for row in try connection.run(sql.kvItems, [.text(name)]) {
                if let key = row.string(0) { items[key] = row.bytes(1) ?? [] }
            }
            return items
        }
    }

    public func flushResults() throws {
        try withConnection("flush stored keys") { try $0.run(sql.flushKV, [.text(name)]) }
    }

    public func increment(key: String, by amount: Int) throws -> Int {
        try withConnection("increment \(key)") {
            try $0.run(sql.increment, [.text(name), .text(key), .integer(amount)]).first?.int(0) ?? 0
        }
    }

    public func deleteCounter(key: String) throws {
        try withConnection("delete counter \(key)") { try $0.run(sql.deleteCounter, [.text(name), .text(key)]) }
    }

    /// Whether any key of this queue starts with one of `prefixes`: an index range scan
    /// per prefix (bytewise, the `text_pattern_ops` index's order), in one statement.
    public func hasKey(withAnyPrefixOf prefixes: [String]) throws -> Bool {
        try withConnection("look for keys") { try hasKey(withAnyPrefixOf: prefixes, on: $0) }
    }

    /// ``hasKey(withAnyPrefixOf:)`` on `connection`, inside the caller's transaction if any:
    /// one statement for all the prefixes.
    func hasKey(withAnyPrefixOf prefixes: [String], on connection: PostgresConnection) throws -> Bool {
        guard !prefixes.isEmpty else { return false }
        var values: [PostgresValue] = [.text(name)]
        var bounded: [Bool] = []
        for prefix in prefixes {
            let end = Self.end(ofPrefix: prefix)
            values += [.text(prefix)] + (end.map { [.text($0)] } ?? [])
            bounded.append(end != nil)
        }
        return try connection.run(sql.anyKeyWithPrefix(bounded: bounded), values).first?.bool(0) == true
    }

    /// The smallest text after every text starting with `prefix` (its last ASCII byte plus
    /// one), or nil when there is no such simple bound (empty, or not ending in ASCII).
    static func end(ofPrefix prefix: String) -> String? {
        var bytes = Array(prefix.utf8)
        guard let last = bytes.last, last < 0x7F else { return nil }
        bytes[bytes.count - 1] = last + 1
        return String(decoding: bytes, as: UTF8.self)
    }
}
