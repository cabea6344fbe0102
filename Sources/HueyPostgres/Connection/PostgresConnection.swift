import CLibPQ
import Huey

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection to PostgreSQL (a libpq `PGconn`), used by one thread at a time,
/// closed in `deinit`.
///
/// Everything is synchronous: ``query(_:_:)`` sends a statement with its parameters and
/// waits for its rows; ``prepare(_:)`` prepares a statement once for the connection's
/// life; ``transaction(_:)`` runs a closure between `BEGIN` and `COMMIT`;
/// ``listen(_:)`` and ``waitForNotification(timeout:)`` wait for `NOTIFY`.
///
/// A server error (``PostgresError/Code/server``) leaves the connection usable; a lost
/// connection (``PostgresError/Code/connection``) makes it ``isBroken`` for good: open
/// a new one. A connection belongs to the process that opened it: in a process forked
/// from that one it refuses every call (it never sends a byte on the parent's socket)
/// and is never closed there. Its socket is close-on-exec (libpq sets it).
public final class PostgresConnection {
    /// The configuration this connection was opened with.
    public let configuration: PostgresConfiguration
    private let handle: OpaquePointer
    /// The process that opened the connection; no other process may use or close it.
    private let owner: pid_t
    /// Prepared statements by SQL.
    private var statements: [String: PostgresStatement] = [:]

    /// Connects and waits until the server accepts the session.
    /// - Parameter configuration: Where and how to connect.
    /// - Throws: ``PostgresError`` with code ``PostgresError/Code/connection`` naming the
    ///   address and libpq's reason: nothing listening, host unknown or unreachable within
    ///   ``PostgresConfiguration/connectTimeout``, authentication refused, no such database.
    public init(_ configuration: PostgresConfiguration) throws {
        let parameters = configuration.parameters.sorted { $0.key < $1.key }
            + [("fallback_application_name", "swift-huey")]
        let opened = Self.withCStrings(parameters.map(\.0)) { keywords in
            Self.withCStrings(parameters.map(\.1)) { values in PQconnectdbParams(keywords, values, 0) }
        }
        guard let opened else {
            throw PostgresError(
                code: .connection, message: "cannot connect to PostgreSQL at \(configuration.address): out of memory")
        }
        guard PQstatus(opened) == CONNECTION_OK else {
            let reason = PostgresResult.text(PQerrorMessage(opened)) ?? "libpq gave no reason"
            PQfinish(opened)
            throw PostgresError(
                code: .connection, message: "cannot connect to PostgreSQL at \(configuration.address): \(reason)")
        }
        // Notices (e.g. "there is no transaction in progress") are not printed on stderr.
        PQsetNoticeProcessor(opened, { _, _ in }, nil)
        self.configuration = configuration
        self.handle = opened
        self.owner = getpid()
    }

    deinit {
        // A connection inherited across fork is left alone: its socket is the parent's,
        // and PQfinish would send the parent's session a Terminate message.
        if owner == getpid() { PQfinish(handle) }
    }

    /// Whether the connection is lost (the server closed it or went away); then every
    /// call throws and the connection must be replaced.
    public var isBroken: Bool { PQstatus(handle) == CONNECTION_BAD }

    /// Whether a transaction is open (also one the server has aborted after an error).
    public var inTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// The process id of this session's server backend.
    public var backendPID: Int32 { PQbackendPID(handle) }

    // MARK: Statements

    /// Runs SQL without parameters: one statement or several separated by `;` (schema).
    /// - Throws: ``PostgresError``: ``PostgresError/Code/server`` with the SQLSTATE of the
    ///   first failing statement, ``PostgresError/Code/connection`` when the connection is lost.
    public func execute(_ sql: String) throws {
        try checkUsable()
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        _ = try PostgresResult.rows(result, connection: handle, doing: "running \"\(Self.brief(sql))\"")
    }

    /// Runs one statement with parameters `$1`, `$2`, … and returns its rows.
    /// - Parameters:
    ///   - sql: One SQL statement.
    ///   - values: Its parameters, in order; bytes go in binary as `bytea`.
    /// - Returns: The rows (none for a command) and the number of rows affected.
    /// - Throws: ``PostgresError``: ``PostgresError/Code/server`` with the SQLSTATE,
    ///   message and detail; ``PostgresError/Code/connection`` when the connection is lost.
    @discardableResult
    public func query(_ sql: String, _ values: [PostgresValue] = []) throws -> PostgresRows {
        try checkUsable()
        let result = Self.withParameters(values) { count, types, pointers, lengths, formats in
            PQexecParams(handle, sql, count, types, pointers, lengths, formats, 0)
        }
        defer { PQclear(result) }
        return try PostgresResult.rows(result, connection: handle, doing: "running \"\(Self.brief(sql))\"")
    }

    /// Prepares `sql` on the server, once per connection: the same SQL returns the same
    /// statement.
    /// - Parameter sql: One SQL statement with parameters `$1`, `$2`, ….
    /// - Returns: The statement, to run with ``query(_:_:)-(PostgresStatement,_)``.
    /// - Throws: ``PostgresError`` (e.g. ``SQLState/syntaxError``) when the server refuses it.
    public func prepare(_ sql: String) throws -> PostgresStatement {
        if let statement = statements[sql] { return statement }
        try checkUsable()
        let name = "huey_\(statements.count + 1)"
        let prepared = PQprepare(handle, name, sql, 0, nil)
        defer { PQclear(prepared) }
        _ = try PostgresResult.rows(prepared, connection: handle, doing: "preparing \"\(Self.brief(sql))\"")
        let described = PQdescribePrepared(handle, name)
        defer { PQclear(described) }
        _ = try PostgresResult.rows(described, connection: handle, doing: "describing \"\(Self.brief(sql))\"")
        let statement = PostgresStatement(name: name, sql: sql, parameterCount: Int(PQnparams(described)))
        statements[sql] = statement
        return statement
    }

    /// Runs a statement prepared on this connection with `values`.
    /// - Parameters:
    ///   - statement: A statement from ``prepare(_:)`` on this connection.
    ///   - values: Its parameters, as many as it takes.
    /// - Returns: The rows and the number of rows affected.
    /// - Throws: ``PostgresError``: ``PostgresError/Code/misuse`` for a statement of another
    ///   connection or the wrong number of values; otherwise as ``query(_:_:)-(String,_)``.
    @discardableResult
    public func query(_ statement: PostgresStatement, _ values: [PostgresValue] = []) throws -> PostgresRows {
        try checkUsable()
        guard statements[statement.sql] == statement else {
            throw PostgresError(
                code: .misuse, message: "statement \(statement.name) was not prepared on this connection")
        }
        guard values.count == statement.parameterCount else {
            throw PostgresError(
                code: .misuse,
                message: "\"\(Self.brief(statement.sql))\" takes \(statement.parameterCount) parameters, "
                    + "not \(values.count)")
        }
        let result = Self.withParameters(values) { count, _, pointers, lengths, formats in
            PQexecPrepared(handle, statement.name, count, pointers, lengths, formats, 0)
        }
        defer { PQclear(result) }
        return try PostgresResult.rows(result, connection: handle, doing: "running \"\(Self.brief(statement.sql))\"")
    }

    // MARK: Transactions

    /// Runs `body` between `BEGIN` and `COMMIT`; when it throws, rolls back and rethrows.
    /// - Parameter body: The work; it uses this connection.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws (after the rollback); ``PostgresError`` when `BEGIN`
    ///   or `COMMIT` fails, or with code ``PostgresError/Code/misuse`` when a statement in
    ///   the transaction failed, `body` caught that and returned: the server then rolled
    ///   the whole transaction back, and this says so instead of pretending it committed.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        guard !inTransaction else {
            throw PostgresError(code: .misuse, message: "a transaction is already open on this connection")
        }
        try execute("BEGIN")
        let value: T
        do {
            value = try body()
        } catch {
            if inTransaction, !isBroken { _ = try? execute("ROLLBACK") }
            throw error
        }
        let committed = PQexec(handle, "COMMIT")
        defer { PQclear(committed) }
        _ = try PostgresResult.rows(committed, connection: handle, doing: "COMMIT")
        if let committed, PostgresResult.text(PQcmdStatus(committed)) == "ROLLBACK" {
            throw PostgresError(
                code: .misuse,
                message: "the transaction was rolled back, not committed: a statement in it failed "
                    + "and the error was caught inside the transaction")
        }
        return value
    }

    // MARK: Notifications

    /// Listens on `channel` (`LISTEN`): notifications sent there are then returned by
    /// ``waitForNotification(timeout:)``.
    /// - Parameter channel: The channel name, used as is (quoted), e.g. `huey.q.default`.
    /// - Throws: ``PostgresError``; code ``PostgresError/Code/misuse`` for a name longer
    ///   than 63 bytes, which the server would silently cut short for `LISTEN` (and refuse
    ///   in `pg_notify`), so nothing sent to the full name would ever arrive.
    public func listen(_ channel: String) throws {
        try Self.checkChannel(channel)
        try execute("LISTEN \(Self.quoteIdentifier(channel))")
    }

    /// Stops listening on `channel` (`UNLISTEN`).
    /// - Throws: ``PostgresError``.
    public func unlisten(_ channel: String) throws {
        try execute("UNLISTEN \(Self.quoteIdentifier(channel))")
    }

    /// Sends a notification (`pg_notify`); inside a transaction it is delivered at commit.
    /// - Parameters:
    ///   - channel: The channel.
    ///   - payload: Its text (under 8,000 bytes).
    /// - Throws: ``PostgresError``; code ``PostgresError/Code/misuse`` for a channel name
    ///   longer than 63 bytes.
    public func notify(_ channel: String, payload: String = "") throws {
        try Self.checkChannel(channel)
        try query("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }

    /// Returns the next notification on a channel this connection listens on, waiting up
    /// to `timeout` seconds for one (on the socket, with `poll`: it wakes as soon as one
    /// arrives).
    /// - Parameter timeout: Seconds to wait at most; 0 only takes what already arrived.
    /// - Returns: The notification, or nil when none came in time.
    /// - Throws: ``PostgresError`` with code ``PostgresError/Code/connection`` when the
    ///   connection is lost while waiting, ``PostgresError/Code/system`` when `poll` fails.
    public func waitForNotification(timeout: Double) throws -> PostgresNotification? {
        try checkUsable()
        if let notification = nextNotification() { return notification }
        let deadline = Self.now() + max(0, timeout)
        while true {
            guard PQconsumeInput(handle) == 1 else { throw lost(doing: "waiting for a notification") }
            if let notification = nextNotification() { return notification }
            let remaining = deadline - Self.now()
            guard remaining > 0 else { return nil }
            do throws(SystemError) {
                _ = try System.pollInput(PQsocket(handle), timeout: remaining, name: "poll")
            } catch {
                throw PostgresError(
                    code: .system,
                    message: "waiting for a notification from PostgreSQL failed: poll: \(String(cString: strerror(error.errno)))")
            }
        }
    }

    // MARK: Helpers

    /// A notification libpq has already read, if any.
    private func nextNotification() -> PostgresNotification? {
        guard let raw = PQnotifies(handle) else { return nil }
        defer { PQfreemem(raw) }
        return PostgresNotification(
            channel: String(cString: raw.pointee.relname), payload: raw.pointee.extra.map { String(cString: $0) } ?? "",
            senderPID: raw.pointee.be_pid)
    }

    /// Throws when the connection is lost or belongs to another process.
    private func checkUsable() throws {
        guard owner == getpid() else {
            throw PostgresError(
                code: .misuse,
                message: "the connection to PostgreSQL at \(configuration.address) was opened by process \(owner) "
                    + "and cannot be used after fork(); open a new one")
        }
        guard !isBroken else { throw lost(doing: "using the connection") }
    }

    /// The error for a connection that is gone.
    private func lost(doing what: String) -> PostgresError {
        let reason = PostgresResult.text(PQerrorMessage(handle)) ?? "the connection is closed"
        return PostgresError(
            code: .connection,
            message: "\(what) on PostgreSQL at \(configuration.address) failed: \(reason); open a new connection")
    }

    /// The longest channel name the server keeps whole (`NAMEDATALEN - 1` bytes).
    public static let maximumChannelLength = 63

    /// Throws when `channel` is longer than the server keeps.
    private static func checkChannel(_ channel: String) throws {
        guard channel.utf8.count <= maximumChannelLength, !channel.isEmpty else {
            throw PostgresError(
                code: .misuse,
                message: "the channel name \"\(channel)\" has \(channel.utf8.count) bytes; PostgreSQL takes "
                    + "1 to \(maximumChannelLength)")
        }
    }

    /// `name` as a quoted SQL identifier.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    /// The start of `sql`, for messages.
    private static func brief(_ sql: String) -> String {
        sql.count > 80 ? String(sql.prefix(77)) + "..." : sql
    }

    /// Seconds on the monotonic clock.
    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Calls `body` with `strings` as an array of C strings that lives for the call.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R)
        -> R
    {
        var storage = strings.map { strdup($0) }
        defer { storage.forEach { free($0) } }
        storage.append(nil)
        return storage.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
        }
    }

    /// Calls `body` with libpq's parameter arrays for `values` (count, types, values,
    /// lengths, formats): text as text, bytes in binary, integers as `bigint` text.
    /// The bytes are copied into one buffer that lives for the call.
    private static func withParameters<R>(
        _ values: [PostgresValue],
        _ body: (
            Int32, UnsafePointer<Oid>, UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>,
            UnsafePointer<Int32>
        ) -> R
    ) -> R {
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        var types: [Oid] = []
        for value in values {
            let (bytes, type, format): ([UInt8]?, Oid, Int32) =
                switch value {
                case .text(let text): (Array(text.utf8), 0, 0)
                case .bytes(let bytes): (bytes, PostgresResult.byteaOID, 1)
                case .integer(let number): (Array(String(number).utf8), PostgresResult.int8OID, 0)
                case .double(let number): (Array(PostgresResult.text(of: number).utf8), PostgresResult.float8OID, 0)
                case .null: (nil, 0, 0)
                }
            offsets.append(bytes.map { _ in storage.count })
            if let bytes {
                storage.append(contentsOf: bytes)
                storage.append(0)  // text values are read up to a NUL
            }
            lengths.append(Int32(bytes?.count ?? 0))
            formats.append(format)
            types.append(type)
        }
        storage.append(0)  // never empty, so the buffer has a base address
        // Never empty either: libpq reads nothing from them when there are no values.
        lengths.append(0)
        formats.append(0)
        types.append(0)
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { $0.map { base + $0 } } + [nil]
            return pointers.withUnsafeBufferPointer { pointers in
                body(
                    Int32(values.count), types, pointers.baseAddress!, lengths, formats)
            }
        }
    }
}
