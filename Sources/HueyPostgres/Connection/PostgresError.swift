/// A PostgreSQL operation failed: a bad configuration, a connection that could not be
/// made or broke, an error the server reported, or a misuse of a connection.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The URL or connection string is invalid; nothing was sent.
        public static let configuration = Code("configuration")
        /// Connecting or authenticating failed, or the connection broke (the server went
        /// away, a network error); the connection is then ``PostgresConnection/isBroken``.
        public static let connection = Code("connection")
        /// The server reported an error for a statement; ``PostgresError/sqlState`` says
        /// which. The connection stays usable.
        public static let server = Code("server")
        /// The connection was used where it must not be: after `fork()`, or inside a
        /// transaction that the server already aborted.
        public static let misuse = Code("misuse")
        /// Waiting for a notification or a reply failed in the operating system.
        public static let system = Code("system")

        /// The kind's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A sentence for a person: for ``Code/server`` the server's primary message, as it
    /// sent it; otherwise what failed, where, and libpq's explanation.
    public var message: String
    /// The server's SQLSTATE for ``Code/server`` errors (e.g. ``SQLState/uniqueViolation``).
    public var sqlState: SQLState?
    /// The server's detail line, when it sent one (e.g. which key was duplicated).
    public var detail: String?
    /// The server's hint, when it sent one.
    public var hint: String?

    /// Makes a PostgreSQL error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What happened.
    ///   - sqlState: The server's SQLSTATE, for server errors.
    ///   - detail: The server's detail line.
    ///   - hint: The server's hint.
    public init(code: Code, message: String, sqlState: SQLState? = nil, detail: String? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
    }

    /// The message with its kind, SQLSTATE, detail and hint.
    public var description: String {
        var text = "PostgreSQL \(code) error"
        if let sqlState { text += " \(sqlState.rawValue)" }
        text += ": \(message)"
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}
