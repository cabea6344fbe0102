import CSQLite

/// A prepared statement: bound, stepped, read and reset by its ``SQLiteConnection``,
/// which caches it for reuse. Finalized in `deinit`.
///
/// Not `Sendable`: used only by the connection that prepared it, under that connection's
/// owner's lock.
final class SQLiteStatement {
    /// The SQL text (the cache key).
    let sql: String
    private let handle: OpaquePointer
    private let database: OpaquePointer
    /// The database file, for error messages.
    private let file: String
    /// Set when the owning connection was abandoned after `fork()`: never finalize.
    var abandoned = false

    /// Prepares `sql` on `database`.
    /// - Throws: ``StorageError`` with SQLite's message when the SQL cannot be prepared
    ///   (syntax error, not a database, …).
    init(sql: String, database: OpaquePointer) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw SQLiteResult.error(code, database: database, doing: "cannot prepare \"\(sql)\"")
        }
        self.sql = sql
        self.handle = statement
        self.database = database
        self.file = sqlite3_db_filename(database, "main").map { String(cString: $0) } ?? "?"
    }

    deinit {
        if !abandoned { sqlite3_finalize(handle) }
    }

    // MARK: Binding

    /// Binds `values` to parameters 1…n.
    /// - Throws: ``StorageError`` when a value cannot be bound (too big, out of memory).
    func bind(_ values: [SQLiteValue]) throws {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Binds `value` to parameter `index` (from 1).
    /// - Throws: ``StorageError`` when the value cannot be bound (too big, out of memory).
    func bind(_ value: SQLiteValue, at index: Int32) throws {
        let code: Int32
        switch value {
        case .integer(let number):
            code = sqlite3_bind_int64(handle, index, number)
        case .real(let number):
            code = sqlite3_bind_double(handle, index, number)
        case .text(let text):
            // The String is passed as a temporary C string; TRANSIENT makes SQLite copy it.
            code = sqlite3_bind_text64(
                handle, index, text, UInt64(text.utf8.count), SQLiteResult.transient, UInt8(SQLITE_UTF8))
        case .blob(let bytes) where bytes.isEmpty:
            // A zero-length bind_blob with a nil pointer would store NULL.
            code = sqlite3_bind_zeroblob(handle, index, 0)
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob64(handle, index, raw.baseAddress, UInt64(raw.count), SQLiteResult.transient)
            }
        case .null:
            code = sqlite3_bind_null(handle, index)
        }
        guard code == SQLITE_OK else {
            let action = "cannot bind parameter \(index) of \"\(sql)\""
            throw SQLiteResult.error(code, database: database, doing: action)
        }
    }

    // MARK: Stepping

    /// Advances to the next row; returns false when the statement is done.
    /// - Throws: ``StorageError`` (busy, full, read-only, corrupt, constraint, …).
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteResult.error(code, database: database, doing: "cannot run \"\(sql)\" on \(file)")
        }
    }

    /// Resets the statement and clears its bindings so it can be reused and holds no
    /// read transaction open.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Resets the statement to run it again, keeping its bindings.
    func rewind() {
        sqlite3_reset(handle)
    }

    // MARK: Reading the current row (columns count from 0)

    /// The number of columns in a result row.
    var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Whether column `index` is NULL.
    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` as an integer (0 for NULL).
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` as an `Int` (0 for NULL).
    func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(handle, index)) }

    /// Column `index` as a double (0 for NULL).
    func double(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` as a double, or nil for NULL.
    func optionalDouble(_ index: Int32) -> Double? { isNull(index) ? nil : double(index) }

    /// Column `index` as text ("" for NULL).
    func text(_ index: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column `index` as bytes ([] for NULL or an empty blob).
    func blob(_ index: Int32) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(handle, index) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, index))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
