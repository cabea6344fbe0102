/// Where and how to connect to Redis: a TCP address or a Unix socket, the database,
/// credentials and timeouts.
///
/// Make one with ``init(host:port:database:password:username:unixSocket:connectTimeout:commandTimeout:)``
/// or from a URL with ``init(url:)``. Values are checked when a connection is opened.
public struct RedisConfiguration: Sendable, Hashable {
    /// The server's host name or IP address (default `127.0.0.1`); ignored with ``unixSocket``.
    public var host: String
    /// The server's TCP port (default 6379); ignored with ``unixSocket``.
    public var port: Int
    /// The path of the server's Unix socket; when set, ``host`` and ``port`` are ignored.
    public var unixSocket: String?
    /// The database number (default 0); a connection sends `SELECT` when it is not 0.
    public var database: Int
    /// The ACL user name (Redis 6+); when set, a connection sends `AUTH username password`.
    public var username: String?
    /// The password; when set, a connection sends `AUTH password` (or `AUTH username password`).
    public var password: String?
    /// Seconds to wait for the connection to be established (default 5).
    public var connectTimeout: Double
    /// Seconds a command may wait for the socket to read or write (default 30). Callers keep
    /// blocking commands such as `BLPOP` shorter, or raise the timeout around them with
    /// ``RedisConnection/setCommandTimeout(_:)``.
    public var commandTimeout: Double

    /// Makes a configuration.
    /// - Parameters:
    ///   - host: Host name or IP address of the server.
    ///   - port: TCP port of the server.
    ///   - database: Database number, selected after connecting when not 0.
    ///   - password: Password for `AUTH`, or nil for none.
    ///   - username: ACL user name for `AUTH` (Redis 6+), or nil for the default user.
    ///   - unixSocket: Path of a Unix socket to use instead of `host` and `port`.
    ///   - connectTimeout: Seconds to wait for the connection.
    ///   - commandTimeout: Seconds each command may wait for the socket.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, database: Int = 0, password: String? = nil,
        username: String? = nil, unixSocket: String? = nil, connectTimeout: Double = 5, commandTimeout: Double = 30
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
        self.username = username
        self.unixSocket = unixSocket
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Checks the values a connection needs.
    /// - Throws: ``RedisError`` with kind ``RedisError/Kind/configuration`` naming the bad value.
    func validate() throws {
        func fail(_ message: String) -> RedisError { RedisError(kind: .configuration, message: message) }
        if let unixSocket {
            guard !unixSocket.isEmpty else { throw fail("the Unix socket path is empty") }
            // sockaddr_un.sun_path holds 108 bytes, the terminating NUL included.
            guard unixSocket.utf8.count < 108 else {
                throw fail("the Unix socket path \(unixSocket) is longer than 107 bytes")
            }
        } else {
            guard !host.isEmpty else { throw fail("the host name is empty") }
            guard (1...65535).contains(port) else { throw fail("port \(port) is not in 1...65535") }
        }
        guard database >= 0 else { throw fail("database \(database) is negative") }
        guard connectTimeout.isFinite, connectTimeout > 0 else {
            throw fail("connect timeout \(connectTimeout) is not a positive number of seconds")
        }
        guard commandTimeout.isFinite, commandTimeout > 0 else {
            throw fail("command timeout \(commandTimeout) is not a positive number of seconds")
        }
    }

    /// The server's address for messages: `host:port` (`[v6]:port`) or the socket path.
    public var address: String {
        if let unixSocket { return unixSocket }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension RedisConfiguration: CustomStringConvertible {
    /// The configuration as a URL, the password masked (`***`).
    public var description: String {
        var credentials = ""
        if let username { credentials = username }
        if password != nil { credentials += ":***" }
        if !credentials.isEmpty { credentials += "@" }
        var query: [String] = []
        if unixSocket != nil, database != 0 { query.append("db=\(database)") }
        if commandTimeout != 30 { query.append("timeout=\(commandTimeout)") }
        if connectTimeout != 5 { query.append("connect_timeout=\(connectTimeout)") }
        let suffix = query.isEmpty ? "" : "?" + query.joined(separator: "&")
        if let unixSocket { return "unix://\(credentials)\(unixSocket)\(suffix)" }
        return "redis://\(credentials)\(address)/\(database)\(suffix)"
    }
}
