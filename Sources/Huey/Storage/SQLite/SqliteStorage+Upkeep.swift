import CSQLite
import Foundation
import Synchronization

/// The disk side of ``SqliteStorage``: the WAL's bound, the master's checkpoints, the size
/// on disk, the start-up and integrity checks, and waiting out a full disk.
extension SqliteStorage {
    /// Sets `connection` up to keep the WAL below ``walSizeLimit``: a RESTART checkpoint
    /// after a commit that leaves half of it (``SQLiteWALBound``), and
    /// `journal_size_limit` cutting a WAL started over back to half of it (no smaller: a WAL
    /// cut shorter at each start-over must grow again, which cost the drain rate).
    func boundWAL(of connection: SQLiteConnection) throws {
        try connection.execute("PRAGMA journal_size_limit = \(walSizeLimit / 2)")
        let pageSize = try connection.queryFirst("PRAGMA page_size") { $0.int(0) } ?? 4096
        let frameSize = max(pageSize, 512) + 24  // a WAL frame: a page and its 24-byte header
        connection.boundWAL(SQLiteWALBound(restartFrames: Int32(clamping: walSizeLimit / 2 / frameSize)))
    }

    /// The consumer master's upkeep. On a tick: when the `-wal` file has grown past half of
    /// ``walSizeLimit`` (the writers' own checkpoints could not start it over, e.g. other
    /// programs write the file too), a TRUNCATE checkpoint, waiting at most 0.1 s for
    /// readers. With `final` (the consumer stops): a TRUNCATE checkpoint whatever the size,
    /// waiting up to 1 s, so a stopped queue leaves an empty WAL behind.
    /// - Throws: ``StorageError`` (`.full` when the database file cannot grow to take the
    ///   WAL's pages back).
    public func maintain(final: Bool) throws {
        let wal = DiskFiles.length(filename + "-wal")
        guard final ? wal > 0 : wal > walSizeLimit / 2 else { return }
        try withConnection { try $0.checkpoint(.truncate, budget: final ? 1 : 0.1) }
    }

    /// The database, WAL and shared-memory files' size on the disk.
    public func diskUsage() throws -> DiskUsage? {
        DiskUsage(parts: [
            .init(name: "database", bytes: DiskFiles.allocatedBytes(filename)),
            .init(name: "wal", bytes: DiskFiles.allocatedBytes(filename + "-wal")),
            .init(name: "shm", bytes: DiskFiles.allocatedBytes(filename + "-shm")),
        ])
    }

    /// Throws when this process cannot write the database: opened read-only (a read-only
    /// file, folder or file system), or the write lock cannot be taken.
    /// - Throws: ``StorageError`` with code `.readOnly` naming the file, or the error met.
    public func verifyWritable() throws {
        try withConnection { connection in
            if sqlite3_db_readonly(connection.handle, "main") == 1 {
                throw StorageError(
                    code: .readOnly,
                    message: "the database \(filename) is read-only for this process (check the permissions of the file "
                        + "and its folder, and whether the file system is mounted read-only)")
            }
            try connection.immediateTransaction {}  // takes the write lock, writes nothing
        }
    }

    /// `PRAGMA integrity_check`: SQLite's messages about damage, none when the file is sound.
    /// A file too damaged to be checked gives that error as its one problem.
    /// - Throws: ``StorageError`` when the database cannot be read for another reason.
    public func integrityProblems() throws -> [String] {
        do {
            let rows = try textRows("PRAGMA integrity_check").compactMap { $0.first ?? nil }
            return rows == ["ok"] ? [] : rows.map { "\(filename): \($0)" }
        } catch let error as StorageError where error.code == .corrupt || error.code == .open {
            return ["\(filename): \(error)"]
        }
    }

    /// Makes this process's writes wait out a full disk (nil: throw at once).
    public func pauseWhenFull(_ pause: FullDiskPause?) {
        fullDiskPause.withLock { $0 = pause }
    }
}
