import Foundation
import Huey
import Logging
import Synchronization

/// Storage in a PostgreSQL database, shared by every process and machine that reaches it,
/// laid out as Python Huey 3.x's `PostgresStorage` so both can share it (see ``PostgresSQL``).
///
/// - Dequeue and claims take the next message with `FOR UPDATE SKIP LOCKED`, so concurrent
///   workers never wait for each other nor take the same message; a claim moves the message
///   from `<prefix>_task` to `<prefix>_claim` in one statement, recorded with its owner
///   (machine, pid, start time). ``ack(_:writes:)`` drops the claim and applies the task's
///   writes in one transaction; ``ack(_:writes:claimingNextFor:now:lookingForPrefixes:)``
///   also claims the next message in it (one commit per task).
/// - Every enqueue `NOTIFY`s the channel `<prefix>.q.<name>` in its transaction, as Huey's
///   does; idle workers wait in `LISTEN` on it (``waitForWork(timeout:)``), so they wake as
///   the enqueue commits, whichever language enqueued.
/// - Claims of another machine are recovered only after that machine's heartbeat
///   (``heartbeat(now:)``, a row of `<prefix>_host` expiring `ownerTimeout` seconds later on
///   the server's clock) has expired; claims of this machine as soon as /proc shows the
///   owner gone.
/// - Task locks are session-level advisory locks (see ``lock(named:)``).
///
/// Connections: each process opens its own, lazily (one for statements and, once it first
/// waits for work, one listening), so a storage made before `fork()` is safe in the child;
/// connections inherited across `fork()` are abandoned, never used or closed. A connection
/// the server dropped (a restart, a network failure) is replaced on the next call: the first
/// failure is logged once, as a warning, and the reconnection once more; meanwhile calls
/// throw ``StorageError`` with code `.io`, which the consumer retries. Statements whose
/// outcome the failure left unknown are not repeated: a claim they may have made is
/// recovered like any claim of a live worker that gave it up.
public final class PostgresStorage: Storage, Sendable {
    public let name: String
    /// The server and database.
    public let configuration: PostgresConfiguration
    /// The table prefix (only `[A-Za-z0-9_]` kept, as Huey does): tables `<prefix>_task`, ….
    public let tablePrefix: String
    /// Seconds without a heartbeat after which another machine's claims are recovered.
    public let ownerTimeout: Double

    let sql: PostgresSQL
    let logger = Logger(label: "huey.postgres")

    /// This process's statement connection, and the task locks it holds.
    let statements = Mutex(SessionState())
    /// This process's listening connection and wake-ups not yet handed out.
    let listener = Mutex(ListenerState())
    /// Whether the server is unreachable since a failure was logged, and when (monotonic
    /// seconds) that failure was: a connection opened before it that breaks later belongs to
    /// the same outage, so each outage is logged once per process.
    private let outage = Mutex<(down: Bool, since: Double)>((false, 0))
    /// Whether this storage object has made sure the tables exist, and its channel name.
    private let setup = Mutex<(schema: Bool, channel: String?)>((false, nil))
    /// When this process sends the machine's heartbeat.
    let heartbeats = HeartbeatSchedule()

    struct SessionState {
        var pid: Int32 = 0
        var connection: PostgresConnection?
        /// When `connection` was opened (monotonic seconds).
        var openedAt = 0.0
        /// Keys of the advisory locks this process holds on `connection`.
        var heldLocks: Set<String> = []
    }

    struct ListenerState {
        var pid: Int32 = 0
        var connection: PostgresConnection?
        /// When `connection` was opened (monotonic seconds).
        var openedAt = 0.0
        /// Notifications received beyond the one that woke a waiter, for other threads.
        var pendingWakes = 0
    }

    /// Makes a storage for the queue `name` in the database `configuration` names. Connects
    /// lazily: the first operation reports an unreachable server; it creates the tables
    /// that are missing.
    /// - Parameters:
    ///   - name: The queue name (Huey's `name`).
    ///   - configuration: The server and database.
    ///   - tablePrefix: The tables' prefix (Huey's `table_prefix`, default `huey`).
    ///   - ownerTimeout: Seconds without a heartbeat after which another machine's claims
    ///     are taken back.
    public init(
        name: String, configuration: PostgresConfiguration, tablePrefix: String = "huey", ownerTimeout: Double = 30
    ) {
        self.name = name
        var configuration = configuration
        // TCP keepalives (unless the URL sets them): a worker notices a server that vanished
        // (no reset ever arrives) within about a minute instead of the system's two hours.
        for (keyword, value) in [("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3")] {
            configuration.setDefault(keyword, value)
        }
        self.configuration = configuration
        self.sql = PostgresSQL(prefix: tablePrefix)
        self.tablePrefix = sql.prefix
        self.ownerTimeout = ownerTimeout
    }

    /// Makes a storage for the database at `url` (`postgres://…` or `key=value …`).
    /// - Throws: ``StorageError`` with code `.open` when the URL is malformed.
    public convenience init(name: String, url: String, tablePrefix: String = "huey", ownerTimeout: Double = 30) throws {
        let configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(url: url)
        } catch let error as PostgresError {
            throw StorageError(code: .open, message: "postgres queue \(name): \(error.message)")
        }
        self.init(name: name, configuration: configuration, tablePrefix: tablePrefix, ownerTimeout: ownerTimeout)
    }

    // MARK: Connections

    /// Runs `body` with this process's statement connection (opened, and the tables made,
    /// when needed), turning PostgreSQL errors into ``StorageError``s that say what was done.
    /// - Throws: ``StorageError``; a lost connection is dropped (the next call reconnects).
    func withConnection<T: Sendable>(_ doing: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        try withSession(doing) { connection, _ in try body(connection) }
    }

    /// ``withConnection(_:_:)`` that also hands `body` the keys of the advisory locks this
    /// process holds on the connection (emptied whenever the connection is replaced).
    func withSession<T: Sendable>(
        _ doing: String, _ body: (PostgresConnection, inout Set<String>) throws -> T
    ) throws -> T {
        try statements.withLock { (state: inout SessionState) throws -> T in
            if state.pid != getpid() { state = SessionState(pid: getpid()) }  // forked: not ours
            if state.connection?.isBroken == true { state = SessionState(pid: state.pid) }
            do {
                if state.connection == nil {
                    state.connection = try connect()
                    state.openedAt = Self.monotonicNow()
                }
                return try body(state.connection!, &state.heldLocks)
            } catch let error as PostgresError {
                if state.connection?.isBroken ?? true {
                    // Logged when the server is out of reach, not for a refusal (a server error
                    // while connecting, e.g. no right to create the tables).
                    if error.code == .connection {
                        noteUnreachable(error, connectionOpenedAt: state.connection.map { _ in state.openedAt })
                    }
                    state = SessionState(pid: state.pid)
                }
                throw StorageError(postgres: error, doing: doing, name: name)
            }
        }
    }

    /// Runs `body` in a transaction on the statement connection (``withConnection(_:_:)``).
    func write<T: Sendable>(_ doing: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        try withConnection(doing) { connection in try connection.transaction { try body(connection) } }
    }

    /// A new connection, the tables made if this storage has not yet checked them.
    /// - Throws: ``PostgresError``.
    func connect() throws -> PostgresConnection {
        let connection = try PostgresConnection(configuration)
        // The same on the server's side of the socket (ignored on Unix sockets): the session
        // of a machine that vanished ends within about a minute, and its advisory task locks
        // with it.
        try connection.execute(sql.serverKeepalives)
        try prepareDatabase(connection)
        noteReachable()
        return connection
    }

    /// Creates the missing tables and indexes (checked once per storage object), under a
    /// lock that processes starting together take in turn, and works out the channel name.
    private func prepareDatabase(_ connection: PostgresConnection) throws {
        let (ready, known) = setup.withLock { ($0.schema, $0.channel) }
        if !ready, try !missingObjects(connection).isEmpty {
            try connection.transaction {
                try connection.execute(sql.schemaLock)
                // Again under the lock: another process may have made them meanwhile.
                for object in try missingObjects(connection) { try connection.execute(object.ddl) }
            }
        }
        var channel = known ?? "\(tablePrefix).q.\(name)"
        if known == nil, channel.utf8.count > PostgresConnection.maximumChannelLength {
            // Huey's rule for names the server would cut short: md5 of the long name.
            channel = "huey.q." + (try connection.run(sql.md5, [.text(channel)]).first?.string(0) ?? "")
        }
        setup.withLock { $0 = (true, channel) }
    }

    /// The schema's tables and indexes that do not exist yet.
    private func missingObjects(_ connection: PostgresConnection) throws -> [(name: String, ddl: String)] {
        let existing = Set(try connection.run(sql.existingObjects).compactMap { $0.string(0) })
        return sql.schema.filter { !existing.contains($0.name) }
    }

    /// The `NOTIFY` channel (known once a connection was made).
    var channel: String {
        setup.withLock { $0.channel } ?? "\(tablePrefix).q.\(name)"
    }

    /// Logs the first failure of an outage: a failure to connect, or the loss of a connection
    /// opened (at `connectionOpenedAt`) after the last logged failure.
    func noteUnreachable(_ error: PostgresError, connectionOpenedAt: Double?) {
        let now = Self.monotonicNow()
        let first = outage.withLock { outage in
            guard !outage.down, connectionOpenedAt.map({ $0 > outage.since }) ?? true else { return false }
            outage = (true, now)
            return true
        }
        guard first else { return }
        logger.warning("postgres queue \(name): lost the connection to \(configuration.address): \(error.message); reconnecting on the next use")
    }

    /// Logs the end of an outage.
    private func noteReachable() {
        guard outage.withLock({ outage in defer { outage.down = false }; return outage.down }) else { return }
        logger.notice("postgres queue \(name): connected again to \(configuration.address)")
    }

    public func closeConnections() {
        // A connection inherited across fork() is dropped without being closed (see its deinit).
        statements.withLock { $0 = SessionState(pid: getpid()) }
        listener.withLock { $0 = ListenerState(pid: getpid()) }
    }

    // MARK: Queue

    public func enqueue(_ data: [UInt8], priority: Double) throws {
        try withConnection("enqueue") { connection in
            try connection.run(
                "with added as (\(sql.enqueue) returning 1) select pg_notify($4, '')",
                [.text(name), .bytes(data), .double(priority), .text(channel)])
        }
    }

    public func enqueue(batch: [QueueItem]) throws {
        guard !batch.isEmpty else { return }
        try write("enqueue \(batch.count) messages") { connection in
            for item in batch { try connection.run(sql.enqueue, [.text(name), .bytes(item.data), .double(item.priority)]) }
            try connection.run(sql.notify, [.text(channel)])
        }
    }

    public func dequeue() throws -> [UInt8]? {
        try withConnection("dequeue") { try $0.run(sql.dequeue, [.text(name)]).first?.bytes(0) }
    }

    public func queueSize() throws -> Int {
        try withConnection("count the queue") { try $0.run(sql.queueSize, [.text(name)]).first?.int(0) ?? 0 }
    }

    public func enqueuedItems(limit: Int?) throws -> [[UInt8]] {
        try withConnection("list the queue") { connection in
            try connection.run(sql.queueItems, [.text(name), limit.map { .integer(max(0, $0)) } ?? .null])
                .compactMap { $0.bytes(0) }
        }
    }

    public func flushQueue() throws {
        try withConnection("flush the queue") { try $0.run(sql.flushQueue, [.text(name)]) }
    }

    // MARK: Schedule

    public func addToSchedule(_ data: [UInt8], timestamp: Double) throws {
        try withConnection("schedule") { try $0.run(sql.addToSchedule, [.text(name), .bytes(data), .double(timestamp)]) }
    }

    public func readSchedule(timestamp: Double) throws -> [[UInt8]] {
        try withConnection("read the schedule") { try takeDue(timestamp, on: $0) }
    }

    /// Removes the due messages (skipping rows another transaction is taking) and returns
    /// them earliest first.
    private func takeDue(_ timestamp: Double, on connection: PostgresConnection) throws -> [[UInt8]] {
        let rows = try connection.run(sql.takeDue, [.text(name), .double(timestamp)])
        return rows.map { (time: $0.double(0) ?? 0, id: $0.int(1) ?? 0, data: $0.bytes(2) ?? []) }
            .sorted { ($0.time, $0.id) < ($1.time, $1.id) }.map(\.data)
    }

    public func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int {
        try write("move due messages to the queue") { connection in
            let due = try takeDue(timestamp, on: connection)
            guard !due.isEmpty else { return 0 }
            for data in due {
                let item = prepare(data)
                try connection.run(sql.enqueue, [.text(name), .bytes(item.data), .double(item.priority)])
            }
            try connection.run(sql.notify, [.text(channel)])
            return due.count
        }
    }

    public func scheduledItems(limit: Int?) throws -> [[UInt8]] {
        try withConnection("list the schedule") { connection in
            try connection.run(sql.scheduleItems, [.text(name), limit.map { .integer(max(0, $0)) } ?? .null])
                .compactMap { $0.bytes(0) }
        }
    }

    public func scheduleSize() throws -> Int {
        try withConnection("count the schedule") { try $0.run(sql.scheduleSize, [.text(name)]).first?.int(0) ?? 0 }
    }

    public func flushSchedule() throws {
        try withConnection("flush the schedule") { try $0.run(sql.flushSchedule, [.text(name)]) }
    }

    public func flushAll() throws {
        try write("flush everything") { connection in
            for statement in [
                sql.flushQueue, sql.flushSchedule, sql.flushKV, sql.flushCounters, sql.flushClaims, sql.flushDead,
            ] {
                try connection.run(statement, [.text(name)])
            }
        }
    }
}

extension PostgresStorage {
    /// Seconds on the monotonic clock.
    static func monotonicNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension PostgresConnection {
    /// Runs `sql`, prepared once for this connection, with `values`.
    @discardableResult
    func run(_ sql: String, _ values: [PostgresValue] = []) throws -> PostgresRows {
        try query(prepare(sql), values)
    }
}

extension StorageError {
    /// A PostgreSQL failure while `doing` something for queue `name`.
    init(postgres error: PostgresError, doing: String, name: String) {
        let code: StorageError.Code
        switch (error.code, error.sqlState?.errorClass, error.sqlState?.rawValue) {
        case (.configuration, _, _): code = .open
        case (.server, "53", _): code = .full  // insufficient resources: disk full, out of memory
        case (.server, _, "25006"): code = .readOnly  // read-only transaction (a standby)
        case (.server, "40", _), (.server, _, "55P03"): code = .busy
        default: code = .io
        }
        self.init(code: code, message: "postgres queue \(name): cannot \(doing): \(error)")
    }
}
