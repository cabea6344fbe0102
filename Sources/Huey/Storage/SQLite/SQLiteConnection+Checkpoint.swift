import CSQLite

/// WAL checkpoints: on demand (``checkpoint(_:budget:)``) and after commits
/// (``boundWAL(_:)``, see ``SQLiteWALBound``).
extension SQLiteConnection {
    /// A `sqlite3_wal_checkpoint_v2` mode.
    enum CheckpointMode {
        /// Copy what readers allow; never waits.
        case passive
        /// Copy everything, then wait until no reader uses the WAL, so the next writer
        /// starts it over.
        case restart
        /// As `restart`, and cut the WAL file to zero bytes.
        case truncate

        var code: Int32 {
            switch self {
            case .passive: return SQLITE_CHECKPOINT_PASSIVE
            case .restart: return SQLITE_CHECKPOINT_RESTART
            case .truncate: return SQLITE_CHECKPOINT_TRUNCATE
            }
        }
    }

    /// Runs a checkpoint of the main database, waiting at most `budget` seconds for the
    /// write lock and for readers (instead of the connection's busy timeout). Returns
    /// false when it had to give up (`SQLITE_BUSY`): the WAL was not started over.
    /// - Throws: ``StorageError`` for any other failure (`.full` when the database file
    ///   cannot grow to take the pages back).
    @discardableResult
    func checkpoint(_ mode: CheckpointMode, budget: Double) throws -> Bool {
        let code = withBusyTimeout(budget) { sqlite3_wal_checkpoint_v2(handle, nil, mode.code, nil, nil) }
        if code == SQLITE_OK { return true }
        if code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED { return false }
        throw SQLiteResult.error(code, database: handle, doing: "cannot checkpoint the WAL of \(path)")
    }

    /// Runs `body` with the busy timeout set to `seconds`, then puts the usual one back.
    private func withBusyTimeout<T>(_ seconds: Double, _ body: () -> T) -> T {
        if quickRetries {
            busyWait.timeout = seconds
            defer { busyWait.timeout = busyTimeout }
            return body()
        }
        sqlite3_busy_timeout(handle, SQLiteBusyWait.milliseconds(seconds))
        defer { sqlite3_busy_timeout(handle, SQLiteBusyWait.milliseconds(busyTimeout)) }
        return body()
    }

    /// Makes every commit of this connection keep the WAL within `bound` (replacing
    /// SQLite's automatic PASSIVE checkpoint).
    func boundWAL(_ bound: SQLiteWALBound) {
        walBound = bound
        // Called by SQLite on this connection's thread after each commit, with the write
        // lock released (so the callback may checkpoint), while the connection is in use.
        let hook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = {
            context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue().committed(frames: frames)
            return SQLITE_OK  // an error here would make the (already done) commit report one
        }
        sqlite3_wal_hook(handle, hook, Unmanaged.passUnretained(self).toOpaque())
    }

    /// After a commit that left `frames` frames in the WAL: checkpoints as the bound says.
    /// Failures are left for the next commit (or the consumer master's maintenance).
    private func committed(frames: Int32) {
        guard let bound = walBound, let mode = bound.action(frames: frames) else { return }
        let succeeded = (try? checkpoint(mode, budget: bound.budget)) ?? false
        if mode == .restart { walBound?.restarted(succeeded, frames: frames) }
    }
}
