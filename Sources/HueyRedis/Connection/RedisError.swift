/// A Redis operation failed: a bad configuration, a broken connection, an error reply
/// from the server, or a reply this client cannot read.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The configuration or URL is invalid; nothing was sent.
        case configuration
        /// Connecting, authenticating or selecting the database failed, or an I/O error,
        /// end of file or timeout broke an established connection (which is then
        /// ``RedisConnection/isBroken``).
        case connection
        /// The server answered with an error reply; ``message`` is its text. The connection
        /// stays usable.
        case server
        /// The server sent something this client does not understand; the connection is
        /// broken.
        case protocolError
    }

    /// The kind of failure.
    public var kind: Kind
    /// A sentence for a person. For ``Kind/server`` exactly what the server said, e.g.
    /// `NOSCRIPT No matching script. Please use EVAL.`
    public var message: String

    /// Makes a Redis error.
    /// - Parameters:
    ///   - kind: The kind of failure.
    ///   - message: What happened; for ``Kind/server`` the server's error text.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The error code a server error starts with (`ERR`, `NOSCRIPT`, `WRONGTYPE`, …), or
    /// nil for other kinds.
    public var serverCode: String? {
        guard kind == .server, let code = message.split(separator: " ", maxSplits: 1).first else { return nil }
        return String(code)
    }

    /// The message, prefixed with the kind for the non-server kinds.
    public var description: String {
        switch kind {
        case .configuration: "Redis configuration error: \(message)"
        case .connection: "Redis connection error: \(message)"
        case .server: "Redis error reply: \(message)"
        case .protocolError: "Redis protocol error: \(message)"
        }
    }
}
