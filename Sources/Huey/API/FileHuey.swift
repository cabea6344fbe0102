import Foundation

/// A Huey whose storage is a directory of files (``FileStorage``).
public final class FileHuey: Huey, @unchecked Sendable {
    // @unchecked Sendable: adds no state to Huey, whose mutable state is in a Mutex.

    /// Uses the directory `path` (created if needed). A folder that cannot be set up or
    /// written is reported by the first write and by `HueyCommand.main` (exit status 2),
    /// not here (see ``FileStorage``).
    /// - Parameter fsync: flush each file and directory to disk before it is renamed into place.
    /// - Throws: ``StorageError`` when `path` is empty.
    public init(
        name: String = "huey", path: String, fsync: Bool = false, results: Bool = true, storeNone: Bool = false,
        utc: Bool = true, immediate: Bool = false, immediateUseMemory: Bool = true
    ) throws {
        let storage = try FileStorage(name: name, path: path, fsync: fsync)
        super.init(
            name: name, storage: storage, results: results, storeNone: storeNone, utc: utc,
            immediate: immediate, immediateUseMemory: immediateUseMemory)
    }
}
