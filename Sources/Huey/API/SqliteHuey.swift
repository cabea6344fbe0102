import Foundation

/// A Huey whose storage is an SQLite database in WAL mode (``SqliteStorage``), the default.
public final class SqliteHuey: Huey, @unchecked Sendable {
    // @unchecked Sendable: adds no state to Huey, whose mutable state is in a Mutex.

    /// Uses (creating if needed) the database `filename`, which is opened on first use: a
    /// bad file throws a ``StorageError`` naming it from the first operation, and makes
    /// `HueyCommand.main` exit with status 2 (see ``SqliteStorage``).
    /// - Parameters:
    ///   - fsync: `false` = `synchronous=NORMAL` (the default: no corruption on power loss,
    ///     the last commits may be lost), `true` = `FULL`.
    ///   - strictFifo: never reuse queue row ids (Huey's `strict_fifo`).
    ///   - timeout: seconds to wait for another process's write lock.
    ///   - walSizeLimit: bytes the `-wal` file stays below under sustained load (default
    ///     16 MiB, see ``SqliteStorage/walSizeLimit``).
    /// - Throws: ``StorageError`` when `filename` is empty.
    public init(
        name: String = "huey", filename: String = "huey.db", fsync: Bool = false, strictFifo: Bool = false,
        timeout: Double = 5, walSizeLimit: Int = SqliteStorage.defaultWALSizeLimit, results: Bool = true,
        storeNone: Bool = false, utc: Bool = true, immediate: Bool = false, immediateUseMemory: Bool = true
    ) throws {
        let storage = try SqliteStorage(
            name: name, filename: filename, fsync: fsync, strictFifo: strictFifo, timeout: timeout,
            walSizeLimit: walSizeLimit)
        super.init(
            name: name, storage: storage, results: results, storeNone: storeNone, utc: utc,
            immediate: immediate, immediateUseMemory: immediateUseMemory)
    }
}
