import CSQLite

/// A value bound to a statement parameter.
enum SQLiteValue {
    /// A 64-bit integer.
    case integer(Int64)
    /// A double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes (an empty array is stored as an empty blob, not NULL).
    case blob([UInt8])
    /// SQL NULL.
    case null

    /// An `Int` as an integer.
    static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }

    /// A `Double?` as a real, or NULL.
    static func optionalReal(_ value: Double?) -> SQLiteValue { value.map { .real($0) } ?? .null }
}

/// SQLite result codes and the mapping to ``StorageError``.
enum SQLiteResult {
    /// `SQLITE_TRANSIENT`: tells SQLite to copy bound text and blobs before the bind returns.
    /// (The C macro is a cast of -1 to the destructor type, which Swift cannot import.)
    static var transient: sqlite3_destructor_type {
        unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }

    /// The error for result `code` from `database` (may be nil when open failed before a
    /// handle existed), naming what was being done.
    static func error(_ code: Int32, database: OpaquePointer?, doing action: String) -> StorageError {
        let primary = code & 0xFF
        var text: String
        if let database, let message = sqlite3_errmsg(database) {
            text = String(cString: message)
        } else if let message = sqlite3_errstr(code) {
            text = String(cString: message)
        } else {
            text = "unknown error"
        }
        if text.isEmpty { text = "unknown error" }
        let code = storageCode(primary)
        // SQLite says "database or disk is full"; say first what the reader must fix.
        let message = code == .full ? "no space left on the disk: \(action): \(text)" : "\(action): \(text)"
        return StorageError(code: code, message: message, sqliteCode: primary)
    }

    /// The ``StorageError/Code`` for a primary SQLite result code.
    static func storageCode(_ primary: Int32) -> StorageError.Code {
        switch primary {
        case SQLITE_FULL: return .full
        case SQLITE_READONLY: return .readOnly
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_CORRUPT: return .corrupt
        case SQLITE_NOTADB, SQLITE_CANTOPEN: return .open
        default: return .io
        }
    }
}
