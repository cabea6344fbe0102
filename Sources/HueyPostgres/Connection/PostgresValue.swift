/// A parameter of a statement (`$1`, `$2`, …).
public enum PostgresValue: Sendable, Hashable {
    /// Text, sent as text; the server gives it the type the statement needs
    /// (`text`, `timestamptz`, `jsonb`, …).
    case text(String)
    /// Bytes, sent in binary as `bytea`: any bytes, NUL included.
    case bytes([UInt8])
    /// An integer, sent as `bigint`.
    case integer(Int)
    /// A floating-point number, sent as `double precision` (exactly: shortest round-trip text).
    case double(Double)
    /// SQL NULL.
    case null
}

/// A notification received on a channel this connection listens on
/// (``PostgresConnection/listen(_:)``).
public struct PostgresNotification: Sendable, Hashable {
    /// The channel it was sent on.
    public var channel: String
    /// Its payload (empty when none was given).
    public var payload: String
    /// The process id of the server backend that sent it.
    public var senderPID: Int32
}

/// A prepared statement of one connection (``PostgresConnection/prepare(_:)``).
public struct PostgresStatement: Sendable, Hashable {
    /// The statement's name on the server.
    public let name: String
    /// Its SQL.
    public let sql: String
    /// How many parameters it takes.
    public let parameterCount: Int
}
