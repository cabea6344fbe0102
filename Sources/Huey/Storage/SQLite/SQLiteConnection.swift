import CSQLite
import Foundation

/// One SQLite database connection (`sqlite3*`), closed in `deinit`.
///
/// Statements are prepared once per SQL string and cached for the connection's life.
/// Not `Sendable` and not thread-safe by itself: its owner (``SqliteStorage``) keeps it
/// behind a mutex together with the pid that opened it. A connection must never be used
/// or closed in a process forked from the one that opened it: ``abandon()`` it there.
final class SQLiteConnection {
    /// The database file.
    let path: String
    let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    private var abandoned = false
    /// How this connection waits for other connections' locks with `quickRetries` (see
    /// ``SQLiteBusyWait``).
    var busyWait: SQLiteBusyWait
    /// Whether `busyWait` is the busy handler (else SQLite's own `busy_timeout` is).
    let quickRetries: Bool
    /// Seconds to wait for another connection's lock.
    let busyTimeout: Double
    /// The WAL size this connection keeps to after its commits, once ``boundWAL(_:)`` set it.
    var walBound: SQLiteWALBound?

    /// Opens (creating when missing) the database file at `path`.
    /// - Parameters:
    ///   - path: The file, created when missing (its directory must exist).
    ///   - busyTimeout: Seconds to wait for another connection's lock before giving up
    ///     with ``StorageError/Code/busy``.
    ///   - quickRetries: Retry a held lock after short sleeps (``SQLiteBusyWait``), for
    ///     transactions that commit in microseconds; otherwise SQLite's own 1, 2, 5, 10 ms…
    ///     steps, which measured twice as fast when every commit waits for `fsync`: retrying
    ///     often during a holder's flush only slows both down.
    /// - Throws: ``StorageError`` with code `.open` when the file cannot be opened.
    ///   (A file that is not a database is only noticed by the first statement.)
    init(path: String, busyTimeout: Double, quickRetries: Bool) throws {
        var database: OpaquePointer?
        // NOMUTEX: the owner serialises all use of the connection itself.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &database, flags, nil)
        guard code == SQLITE_OK, let database else {
            let error = SQLiteResult.error(code, database: database, doing: "cannot open SQLite database \(path)")
            sqlite3_close_v2(database)
            throw StorageError(code: .open, message: error.message, sqliteCode: error.sqliteCode)
        }
        self.path = path
        self.handle = database
        self.busyWait = SQLiteBusyWait(timeout: busyTimeout)
        self.quickRetries = quickRetries
        self.busyTimeout = busyTimeout
        sqlite3_extended_result_codes(database, 0)
        guard quickRetries else {
            sqlite3_busy_timeout(database, SQLiteBusyWait.milliseconds(busyTimeout))
            return
        }
        // The handler is called on the thread using the connection, while the connection
        // (which outlives its handle: `deinit` closes it) is in use.
        let handler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { context, attempt in
            guard let context else { return 0 }
            let connection = Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue()
            return connection.busyWait.shouldRetry(attempt: Int(attempt)) ? 1 : 0
        }
        sqlite3_busy_handler(database, handler, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        guard !abandoned else { return }
        statements.removeAll()  // finalizes them
        sqlite3_close_v2(handle)
    }

    /// Gives the connection up without closing it or finalizing its statements: for a
    /// connection inherited across `fork()`, where closing could disturb the parent's
    /// locks. The memory is leaked on purpose.
    func abandon() {
        abandoned = true
        for statement in statements.values { statement.abandoned = true }
        _ = Unmanaged.passRetained(self)  // never deinitialised
    }

    // MARK: Running SQL

    /// Runs one or more SQL statements that take no parameters and return no rows
    /// needed (schema, pragmas). Not cached.
    /// - Throws: ``StorageError`` with SQLite's message.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if let message { sqlite3_free(message) }
        guard code == SQLITE_OK else {
            throw SQLiteResult.error(code, database: handle, doing: "cannot run \"\(sql)\" on \(path)")
        }
    }

    /// The cached statement for `sql`, prepared on first use.
    /// - Throws: ``StorageError`` when the SQL cannot be prepared.
    func prepared(_ sql: String) throws -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try SQLiteStatement(sql: sql, database: handle)
        statements[sql] = statement
        return statement
    }

    /// Runs `sql` with `values` to completion (a write), ignoring any rows.
    /// - Throws: ``StorageError`` (busy, full, read-only, …).
    func run(_ sql: String, _ values: [SQLiteValue] = []) throws {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(values)
        while try statement.step() {}
    }

    /// Runs the write `sql` once per element of `rows`: `shared` is bound once (to the
    /// first parameters), `bind` binds the rest for each row. One statement lookup and no
    /// per-row allocation, for batches (`map`).
    /// - Throws: ``StorageError``, or what `bind` throws; rows run before it stay in the
    ///   caller's transaction.
    func runEach<Row>(
        _ sql: String, shared: [SQLiteValue], _ rows: [Row], bind: (SQLiteStatement, Row) throws -> Void
    ) throws {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(shared)
        for row in rows {
            try bind(statement, row)
            while try statement.step() {}
            statement.rewind()
        }
    }

    /// Runs `sql` with `values` and maps every result row with `row`.
    /// - Throws: ``StorageError``, or what `row` throws.
    func query<T>(_ sql: String, _ values: [SQLiteValue] = [], row: (SQLiteStatement) throws -> T) throws -> [T] {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(values)
        var rows: [T] = []
        while try statement.step() { rows.append(try row(statement)) }
        return rows
    }

    /// Runs `sql` with `values` and maps the first result row with `row` (nil when none).
    /// The statement is run to completion (a `RETURNING` write finishes its work).
    /// - Throws: ``StorageError``, or what `row` throws.
    func queryFirst<T>(_ sql: String, _ values: [SQLiteValue] = [], row: (SQLiteStatement) throws -> T) throws
        -> T?
    {
        let statement = try prepared(sql)
        defer { statement.reset() }
        try statement.bind(values)
        guard try statement.step() else { return nil }
        let first = try row(statement)
        while try statement.step() {}
        return first
    }

    /// Runs `sql` without caching its statement and returns every row, each column read
    /// as text (NULL as nil). For diagnostics and tests, not for the hot path.
    /// - Throws: ``StorageError``.
    func textRows(_ sql: String) throws -> [[String?]] {
        let statement = try SQLiteStatement(sql: sql, database: handle)
        var rows: [[String?]] = []
        while try statement.step() {
            rows.append((0..<statement.columnCount).map { statement.isNull($0) ? nil : statement.text($0) })
        }
        return rows
    }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Whether no transaction is open.
    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    // MARK: Transactions

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction (the write lock is taken up front,
    /// waiting up to the busy timeout) and commits; on a throw rolls back and rethrows.
    /// - Throws: ``StorageError`` when the transaction cannot begin (`.busy` after the
    ///   busy timeout) or commit, or what `body` throws.
    func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN IMMEDIATE")
        let value: T
        do {
            value = try body()
            try run("COMMIT")
        } catch {
            rollback()
            throw error
        }
        return value
    }

    /// Rolls back the open transaction, if SQLite has not already done so.
    private func rollback() {
        guard !isAutocommit else { return }
        _ = try? run("ROLLBACK")
    }
}
