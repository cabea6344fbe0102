extension RedisConfiguration {
    /// Makes a configuration from a Redis URL, as redis-py and Huey's `RedisHuey(url=…)` take:
    ///
    /// - `redis://[[username]:password@]host[:port][/db][?timeout=S]` — TCP; an IPv6
    ///   address goes in brackets (`redis://[::1]:6379/0`).
    /// - `unix:///path/to.sock[?db=N&password=P]` — a Unix socket; credentials may also be
    ///   given as `unix://[[username]:password@]/path/to.sock`.
    ///
    /// User name, password, socket path and query values are percent-decoded. Both schemes
    /// take the query parameters `db`, `username`, `password`, `timeout` (alias
    /// `socket_timeout`: ``commandTimeout``) and `connect_timeout` (alias
    /// `socket_connect_timeout`: ``connectTimeout``).
    /// - Parameter url: The URL.
    /// - Throws: ``RedisError`` with kind ``RedisError/Kind/configuration`` saying what is
    ///   wrong: an unknown scheme (`rediss://`: TLS is not supported), a bad port, database,
    ///   timeout or percent escape, an unknown or repeated query parameter.
    public init(url: String) throws {
        self.init()
        let parser = URLParser(url: url)
        try parser.parse(into: &self)
    }
}

/// Parses a Redis URL into a ``RedisConfiguration``.
private struct URLParser {
    let url: String

    private func fail(_ problem: String) -> RedisError {
        RedisError(
            kind: .configuration,
            message: "invalid Redis URL \"\(masked)\": \(problem) "
                + "(expected redis://[[user]:password@]host[:port][/db] or unix:///path/to.sock[?db=N])")
    }

    /// The URL with the password replaced by `***`, for messages.
    private var masked: String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else {
            return url.replacing(/([?&]password=)[^&]*/) { "\($0.1)***" }
        }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    func parse(into configuration: inout RedisConfiguration) throws {
        guard let separator = url.firstRange(of: "://") else { throw fail("no scheme") }
        let scheme = url[..<separator.lowerBound].lowercased()
        var rest = Substring(url[separator.upperBound...])
        guard !rest.contains("#") else { throw fail("a fragment (#) is not allowed") }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var databaseInPath = false
        switch scheme {
        case "redis":
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = try parseUserinfo(rest[..<slash], into: &configuration)
            try parseHostPort(authority, into: &configuration)
            let path = rest[slash...].dropFirst()
            if !path.isEmpty {
                configuration.database = try parseDatabase(path)
                databaseInPath = true
            }
        case "unix":
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = try parseUserinfo(rest[..<slash], into: &configuration)
            guard authority.isEmpty else {
                throw fail("a unix URL takes no host (\"\(authority)\"); write unix:///absolute/path")
            }
            let path = try decode(rest[slash...], what: "socket path")
            guard path.count > 1 else { throw fail("the socket path is missing") }
            configuration.unixSocket = path
        case "rediss":
            throw fail("TLS (rediss://) is not supported")
        default:
            throw fail("unknown scheme \"\(scheme)\"")
        }
        try parseQuery(query, into: &configuration, databaseInPath: databaseInPath)
    }

    /// Takes `user:password@` off the front of `authority` and returns the rest.
    private func parseUserinfo(_ authority: Substring, into configuration: inout RedisConfiguration) throws
        -> Substring
    {
        guard let at = authority.lastIndex(of: "@") else { return authority }
        let userinfo = authority[..<at]
        if let colon = userinfo.firstIndex(of: ":") {
            let user = try decode(userinfo[..<colon], what: "user name")
            configuration.username = user.isEmpty ? nil : user
            configuration.password = try decode(userinfo[userinfo.index(after: colon)...], what: "password")
        } else if !userinfo.isEmpty {
            configuration.username = try decode(userinfo, what: "user name")
        }
        return authority[authority.index(after: at)...]
    }

    private func parseHostPort(_ authority: Substring, into configuration: inout RedisConfiguration) throws {
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("an IPv6 address lacks its \"]\"") }
            configuration.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected \"\(after)\" after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw fail("too many colons in \"\(authority)\" (put IPv6 addresses in [])") }
            if !parts[0].isEmpty { configuration.host = String(parts[0]) }
            if parts.count == 2 { portText = parts[1] }
        }
        if configuration.host.isEmpty { throw fail("the host is empty") }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw fail("port \"\(portText)\" is not a number in 1...65535")
            }
            configuration.port = port
        }
    }

    private func parseDatabase(_ text: Substring) throws -> Int {
        guard let database = Int(text), database >= 0, text.allSatisfy(\.isASCII) else {
            throw fail("database \"\(text)\" is not a number 0 or more")
        }
        return database
    }

    private func parseTimeout(_ text: String, name: String) throws -> Double {
        guard let seconds = Double(text), seconds.isFinite, seconds > 0 else {
            throw fail("\(name) \"\(text)\" is not a positive number of seconds")
        }
        return seconds
    }

    private func parseQuery(
        _ query: Substring, into configuration: inout RedisConfiguration, databaseInPath: Bool
    ) throws {
        var seen: Set<String> = databaseInPath ? ["db"] : []
        for item in query.split(separator: "&") {
            guard let equals = item.firstIndex(of: "=") else { throw fail("query item \"\(item)\" has no value") }
            let name = String(item[..<equals])
            let value = try decode(item[item.index(after: equals)...], what: name)
            let canonical =
                switch name {
                case "socket_timeout": "timeout"
                case "socket_connect_timeout": "connect_timeout"
                default: name
                }
            guard seen.insert(canonical).inserted else { throw fail("\(canonical) is given twice") }
            switch canonical {
            case "db": configuration.database = try parseDatabase(Substring(value))
            case "password": configuration.password = value
            case "username": configuration.username = value
            case "timeout": configuration.commandTimeout = try parseTimeout(value, name: name)
            case "connect_timeout": configuration.connectTimeout = try parseTimeout(value, name: name)
            default:
                throw fail(
                    "unknown query parameter \"\(name)\" (known: db, username, password, timeout, connect_timeout)")
            }
        }
    }

    /// Percent-decodes `text`, which must decode to UTF-8.
    private func decode(_ text: Substring, what: String) throws -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw fail("the \(what) has a bad percent escape")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw fail("the \(what) is not UTF-8 once percent-decoded")
        }
        return decoded
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
