import Huey

/// A Huey whose storage is a PostgreSQL database (``PostgresStorage``): Huey 3.x's
/// `PostgresHuey` tables and notify channel, plus claims, so a fleet of consumers on
/// several machines shares one database and loses nothing when a worker, a master or a
/// machine dies. The queue honours priorities (priority desc, then FIFO).
///
/// ```swift
/// let huey = try PostgresHuey(name: "app", url: "postgresql://huey:secret@db.internal/app")
/// ```
public final class PostgresHuey: Huey, @unchecked Sendable {
    // @unchecked Sendable: adds no state to Huey, whose mutable state is in a Mutex.

    /// Uses the database at `url` (`postgres://[user[:password]@][host][:port][/dbname][?…]`,
    /// or libpq's `key=value` pairs). Connects lazily: the first use reports an unreachable
    /// server or refused login; it creates the missing tables.
    /// - Parameters:
    ///   - name: The queue name (rows of other names in the same tables are not seen).
    ///   - tablePrefix: The tables' prefix, as Huey's `table_prefix` (default `huey`).
    ///   - ownerTimeout: Seconds without a heartbeat after which another machine's claims
    ///     are recovered.
    /// - Throws: ``StorageError`` with code `.open` when the URL is malformed.
    public init(
        name: String = "huey", url: String, tablePrefix: String = "huey", results: Bool = true,
        storeNone: Bool = false, utc: Bool = true, immediate: Bool = false, ownerTimeout: Double = 30
    ) throws {
        let storage = try PostgresStorage(name: name, url: url, tablePrefix: tablePrefix, ownerTimeout: ownerTimeout)
        super.init(
            name: name, storage: storage, results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }
}
