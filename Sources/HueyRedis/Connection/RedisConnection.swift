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
        self.owner = getpid()
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
        if owner == getpid() { redisFree(context) }
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
        let raw = Self.withArgv(arguments) { argc, argv, lengths in
            Self.withoutSIGPIPE { redisCommandArgv(context, argc, argv, lengths) }
        }
        guard let raw else { throw breakDown(doing: String(decoding: arguments[0], as: UTF8.self)) }
        defer { freeReplyObject(raw) }
        return try RedisReply(hiredis: raw.assumingMemoryBound(to: redisReply.self))
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
        for arguments in commands {
            let status = Self.withArgv(arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw breakDown(doing: "a pipeline") }
        }
        var results: [Result<RedisReply, RedisError>] = []
        results.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            let status = Self.withoutSIGPIPE { redisGetReply(context, &raw) }
            guard status == REDIS_OK, let raw else { throw breakDown(doing: "a pipeline") }
            defer { freeReplyObject(raw) }
            do {
                results.append(.success(try RedisReply(hiredis: raw.assumingMemoryBound(to: redisReply.self))))
            } catch let error as RedisError {
                results.append(.failure(error))
            }
        }
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
        let tail = [Array(String(keys.count).utf8)] + keys + arguments
        do {
            return try command([Array("EVALSHA".utf8), Array(script.sha1.utf8)] + tail)
        } catch let error as RedisError where error.kind == .server && error.serverCode == "NOSCRIPT" {
            return try command([Array("EVAL".utf8), Array(script.source.utf8)] + tail)
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
        guard owner == getpid() else {
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
    var belongsToThisProcess: Bool { owner == getpid() }

    /// Whether an idle connection still looks alive: nothing to read and no hang-up on its
    /// socket. A server that restarted or closed the connection leaves it readable (EOF).
    var looksAlive: Bool {
        guard !isBroken, owner == getpid() else { return false }
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
        guard owner == getpid() else {
            isBroken = true
            throw RedisError(
                kind: .connection,
                message: "the connection to Redis at \(configuration.address) was opened by process \(owner) "
                    + "and cannot be used after fork(); open a new one")
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

    /// Runs `body`, a hiredis call that may write to the socket, with SIGPIPE blocked in
    /// this thread: writing to a connection the server closed then fails with EPIPE instead
    /// of killing the process (hiredis uses write(2), not MSG_NOSIGNAL). A SIGPIPE the call
    /// raised is discarded; `errno` is preserved for the caller.
    private static func withoutSIGPIPE<R>(_ body: () -> R) -> R {
        #if canImport(Glibc)
            var pipe = sigset_t()
            sigemptyset(&pipe)
            sigaddset(&pipe, SIGPIPE)
            var previous = sigset_t()
            pthread_sigmask(SIG_BLOCK, &pipe, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            // A SIGPIPE already pending (blocked by the caller) is not ours to discard.
            var pending = sigset_t()
            let pendingBefore =
                sigismember(&previous, SIGPIPE) == 1 && sigpending(&pending) == 0
                && sigismember(&pending, SIGPIPE) == 1
            let result = body()
            let code = errno
            if !pendingBefore, sigpending(&pending) == 0, sigismember(&pending, SIGPIPE) == 1 {
                var now = timespec()
                _ = sigtimedwait(&pipe, nil, &now)
            }
            errno = code
            return result
        #else
            // Darwin: the socket has SO_NOSIGPIPE (set in init).
            return body()
        #endif
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

    /// Calls `body` with hiredis' `argc`, `argv` and `argvlen` for `arguments`, which are
    /// copied into one buffer that lives for the call.
    private static func withArgv<R>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R
    ) -> R {
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        storage.append(0)  // never empty, so the buffer has a base address
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return argv.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { lengths in
                    body(Int32(arguments.count), argv.baseAddress!, lengths.baseAddress!)
                }
            }
        }
    }
}
