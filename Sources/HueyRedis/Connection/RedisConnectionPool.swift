import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Redis connections of one process, shared by its threads.
///
/// ``withConnection(_:)`` takes an idle connection (or opens one), runs the body with it
/// and gives it back. A connection that broke is dropped instead, and an idle one whose
/// socket shows the server went away (it restarted, or closed an idle client) is dropped
/// when taken, so the next call reconnects: this is how a pool survives a Redis restart.
/// A connection is given back with the configured command timeout restored.
///
/// After `fork()` the child sees a different pid and forgets the connections it
/// inherited without using them: it never sends a byte on the parent's sockets, and
/// never frees their hiredis contexts (``RedisConnection`` frees a context only in the
/// process that opened it), which costs a little memory once per fork.
/// A forking process should call ``closeAll()`` first, so that there is nothing to forget.
public final class RedisConnectionPool: Sendable {
    /// Where and how connections connect.
    public let configuration: RedisConfiguration
    /// How many idle connections are kept; more are closed when given back.
    public let maxIdle: Int

    /// A connection crossing threads through the pool.
    // @unchecked Sendable: a connection moves between threads only through `state` (a
    // mutex), and only the thread that took it out of the pool uses it until it gives it back.
    private struct Lease: @unchecked Sendable {
        let connection: RedisConnection
    }

    private struct State {
        /// The process the idle connections belong to.
        var pid: pid_t
        var idle: [Lease] = []

        /// Forgets connections inherited across fork.
        mutating func adoptCurrentProcess() {
            let current = ProcessIdentity.current
            if pid != current {
                pid = current
                idle = []
            }
        }
    }

    private let state: Mutex<State>

    /// Makes a pool; connections are opened on first use.
    /// - Parameters:
    ///   - configuration: Where and how to connect.
    ///   - maxIdle: How many idle connections to keep (at least 0).
    public init(_ configuration: RedisConfiguration, maxIdle: Int = 8) {
        self.configuration = configuration
        self.maxIdle = max(0, maxIdle)
        self.state = Mutex(State(pid: ProcessIdentity.current))
    }

    /// Runs `body` with a connection of this process and gives the connection back.
    ///
    /// If `body` throws a ``RedisError`` of kind ``RedisError/Kind/connection`` or
    /// ``RedisError/Kind/protocolError``, or leaves the connection broken, the connection is
    /// dropped. `body` must not keep the connection.
    /// - Parameter body: What to do with the connection.
    /// - Returns: What `body` returns.
    /// - Throws: ``RedisError`` when no connection can be opened (see
    ///   ``RedisConnection/init(_:)``), or what `body` throws.
    public func withConnection<T>(_ body: (RedisConnection) throws -> T) throws -> T {
        let connection = try take()
        let value: T
        do {
            value = try body(connection)
        } catch {
            let broken = (error as? RedisError).map { $0.kind == .connection || $0.kind == .protocolError } ?? false
            giveBack(connection, drop: broken)
            throw error
        }
        giveBack(connection, drop: false)
        return value
    }

    /// Closes this process's idle connections (call it before `fork()`); connections in
    /// use are not affected and come back to the pool as usual.
    public func closeAll() {
        let closed = state.withLock { state -> [Lease] in
            state.adoptCurrentProcess()
            defer { state.idle = [] }
            return state.idle
        }
        _ = closed  // freed here, outside the lock
    }

    /// How many idle connections the pool holds for this process (for tests and metrics).
    public var idleCount: Int {
        state.withLock { state in
            state.adoptCurrentProcess()
            return state.idle.count
        }
    }

    /// An idle connection that still looks alive, or a new one.
    private func take() throws -> RedisConnection {
        while let lease = state.withLock({ state -> Lease? in
            state.adoptCurrentProcess()
            return state.idle.popLast()
        }) {
            if lease.connection.looksAlive { return lease.connection }
            Logger(label: "huey.redis").debug(
                "dropping an idle Redis connection the server closed", metadata: ["redis": "\(configuration)"])
        }
        return try RedisConnection(configuration)
    }

    /// Keeps `connection` for later unless it is broken, of another process, or surplus.
    private func giveBack(_ connection: RedisConnection, drop: Bool) {
        guard !drop, !connection.isBroken, connection.belongsToThisProcess else { return }
        if connection.commandTimeout != configuration.commandTimeout {
            connection.setCommandTimeout(configuration.commandTimeout)
            guard !connection.isBroken else { return }
        }
        let lease = Lease(connection: connection)
        let surplus = state.withLock { state -> Lease? in
            state.adoptCurrentProcess()
            guard state.idle.count < maxIdle else { return lease }
            state.idle.append(lease)
            return nil
        }
        _ = surplus  // closed here, outside the lock
    }
}
