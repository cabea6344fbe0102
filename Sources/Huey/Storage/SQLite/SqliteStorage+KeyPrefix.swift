/// Key prefix checks on table `kv`: one index seek per prefix, all in one statement.
extension SqliteStorage: KeyPrefixStorage {
    /// Whether any key of this queue starts with one of `prefixes`.
    /// - Throws: ``StorageError``.
    public func hasKey(withAnyPrefixOf prefixes: [String]) throws -> Bool {
        try withConnection { try hasKey(withAnyPrefixOf: prefixes, on: $0) }
    }

    /// ``hasKey(withAnyPrefixOf:)`` on `connection`, inside the caller's transaction if any.
    func hasKey(withAnyPrefixOf prefixes: [String], on connection: SQLiteConnection) throws -> Bool {
        guard !prefixes.isEmpty else { return false }
        let values: [SQLiteValue] = [.text(name)] + prefixes.map { .text($0) }
        let firstKeys = try connection.queryFirst(SqliteSQL.firstKeys(atOrAfter: prefixes.count), values) { row in
            (0..<Int32(prefixes.count)).map { row.isNull($0) ? nil : row.text($0) }
        }
        return zip(firstKeys ?? [], prefixes).contains { key, prefix in key?.utf8.starts(with: prefix.utf8) ?? false }
    }
}
