import CLibPQ

/// Where and how to connect to PostgreSQL: the parameters of a libpq connection string,
/// checked before anything is sent.
///
/// Takes the two forms libpq takes (and psycopg, and Huey's `PostgresHuey`):
/// - a URL: `postgres://[user[:password]@][host][:port][/dbname][?param=value&…]`
///   (`postgresql://` too; a Unix socket folder as `?host=/run/postgresql`);
/// - key/value pairs: `host=db.internal port=5432 dbname=app user=huey`.
///
/// Parameters left out take libpq's defaults and environment variables (`PGHOST`,
/// `PGUSER`, `PGPASSWORD`, …). `connect_timeout` defaults to 10 seconds here (libpq's own
/// default is to wait forever).
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// The connection parameters as given, by libpq keyword (`host`, `port`, `dbname`,
    /// `user`, `password`, `sslmode`, …), plus ``connectTimeout``.
    public private(set) var parameters: [String: String]

    /// Seconds to wait for the server when connecting (`connect_timeout`).
    public var connectTimeout: Int {
        get { parameters["connect_timeout"].flatMap { Int($0) } ?? Self.defaultConnectTimeout }
        set { parameters["connect_timeout"] = String(max(1, newValue)) }
    }

    /// The default of ``connectTimeout``.
    public static let defaultConnectTimeout = 10

    /// Parses a URL or key/value connection string.
    /// - Parameter url: `postgres://…`, `postgresql://…` or `key=value …`.
    /// - Throws: ``PostgresError`` with code ``PostgresError/Code/configuration`` naming
    ///   the problem: another scheme, a malformed URL, an unknown parameter, a port that is
    ///   not a number from 1 to 65535, a `connect_timeout` that is not a whole number.
    public init(url: String) throws {
        if let separator = url.firstRange(of: "://") {
            let scheme = url[..<separator.lowerBound].lowercased()
            guard scheme == "postgres" || scheme == "postgresql" else {
                throw Self.invalid(url, "unknown scheme \"\(scheme)://\"")
            }
        }
        var parsed: [String: String] = [:]
        var failure: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &failure) else {
            let reason = failure.map { String(cString: $0) } ?? "libpq is out of memory"
            if let failure { PQfreemem(failure) }
            throw Self.invalid(url, reason.trimmingTrailingWhitespace)
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { parsed[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        for port in (parsed["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
        where parsed["port"] != nil {
            guard let number = Int(port), (1...65535).contains(number) else {
                throw Self.invalid(url, "port \"\(port)\" is not a number from 1 to 65535")
            }
        }
        if let timeout = parsed["connect_timeout"], Int(timeout) == nil {
            throw Self.invalid(url, "connect_timeout \"\(timeout)\" is not a whole number of seconds")
        }
        parsed["connect_timeout"] = parsed["connect_timeout"] ?? String(Self.defaultConnectTimeout)
        self.parameters = parsed
    }

    /// Sets the libpq parameter `keyword` to `value` unless the connection string gave it.
    mutating func setDefault(_ keyword: String, _ value: String) {
        if parameters[keyword] == nil { parameters[keyword] = value }
    }

    /// Where the connection goes, for messages: `host:port/dbname as user`, with libpq's
    /// defaults for what is not given.
    public var address: String {
        let host = parameters["host"] ?? parameters["hostaddr"] ?? "the default socket"
        let port = parameters["port"].map { ":\($0)" } ?? ""
        let database = parameters["dbname"].map { "/\($0)" } ?? ""
        let user = parameters["user"].map { " as \($0)" } ?? ""
        return host + port + database + user
    }

    /// The parameters as key/value pairs, the password shown as `***`.
    public var description: String {
        parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.key == "password" ? "***" : $0.value)" }
            .joined(separator: " ")
    }

    private static func invalid(_ url: String, _ problem: String) -> PostgresError {
        PostgresError(
            code: .configuration,
            message: "invalid PostgreSQL connection string \"\(masked(url))\": \(problem) "
                + "(expected postgres://[user[:password]@]host[:port]/dbname or key=value pairs)")
    }

    /// `url` with its password replaced by `***`.
    static func masked(_ url: String) -> String {
        var text = url.replacing(/(password\s*=\s*)('[^']*'|[^\s&]*)/) { "\($0.1)***" }
        if let scheme = text.firstRange(of: "://"),
            let at = text[scheme.upperBound...].firstIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        {
            text = String(text[..<colon]) + ":***" + String(text[at...])
        }
        return text
    }
}

extension String {
    /// The text without trailing spaces and newlines (libpq ends its messages with one).
    var trimmingTrailingWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
