import CHiredis
import Huey

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection to Redis (one hiredis context), used by one thread at a time.
///
/// Commands are synchronous: ``command(_:)-([[UInt8]])`` sends one and waits for its reply,
/// ``pipeline(_:)`` sends several in one round trip, ``run(_:keys:arguments:)`` runs a Lua
/// script by its SHA-1. An error reply is thrown as ``RedisError`` of kind
/// ``RedisError/Kind/server`` and leaves the connection usable; an I/O error, end of file
/// or timeout throws kind ``RedisError/Kind/connection`` and makes the connection
/// ``isBroken`` for good.
///
/// A connection belongs to the process that opened it: in a process forked from that one
/// it refuses every command (it never sends a byte on the parent's socket) and is never
/// freed, since its socket is shared with the parent. Its descriptor is close-on-exec.
/// Use ``RedisConnectionPool`` to share connections between threads.
public final class RedisConnection {
    /// The configuration this connection was opened with.
    public let configuration: RedisConfiguration
    /// Whether an I/O error, end of file, timeout or protocol error broke the connection;
    /// then every command throws and the connection must be replaced.
    public private(set) var isBroken = false
    /// The socket read and write timeout now in effect, in seconds (0: none).
    public private(set) var commandTimeout: Double

    private let context: UnsafeMutablePointer<redisContext>
    /// The process that opened the connection; no other process may use or free it.
    private let owner: pid_t

    /// Connects to the server, then sends `AUTH` when the configuration has a password or
    /// user name, and `SELECT` when its database is not 0.
    /// - Parameter configuration: Where and how to connect.
    /// - Throws: ``RedisError`` of kind ``RedisError/Kind/configuration`` for an invalid
    ///   configuration, ``RedisError/Kind/connection`` (naming the address and hiredis'
    ///   error, or the server's reply to `AUTH` or `SELECT`) when the connection cannot be
    ///   established.
    public init(_ configuration: RedisConfiguration) throws {
        try configuration.validate()
        let timeout = Self.makeTimeval(seconds: configuration.connectTimeout)
        let opened: UnsafeMutablePointer<redisContext>? =
            if let path = configuration.unixSocket {
                redisConnectUnixWithTimeout(path, timeout)
            } else {
                redisConnectWithTimeout(configuration.host, Int32(configuration.port), timeout)
            }
        guard let opened else {
            throw RedisError(
                kind: .connection, message: "cannot connect to Redis at \(configuration.address): out of memory")
        }
        if opened.pointee.err != 0 {
            let reason = Self.errorText(opened)
            redisFree(opened)
            throw RedisError(
                kind: .connection, message: "cannot connect to Redis at \(configuration.address): \(reason)")
        }
        self.configuration = configuration
        self.context = opened
        self.owner = ProcessIdentity.current
        self.commandTimeout = configuration.commandTimeout
        // Not inherited by programs this process starts.
        _ = fcntl(opened.pointee.fd, F_SETFD, FD_CLOEXEC)
        #if canImport(Darwin)
            var on: Int32 = 1
            _ = setsockopt(opened.pointee.fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        guard redisSetTimeout(opened, Self.makeTimeval(seconds: configuration.commandTimeout)) == REDIS_OK else {
            let reason = Self.errorText(opened)
            throw RedisError(
                kind: .connection,
                message: "cannot set the command timeout on Redis at \(configuration.address): \(reason)")
        }
        try handshake()
    }

    deinit {
        // A context inherited across fork is left alone: its socket is the parent's.
        if owner == ProcessIdentity.current { redisFree(context) }
    }

    /// Sends `AUTH` and `SELECT` as the configuration asks.
    private func handshake() throws {
        var step = "AUTH"
        do {
            if let username = configuration.username {
                _ = try command("AUTH", username, configuration.password ?? "")
            } else if let password = configuration.password {
                _ = try command("AUTH", password)
            }
            step = "SELECT \(configuration.database)"
            if configuration.database != 0 { _ = try command("SELECT", String(configuration.database)) }
        } catch let error as RedisError {
            isBroken = true
            let reason = error.kind == .server ? "the server answered \"\(error.message)\"" : error.message
            throw RedisError(
                kind: .connection, message: "\(step) failed on Redis at \(configuration.address): \(reason)")
        }
    }

    // MARK: Commands

    /// Sends one command and returns its reply. Arguments are binary-safe.
    /// - Parameter arguments: The command name and its arguments, e.g. `["SET", key, value]`.
    /// - Returns: The reply; never an error reply.
    /// - Throws: ``RedisError`` of kind ``RedisError/Kind/server`` for an error reply (the
    ///   connection stays usable), ``RedisError/Kind/connection`` or
    ///   ``RedisError/Kind/protocolError`` when the connection broke (then ``isBroken``),
    ///   ``RedisError/Kind/configuration`` for an empty command.
    public func command(_ arguments: [[UInt8]]) throws -> RedisReply {
        try checkUsable()
        guard !arguments.isEmpty else { throw RedisError(kind: .configuration, message: "a command needs a name") }
        try sendAll(RESPCommand.encode(arguments), doing: String(decoding: arguments[0], as: UTF8.self))
        return try readReply(doing: String(decoding: arguments[0], as: UTF8.self)).get()
    }

    /// Sends one command given as text (each argument UTF-8 encoded) and returns its reply.
    /// - Parameter arguments: The command name and its arguments, e.g. `"GET", "key"`.
    /// - Throws: As ``command(_:)-([[UInt8]])``.
    public func command(_ arguments: String...) throws -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    /// Sends several commands in one round trip and returns their replies in order.
    ///
    /// An error reply is returned as `.failure` in its place, so the caller sees every
    /// reply (as in a `MULTI` … `EXEC` block).
    /// - Parameter commands: The commands, each as ``command(_:)-([[UInt8]])`` takes it.
    /// - Returns: One result per command.
    /// - Throws: ``RedisError`` of kind ``RedisError/Kind/connection`` or
    ///   ``RedisError/Kind/protocolError`` when the connection broke (then ``isBroken``),
    ///   ``RedisError/Kind/configuration`` when a command is empty (nothing is sent).
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [Result<RedisReply, RedisError>] {
        try checkUsable()
        guard !commands.contains(where: \.isEmpty) else {
            throw RedisError(kind: .configuration, message: "a command in the pipeline has no name")
        }
        var buffer: [UInt8] = []
        for arguments in commands { RESPCommand.append(arguments, to: &buffer) }
        try sendAll(buffer, doing: "a pipeline")
        var results: [Result<RedisReply, RedisError>] = []
        results.reserveCapacity(commands.count)
        for _ in commands { results.append(try readReply(doing: "a pipeline")) }
        return results
    }

    /// Runs a Lua script with `EVALSHA`; when the server does not have it (`NOSCRIPT`),
    /// sends it with `EVAL`, which also loads it.
    /// - Parameters:
    ///   - script: The script.
    ///   - keys: `KEYS` of the script.
    ///   - arguments: `ARGV` of the script.
    /// - Returns: The script's reply.
    /// - Throws: As ``command(_:)-([[UInt8]])``; an error raised by the script is kind
    ///   ``RedisError/Kind/server``.
    public func run(_ script: RedisScript, keys: [[UInt8]], arguments: [[UInt8]]) throws -> RedisReply {
        try run(script, keys: keys, argumentParts: [arguments])
    }

    /// Runs a Lua script as ``run(_:keys:arguments:)``, its `ARGV` given in parts
    /// (concatenated), so that callers need not copy their arguments into one array.
    /// - Throws: As ``run(_:keys:arguments:)``.
    func run(_ script: RedisScript, keys: [[UInt8]], argumentParts parts: [[[UInt8]]]) throws -> RedisReply {
        try checkUsable()
        func encoded(_ verb: String, _ body: String) -> [UInt8] {
            var buffer: [UInt8] = []
            RESPCommand.appendHeader(count: 3 + keys.count + parts.reduce(0) { $0 + $1.count }, to: &buffer)
            RESPCommand.appendBulk(verb.utf8, to: &buffer)
            RESPCommand.appendBulk(body.utf8, to: &buffer)
            RESPCommand.appendBulk(String(keys.count).utf8, to: &buffer)
            for key in keys { RESPCommand.appendBulk(key, to: &buffer) }
            for part in parts { for argument in part { RESPCommand.appendBulk(argument, to: &buffer) } }
            return buffer
        }
        try sendAll(encoded("EVALSHA", script.sha1), doing: "EVALSHA")
        switch try readReply(doing: "EVALSHA") {
        case .success(let reply): return reply
        case .failure(let error) where error.serverCode == "NOSCRIPT":
            try sendAll(encoded("EVAL", script.source), doing: "EVAL")
            return try readReply(doing: "EVAL").get()
        case .failure(let error): throw error
        }
    }

    /// Sets the socket read and write timeout for the next commands, e.g. a little longer
    /// than a `BLPOP` timeout around that command. ``RedisConnectionPool`` restores the
    /// configured timeout when the connection is given back.
    /// - Parameter seconds: The timeout; 0 (or a value that is not positive and finite)
    ///   waits forever.
    public func setCommandTimeout(_ seconds: Double) {
        guard !isBroken else { return }
        // A socket option would change the parent's socket too.
        guard owner == ProcessIdentity.current else {
            isBroken = true
            return
        }
        let value = seconds.isFinite && seconds > 0 ? seconds : 0
        if redisSetTimeout(context, Self.makeTimeval(seconds: value)) == REDIS_OK {
            commandTimeout = value
        } else {
            isBroken = true
        }
    }

    /// Whether this process opened the connection (it was not inherited across fork).
    var belongsToThisProcess: Bool { owner == ProcessIdentity.current }

    /// Whether an idle connection still looks alive: nothing to read and no hang-up on its
    /// socket. A server that restarted or closed the connection leaves it readable (EOF).
    var looksAlive: Bool {
        guard !isBroken, owner == ProcessIdentity.current else { return false }
        // Readable now (EOF, or data nobody asked for) or poll failing: not alive.
        return (try? System.pollInput(context.pointee.fd, timeout: 0, name: "poll")) == false
    }

    // MARK: Helpers

    /// Throws when the connection is broken or belongs to another process.
    private func checkUsable() throws {
        guard !isBroken else {
            throw RedisError(
                kind: .connection,
                message: "the connection to Redis at \(configuration.address) is broken; open a new one")
        }
        guard owner == ProcessIdentity.current else {
            isBroken = true
            throw RedisError(
                kind: .connection,
                message: "the connection to Redis at \(configuration.address) was opened by process \(owner) "
                    + "and cannot be used after fork(); open a new one")
        }
    }

    /// Writes `bytes` (encoded commands) to the socket, all of them. `MSG_NOSIGNAL`: a
    /// server that closed the connection makes this fail with EPIPE instead of raising
    /// SIGPIPE. The socket's send timeout applies.
    /// - Throws: ``RedisError`` of kind ``RedisError/Kind/connection`` (then ``isBroken``).
    private func sendAll(_ bytes: [UInt8], doing what: @autoclosure () -> String) throws {
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0  // Darwin: the socket has SO_NOSIGPIPE (set in init)
        #endif
        let descriptor = context.pointee.fd
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let start = offset
                do throws(SystemError) {
                    offset += try System.call("send") {
                        send(descriptor, buffer.baseAddress! + start, buffer.count - start, flags)
                    }
                } catch {
                    return error.errno
                }
            }
            return nil
        }
        guard let code = failure else { return }
        isBroken = true
        let reason =
            code == EAGAIN || code == EWOULDBLOCK
            ? "could not send within the command timeout of \(commandTimeout) s" : String(cString: strerror(code))
        throw RedisError(kind: .connection, message: "\(what()) on Redis at \(configuration.address) failed: \(reason)")
    }

    /// Reads the next reply with hiredis (which has nothing of its own to write first).
    /// - Returns: The reply, or `.failure` for an error reply (the connection stays usable).
    /// - Throws: ``RedisError`` when the connection broke (then ``isBroken``).
    private func readReply(doing what: @autoclosure () -> String) throws -> Result<RedisReply, RedisError> {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw breakDown(doing: what()) }
        defer { freeReplyObject(raw) }
        do {
            return .success(try RedisReply(hiredis: raw.assumingMemoryBound(to: redisReply.self)))
        } catch let error as RedisError where error.kind == .server {
            return .failure(error)
        }
    }

    /// Marks the connection broken after hiredis failed, and describes why.
    private func breakDown(doing what: String) -> RedisError {
        let code = errno
        isBroken = true
        let kind: RedisError.Kind = context.pointee.err == REDIS_ERR_PROTOCOL ? .protocolError : .connection
        let reason =
            context.pointee.err == REDIS_ERR_IO && (code == EAGAIN || code == EWOULDBLOCK)
            ? "no reply within the command timeout of \(commandTimeout) s" : Self.errorText(context)
        return RedisError(kind: kind, message: "\(what) on Redis at \(configuration.address) failed: \(reason)")
    }

    /// hiredis' error text of `context`.
    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "hiredis error \(context.pointee.err)" : text
    }

    private static func makeTimeval(seconds: Double) -> timeval {
        var whole = seconds.rounded(.down)
        var micros = ((seconds - whole) * 1_000_000).rounded()
        if micros >= 1_000_000 {
            whole += 1
            micros = 0
        }
        // A tiny positive timeout must not become 0 (no timeout at all).
        if seconds > 0, whole == 0, micros == 0 { micros = 1 }
        return timeval(tv_sec: .init(whole), tv_usec: .init(micros))
    }
}
