/// A PostgreSQL SQLSTATE error code: five characters, the first two naming its class
/// (see PostgreSQL's "Appendix A. PostgreSQL Error Codes").
///
/// Compare with the named codes (`error.sqlState == .uniqueViolation`) or by class
/// (`error.sqlState?.errorClass == "40"` for any transaction rollback).
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The five-character code, e.g. `23505`.
    public let rawValue: String

    /// Wraps a five-character code as the server sent it.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The code's class: its first two characters (`23` integrity constraint violation,
    /// `40` transaction rollback, `42` syntax error or access rule violation, `57`
    /// operator intervention, `08` connection exception).
    public var errorClass: String { String(rawValue.prefix(2)) }

    /// The code itself.
    public var description: String { rawValue }

    /// `23505`: a unique index already has the key.
    public static let uniqueViolation = SQLState(rawValue: "23505")
    /// `23503`: a foreign key has no referenced row.
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    /// `23502`: NULL in a NOT NULL column.
    public static let notNullViolation = SQLState(rawValue: "23502")
    /// `40001`: a serializable transaction must be retried.
    public static let serializationFailure = SQLState(rawValue: "40001")
    /// `40P01`: this transaction was chosen to break a deadlock.
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    /// `42601`: the SQL does not parse.
    public static let syntaxError = SQLState(rawValue: "42601")
    /// `42P01`: no such table.
    public static let undefinedTable = SQLState(rawValue: "42P01")
    /// `42P07`: the table already exists.
    public static let duplicateTable = SQLState(rawValue: "42P07")
    /// `25P02`: a statement in this transaction failed; only ROLLBACK is accepted.
    public static let inFailedSQLTransaction = SQLState(rawValue: "25P02")
    /// `55P03`: a lock was not available (`NOWAIT`).
    public static let lockNotAvailable = SQLState(rawValue: "55P03")
    /// `57014`: the statement was cancelled (statement timeout or a cancel request).
    public static let queryCanceled = SQLState(rawValue: "57014")
    /// `57P01`: the server is shutting down and ended the session.
    public static let adminShutdown = SQLState(rawValue: "57P01")
    /// `28P01`: wrong password.
    public static let invalidPassword = SQLState(rawValue: "28P01")
}
