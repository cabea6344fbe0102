import CLibPQ

/// Reading a libpq result (`PGresult*`) into ``PostgresRows`` or a ``PostgresError``.
/// The caller frees the result.
enum PostgresResult {
    /// The `bytea` type's OID.
    static let byteaOID: Oid = 17
    /// The `bigint` type's OID.
    static let int8OID: Oid = 20
    /// The `double precision` type's OID.
    static let float8OID: Oid = 701

    /// `number` in the text form `double precision` reads back exactly (`Infinity`, `NaN`).
    static func text(of number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return "\(number)"
    }

    /// The rows of a successful result; a failed one is thrown.
    /// - Parameters:
    ///   - result: The result, or nil when libpq returned none (out of memory, connection lost).
    ///   - connection: The connection it came from, for libpq's message when there is no result.
    ///   - doing: What was run, for messages.
    /// - Throws: ``PostgresError``: ``PostgresError/Code/server`` with the server's SQLSTATE,
    ///   message, detail and hint; ``PostgresError/Code/connection`` when the connection
    ///   is gone (also when the server said why, e.g. `57P01` at shutdown).
    static func rows(_ result: OpaquePointer?, connection: OpaquePointer, doing: String) throws -> PostgresRows {
        guard let result else { throw failure(nil, connection: connection, doing: doing) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE: return try read(result)
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(columns: [], rows: [], affectedRows: affectedRows(result))
        default: throw failure(result, connection: connection, doing: doing)
        }
    }

    /// The error a failed result (or none) stands for.
    static func failure(_ result: OpaquePointer?, connection: OpaquePointer, doing: String) -> PostgresError {
        let broken = PQstatus(connection) == CONNECTION_BAD
        guard let result, let state = field(result, huey_pg_diag_sqlstate) else {
            let reason = result.flatMap { text(PQresultErrorMessage($0)) } ?? text(PQerrorMessage(connection))
            return PostgresError(
                code: broken ? .connection : .server,
                message: "\(doing) failed: \(reason ?? "libpq gave no reason (status \(PQstatus(connection).rawValue))")")
        }
        let message = field(result, huey_pg_diag_message_primary) ?? "the server gave no message"
        return PostgresError(
            code: broken ? .connection : .server,
            message: broken ? "\(doing) failed, the connection is lost: \(message)" : message,
            sqlState: SQLState(rawValue: state), detail: field(result, huey_pg_diag_message_detail),
            hint: field(result, huey_pg_diag_message_hint))
    }

    /// libpq text (trailing newline removed), nil when empty or missing.
    static func text(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        let value = String(cString: pointer).trimmingTrailingWhitespace
        return value.isEmpty ? nil : value
    }

    private static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        text(PQresultErrorField(result, code))
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        text(PQcmdTuples(result)).flatMap { Int($0) } ?? 0
    }

    private static func read(_ result: OpaquePointer) throws -> PostgresRows {
        let columnCount = PQnfields(result)
        let rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let binary = (0..<columnCount).map { PQfformat(result, $0) == 1 }
        let bytea = (0..<columnCount).map { PQftype(result, $0) == byteaOID }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [[UInt8]?] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                guard PQgetisnull(result, row, column) == 0, let raw = PQgetvalue(result, row, column) else {
                    values.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                if bytea[Int(column)] && !binary[Int(column)] {
                    values.append(try unescapeBytea(raw))
                } else {
                    values.append(raw.withMemoryRebound(to: UInt8.self, capacity: length) {
                        Array(UnsafeBufferPointer(start: $0, count: length))
                    })
                }
            }
            rows.append(PostgresRow(values: values))
        }
        return PostgresRows(columns: columns, rows: rows, affectedRows: affectedRows(result))
    }

    /// The bytes of a `bytea` value in text form (`\x…` hex).
    /// - Throws: ``PostgresError`` of code ``PostgresError/Code/system`` when libpq cannot
    ///   allocate the bytes.
    private static func unescapeBytea(_ raw: UnsafeMutablePointer<CChar>) throws -> [UInt8] {
        var length = 0
        guard let bytes = raw.withMemoryRebound(to: UInt8.self, capacity: 1, { PQunescapeBytea($0, &length) })
        else { throw PostgresError(code: .system, message: "libpq is out of memory decoding a bytea value") }
        defer { PQfreemem(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}
