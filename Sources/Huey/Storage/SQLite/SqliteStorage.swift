import Foundation
import Synchronization

/// Storage in one SQLite file, shared by every process and thread that opens it: the
/// default storage (DESIGN §4).
///
/// Tables are those of Python Huey's `SqliteStorage` — `task(id, queue, data, priority)`,
/// `schedule(id, queue, data, timestamp)`, `kv(queue, key, value)` — plus `counter`,
/// `claim` and `dead`; every row carries the queue name, so queues sharing a file never
/// see each other's data. Messages dequeue by `priority DESC, id`.
///
/// - The database uses WAL; `synchronous` is NORMAL (a machine crash may lose the latest
///   commits, never corrupt the file), or FULL with `fsync: true`.
/// - Every write runs in a `BEGIN IMMEDIATE` transaction, waiting up to `timeout` seconds
///   for other writers; ``claim(owner:now:)`` moves a row from `task` to `claim`, and
///   ``ack(_:writes:)`` applies its writes and drops the claim, each in one transaction.
/// - Each process opens its own connection lazily, on its first use of the storage: `init`
///   touches no file, so a program that makes its `SqliteHuey` at the top of `main` always
///   reaches `HueyCommand.main`, and a bad file (not a database, damaged, read-only, in a
///   missing folder) is reported there with its name and exit status 2 (the consumer calls
///   ``verifyWritable()`` before it starts). Every use before the file is fixed throws the
///   same ``StorageError``. A connection is never used across `fork()`: a forked child sees
///   a different pid, abandons the inherited connection without closing it, and opens
///   its own. ``closeConnections()`` closes this process's connection; a process should
///   call it before forking, since SQLite's per-process lock bookkeeping is inherited too.
/// - One connection per storage object, used by one thread at a time (a mutex).
/// - A database file this storage creates is made mode 0600 (SQLite gives the `-wal` and
///   `-shm` files the same mode). Task locks are `flock` locks on files in `<file>.locks/`.
/// - Requires SQLite 3.35 or later (`RETURNING`).
public final class SqliteStorage: Storage {
    /// The queue name.
    public let name: String
    /// The database file's absolute path.
    public let filename: String
    /// Whether commits are flushed to the disk (`synchronous = FULL`).
    public let fsync: Bool
    /// Whether `task` ids are never reused (AUTOINCREMENT), as Huey's `strict_fifo`. Takes
    /// effect only when this storage creates the `task` table.
    public let strictFifo: Bool
    /// Seconds to wait for another process's write lock before failing with `.busy`.
    public let timeout: Double
    /// The size in bytes the `-wal` file is kept below while the queue is busy (see
    /// ``SqliteStorage/defaultWALSizeLimit``).
    public let walSizeLimit: Int

    /// 16 MiB: the default ``walSizeLimit``.
    public static let defaultWALSizeLimit = 16 << 20

    private struct ConnectionState {
        var pid: Int32 = 0
        var connection: SQLiteConnection?
    }

    private let state = Mutex(ConnectionState())
    /// How this process's writes wait out a full disk (nil: they throw at once).
    let fullDiskPause = Mutex<FullDiskPause?>(nil)
    /// Watches of the database's directory for commits by others (see `waitForWork`).
    let commitWatches: InotifyWatchPool

    /// Names the SQLite database `filename` (created when missing) for the queue `name`. The
    /// file is opened on first use, not here (see the type's documentation).
    /// - Parameters:
    ///   - name: The queue name; any text.
    ///   - filename: The database file; a relative path is taken from the current directory.
    ///   - fsync: `synchronous = FULL` instead of NORMAL.
    ///   - strictFifo: Never reuse task ids (Huey's `strict_fifo`).
    ///   - timeout: Seconds to wait for a lock held by another connection.
    ///   - walSizeLimit: Bytes the `-wal` file stays below under sustained load (at least
    ///     1 MiB): a commit that leaves the WAL half this size checkpoints it so the next
    ///     writer starts it over, and a WAL started over is cut back to half of it.
    /// - Throws: ``StorageError`` with code `.open` when `filename` is empty. A file that
    ///   cannot be opened or is not a SQLite database (`.open`), is damaged (`.corrupt`) or
    ///   stays locked by another process for `timeout` seconds (`.busy`) is reported by the
    ///   first operation, and by ``verifyWritable()``.
    public init(
        name: String, filename: String, fsync: Bool = false, strictFifo: Bool = false, timeout: Double = 5,
        walSizeLimit: Int = SqliteStorage.defaultWALSizeLimit
    ) throws {
        guard !filename.isEmpty else {
            throw StorageError(code: .open, message: "SqliteStorage needs a database file name, got an empty one")
        }
        self.name = name
        self.filename = filename.hasPrefix("/") ? filename : FileManager.default.currentDirectoryPath + "/" + filename
        self.fsync = fsync
        self.strictFifo = strictFifo
        self.timeout = timeout
        self.walSizeLimit = max(walSizeLimit, 1 << 20)
        let slash = self.filename.lastIndex(of: "/") ?? self.filename.startIndex  // absolute: always found
        let base = String(self.filename[self.filename.index(after: slash)...])
        commitWatches = InotifyWatchPool(
            directory: slash == self.filename.startIndex ? "/" : String(self.filename[..<slash]),
            events: UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO), names: [base, base + "-wal"])
    }

    deinit {
        state.withLock { state in
            // Never close a connection inherited across fork.
            if state.pid != getpid() { state.connection?.abandon() }
            state.connection = nil
        }
    }

    // MARK: Connections

    /// Runs `body` with this process's connection, opening it first if needed.
    /// - Throws: ``StorageError`` when the connection cannot be opened, or what `body` throws.
    func withConnection<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try state.withLock { (state: inout ConnectionState) throws -> T in
            let pid = getpid()
            if state.pid != pid {
                // Forked child: the inherited connection belongs to the parent.
                state.connection?.abandon()
                state = ConnectionState(pid: pid, connection: nil)
            }
            if let connection = state.connection { return try body(connection) }
            let connection = try openConnection()
            state.connection = connection
            return try body(connection)
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on this process's connection.
    /// - Throws: ``StorageError`` (`.busy` after `timeout`), or what `body` throws; then
    ///   nothing was written.
    func write<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try pausingWhenFull {
            try withConnection { connection in try connection.immediateTransaction { try body(connection) } }
        }
    }

    /// Runs `body`, waiting out a full disk when this thread or process was given a ``FullDiskPause``.
    private func pausingWhenFull<T>(_ body: () throws -> T) throws -> T {
        guard let pause = FullDiskPause.current ?? fullDiskPause.withLock({ $0 }) else { return try body() }
        return try pause.run(body)
    }

    /// Like ``write(_:)``, but the commit is not flushed to the disk even with `fsync`
    /// (`synchronous` is NORMAL for this one transaction). In WAL mode the next flushed
    /// commit flushes it too, so only a power cut before then loses it: use it for writes
    /// whose loss merely repeats work (a claim), never for results. Should `synchronous`
    /// fail to go back to FULL, the connection is closed (the next use reopens it at FULL).
    /// - Throws: like ``write(_:)``.
    func writeWithoutSync<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        guard fsync else { return try write(body) }
        var restored = true
        defer { if !restored { discardConnection() } }
        return try pausingWhenFull {
            try withConnection { connection in
                // `execute`, not `run`: SQLite applies this pragma when preparing it, not when stepping.
                try connection.execute(SqliteSQL.synchronousNormal)
                defer { restored = (try? connection.execute(SqliteSQL.synchronousFull)) != nil }
                return try connection.immediateTransaction { try body(connection) }
            }
        }
    }

    /// Closes this process's connection (abandons an inherited one); the next use reopens it.
    private func discardConnection() {
        state.withLock { state in
            if state.pid != getpid() { state.connection?.abandon() }
            state = ConnectionState()
        }
    }

    /// Opens a connection and prepares the database: WAL, `synchronous`, tables.
    private func openConnection() throws -> SQLiteConnection {
        let existed = access(filename, F_OK) == 0
        // Quick retries for NORMAL's microsecond commits, SQLite's own waits for FULL's flushed ones.
        let connection = try SQLiteConnection(path: filename, busyTimeout: timeout, quickRetries: !fsync)
        // EPERM: another user's process created the file first; its mode is theirs to choose.
        if !existed, chmod(filename, 0o600) != 0, errno != EPERM {
            let code = errno
            throw StorageError(code: .open, message: "cannot make \(filename) private (mode 0600)", errno: code)
        }
        let deadline = Date().timeIntervalSince1970 + timeout
        while true {
            do {
                try configure(connection)
                return connection
            } catch let error as StorageError where error.code == .busy && Date().timeIntervalSince1970 < deadline {
                usleep(10_000)  // another process is setting the file up; SQLite gave up early
            } catch let error as StorageError {
                throw StorageError(
                    code: error.code, message: "cannot use \(filename) as a Huey database: \(error.message)",
                    sqliteCode: error.sqliteCode)
            }
        }
    }

    private func configure(_ connection: SQLiteConnection) throws {
        // Reading the journal mode is the first read of the file: a file that is not a
        // database fails here with "file is not a database".
        try connection.execute("PRAGMA journal_mode = WAL")
        try connection.execute(fsync ? SqliteSQL.synchronousFull : SqliteSQL.synchronousNormal)
        try boundWAL(of: connection)
        let tables = try connection.queryFirst(SqliteSQL.countTables) { $0.int(0) } ?? 0
        if tables < SqliteSQL.tableCount {
            try connection.immediateTransaction { try connection.execute(SqliteSQL.schema(strictFifo: strictFifo)) }
        }
    }

    /// Closes this process's connection (an inherited one is abandoned, not closed). The
    /// next operation reopens it.
    public func closeConnections() {
        discardConnection()
        commitWatches.closeAll()
    }

    /// Runs `sql` on this process's connection and returns each row's columns as text.
    /// For tests and diagnostics (pragmas, the schema), not for data.
    /// - Throws: ``StorageError``.
    package func textRows(_ sql: String) throws -> [[String?]] {
        try withConnection { try $0.textRows(sql) }
    }

    // MARK: Queue

    /// Adds a message to the queue.
    /// - Throws: ``StorageError`` (`.full`, `.readOnly`, `.busy`, …).
    public func enqueue(_ data: [UInt8], priority: Double) throws {
        try write { try $0.run(SqliteSQL.enqueue, [.text(name), .blob(data), .real(priority)]) }
    }

    /// Adds many messages in one transaction.
    /// - Throws: ``StorageError``; then none were added.
    public func enqueue(batch: [QueueItem]) throws {
        guard !batch.isEmpty else { return }
        try write { connection in
            try connection.runEach(SqliteSQL.enqueue, shared: [.text(name)], batch) { statement, item in
                try statement.bind(.blob(item.data), at: 2)
                try statement.bind(.real(item.priority), at: 3)
            }
        }
    }

    /// Removes and returns the next message (priority desc, then FIFO).
    /// - Throws: ``StorageError``.
    public func dequeue() throws -> [UInt8]? {
        try write { try $0.queryFirst(SqliteSQL.takeNext, [.text(name)]) { $0.blob(0) } }
    }

    /// The number of queued messages.
    /// - Throws: ``StorageError``.
    public func queueSize() throws -> Int {
        try withConnection { try $0.queryFirst(SqliteSQL.queueSize, [.text(name)]) { $0.int(0) } ?? 0 }
    }

    /// Queued messages in dequeue order, at most `limit`.
    /// - Throws: ``StorageError``.
    public func enqueuedItems(limit: Int?) throws -> [[UInt8]] {
        try withConnection {
            try $0.query(SqliteSQL.queueItems, [.text(name), .int(limit ?? -1)]) { $0.blob(0) }
        }
    }

    /// Removes every queued message of this queue.
    /// - Throws: ``StorageError``.
    public func flushQueue() throws {
        try write { try $0.run(SqliteSQL.flushQueue, [.text(name)]) }
    }

    // MARK: Schedule

    /// Stores a message to run at `timestamp` (Unix seconds).
    /// - Throws: ``StorageError``.
    public func addToSchedule(_ data: [UInt8], timestamp: Double) throws {
        try write { try $0.run(SqliteSQL.addToSchedule, [.text(name), .blob(data), .real(timestamp)]) }
    }

    /// Removes and returns the messages due at or before `timestamp`, earliest first.
    /// - Throws: ``StorageError``.
    public func readSchedule(timestamp: Double) throws -> [[UInt8]] {
        try write { connection in
            let due = try connection.query(SqliteSQL.dueItems, [.text(name), .real(timestamp)]) { $0.blob(0) }
            if !due.isEmpty { try connection.run(SqliteSQL.deleteDue, [.text(name), .real(timestamp)]) }
            return due
        }
    }

    /// Scheduled messages, earliest first, at most `limit`.
    /// - Throws: ``StorageError``.
    public func scheduledItems(limit: Int?) throws -> [[UInt8]] {
        try withConnection {
            try $0.query(SqliteSQL.scheduleItems, [.text(name), .int(limit ?? -1)]) { $0.blob(0) }
        }
    }

    /// The number of scheduled messages.
    /// - Throws: ``StorageError``.
    public func scheduleSize() throws -> Int {
        try withConnection { try $0.queryFirst(SqliteSQL.scheduleSize, [.text(name)]) { $0.int(0) } ?? 0 }
    }

    /// Removes every scheduled message of this queue.
    /// - Throws: ``StorageError``.
    public func flushSchedule() throws {
        try write { try $0.run(SqliteSQL.flushSchedule, [.text(name)]) }
    }

    // MARK: Locks, flushing

    /// A `flock` lock on a file in `<filename>.locks/`, shared by every process.
    /// - Throws: ``StorageError`` when the lock directory cannot be created.
    public func lock(named name: String) throws -> any TaskLock {
        try FileLock(name: name, directory: filename + ".locks")
    }

    /// Removes this queue's rows from every table, in one transaction.
    /// - Throws: ``StorageError``.
    public func flushAll() throws {
        try write { connection in
            let queue: [SQLiteValue] = [.text(name)]
            for sql in [
                SqliteSQL.flushQueue, SqliteSQL.flushSchedule, SqliteSQL.flushKV, SqliteSQL.flushCounters,
                SqliteSQL.flushClaims, SqliteSQL.flushDead, SqliteSQL.flushStats,
            ] {
                try connection.run(sql, queue)
            }
        }
    }
}
