import Foundation
import Synchronization

/// Storage in a directory tree: one file per queued, scheduled, stored or claimed item.
///
/// The queue named `name` lives in `<path>/<escaped name>/` (so queues sharing `path`
/// never see each other's data), with folders `queue/`, `schedule/`, `kv/`,
/// `counters/`, `claimed/`, `dead/`, `tmp/` and `locks/` (task locks), and a `.lock`
/// file. Directories are created 0700 and files 0600.
///
/// - Every item is written to `tmp/` and renamed into place, so readers never see a
///   half-written file. Queue entry names sort by priority (descending) and then FIFO,
///   schedule entry names by time and then FIFO (see `FileNames`).
/// - Multi-step operations (dequeue, claim, ack, release, reading the schedule, counters,
///   flushes) hold an exclusive `flock` on `.lock`; all additions to the queue do too,
///   bumping a sequence number kept in that file, which lets each process keep its
///   sorted listing of `queue/` between claims until something is added.
/// - A claim renames the entry into `claimed/` under a name holding the owner's pid and
///   start time, the claim time and the priority; that name is the claim's token. A
///   deadline is kept beside it in `<token>.deadline`.
/// - Descriptors are opened lazily by the process that uses them (a child after
///   `fork()` opens its own), and ``closeConnections()`` closes them.
/// - A folder that cannot be set up (a file in the way, no permission, a read-only file
///   system) does not make `init` throw: the problem is kept and thrown, naming the folder,
///   by every write and locked operation and by ``verifyWritable()``, each of which first
///   tries the set-up again. So a program that makes its `FileHuey` at the top of `main`
///   always reaches `HueyCommand.main`, which reports the problem and exits with status 2.
///   Reads of an existing queue on a read-only disk (`pending`, `stats`) still work.
///
/// Durability: by default nothing is fsynced. Renames are atomic, so a crash of the
/// process never leaves a torn item, but a crash of the machine may lose the latest
/// writes. Pass `fsync: true` to flush each file before it is renamed into place and the
/// directory after. An ``ack(_:writes:)`` is atomic for other processes (it holds the
/// lock), but a crash in its middle can leave some writes applied with the claim still
/// there: the task then runs again (at least once, never lost).
///
/// Limits: a key's escaped form (up to three bytes per UTF-8 byte) must fit in the
/// system's path length (4096 bytes with the directory). A process killed between
/// writing a temp file and renaming it leaves that file in `tmp/` (harmless, not yet
/// cleaned up).
public final class FileStorage: Storage {
    /// The queue name.
    public let name: String
    /// This queue's directory, `<path>/<escaped name>`.
    public let directory: String
    /// Whether writes are flushed to the disk before they count.
    public let fsync: Bool

    let lockFile: StorageLockFile
    let queueDirectory: String
    let scheduleDirectory: String
    let keyValueDirectory: String
    let counterDirectory: String
    let claimedDirectory: String
    let deadDirectory: String
    let tempDirectory: String
    let locksDirectory: String
    /// Watches of `queue/` for new entries (see `waitForWork`).
    let queueWatches: InotifyWatchPool
    /// How this process's writes wait out a full disk (nil: they throw at once).
    let fullDiskPause = Mutex<FullDiskPause?>(nil)
    /// Why the folders could not be set up, until a later attempt succeeds.
    private let setUpProblem = Mutex<StorageError?>(nil)

    /// Uses (creating when missing) the queue `name` in the directory `path`.
    /// - Parameters:
    ///   - name: The queue name; any text.
    ///   - path: The base directory, created (with parents, mode 0700) when missing.
    ///   - fsync: Flush every write to the disk (slower; see the type's documentation).
    /// - Throws: ``StorageError`` with code `.open` when `path` is empty. Folders that
    ///   cannot be set up are reported later (see the type's documentation).
    public init(name: String, path: String, fsync: Bool = false) throws {
        guard !path.isEmpty else {
            throw StorageError(code: .open, message: "FileStorage needs a directory path, got an empty one")
        }
        var base = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        self.name = name
        self.fsync = fsync
        directory = (base == "/" ? "" : base) + "/" + FileNames.escape(name)
        queueDirectory = directory + "/queue"
        scheduleDirectory = directory + "/schedule"
        keyValueDirectory = directory + "/kv"
        counterDirectory = directory + "/counters"
        claimedDirectory = directory + "/claimed"
        deadDirectory = directory + "/dead"
        tempDirectory = directory + "/tmp"
        locksDirectory = directory + "/locks"
        lockFile = StorageLockFile(path: directory + "/.lock")
        queueWatches = InotifyWatchPool(directory: queueDirectory, events: UInt32(IN_MOVED_TO | IN_CREATE))
        do {
            try setUpFolders()
        } catch let error as StorageError {
            setUpProblem.withLock { $0 = error }
        }
    }

    /// Creates the base folder (with parents) and the queue's folders, and checks that this
    /// process may write them.
    /// - Throws: ``StorageError``: `.open` when a file is in the way or a folder cannot be
    ///   made, `.readOnly` when the queue's folder is not writable.
    private func setUpFolders() throws {
        var prefix = ""
        for component in directory.split(separator: "/").dropLast() {
            prefix += "/" + component
            try FileSystemCalls.makeDirectory(prefix)
        }
        let folders = [
            directory, queueDirectory, scheduleDirectory, keyValueDirectory, counterDirectory,
            claimedDirectory, deadDirectory, tempDirectory, locksDirectory,
        ]
        for folder in folders { try FileSystemCalls.makeDirectory(folder) }
        guard access(directory, R_OK | W_OK | X_OK) == 0 else {
            let code = errno
            throw StorageError(
                code: .readOnly,
                message: "the queue folder \(directory) is not writable by this process (check its permissions and "
                    + "whether the file system is mounted read-only)", errno: code)
        }
    }

    /// Throws the set-up problem ``init(name:path:fsync:)`` met, unless setting up now works.
    /// - Throws: ``StorageError`` naming the folder.
    func checkSetUp() throws {
        guard setUpProblem.withLock({ $0 }) != nil else { return }
        do {
            try setUpFolders()
            setUpProblem.withLock { $0 = nil }
        } catch let error as StorageError {
            setUpProblem.withLock { $0 = error }
            throw error
        }
    }

    /// Runs `body` holding the storage-wide lock (see `StorageLockFile`), once the folders are set up.
    /// - Throws: the set-up problem, ``StorageError`` when the lock fails, or what `body` throws.
    func exclusive<T: Sendable>(_ body: (StorageLockFile.Counters, inout StorageLockFile.QueueCache) throws -> T) throws -> T {
        try checkSetUp()
        return try lockFile.exclusive(body)
    }

    // MARK: Writing

    /// Writes `bytes` to a new file in `tmp/` and returns its path.
    func writeTemp(_ bytes: [UInt8]) throws -> String {
        try checkSetUp()
        let random = FileNames.hex(UInt64.random(in: .min ... .max))
        let path = "\(tempDirectory)/\(getpid())-\(random)"
        try FileSystemCalls.createFile(path, bytes, sync: fsync)
        return path
    }

    /// Writes each of `contents` to a temp file; on failure removes those already made.
    func writeTemps(_ contents: [[UInt8]]) throws -> [String] {
        var paths: [String] = []
        do {
            for bytes in contents { paths.append(try writeTemp(bytes)) }
        } catch {
            removeQuietly(paths)
            throw error
        }
        return paths
    }

    /// Renames the temp file `temp` to `target`, replacing it.
    func moveTemp(_ temp: String, to target: String) throws {
        guard try FileSystemCalls.renameIfPresent(temp, to: target) else {
            throw StorageError(
                code: .io, message: "temporary file \(temp) vanished before it was renamed", errno: ENOENT)
        }
    }

    /// Flushes `directories` when `fsync` is on.
    func syncDirectories(_ directories: String...) throws {
        guard fsync else { return }
        for directory in directories { try FileSystemCalls.syncDirectory(directory) }
    }

    /// Removes files, ignoring failures (clean-up on an error path).
    func removeQuietly(_ paths: [String]) {
        for path in paths { _ = try? FileSystemCalls.unlinkIfPresent(path) }
    }

    /// The sorted names in `folder` that `isValid` accepts.
    func sortedEntries(_ folder: String, _ isValid: (String) -> Bool) throws -> [String] {
        try FileSystemCalls.listDirectory(folder).filter(isValid).sorted()
    }

    /// Reads the files `names` of `folder` in order, skipping vanished ones, up to `limit`.
    func readEntries(_ folder: String, _ names: [String], limit: Int?) throws -> [[UInt8]] {
        var items: [[UInt8]] = []
        for name in names {
            if let limit, items.count >= limit { break }
            if let bytes = try FileSystemCalls.readFile("\(folder)/\(name)") { items.append(bytes) }
        }
        return items
    }

    /// Removes every file in `folder`; call holding the lock.
    func removeEntries(_ folder: String) throws {
        for name in try FileSystemCalls.listDirectory(folder) {
            try FileSystemCalls.unlinkIfPresent("\(folder)/\(name)")
        }
    }

    static func isQueueEntry(_ name: String) -> Bool { FileNames.priority(ofQueueEntry: name[...]) != nil }
    static func isScheduleEntry(_ name: String) -> Bool { FileNames.timestamp(ofScheduleEntry: name) != nil }

    // MARK: Queue

    /// Adds a message to the queue.
    /// - Throws: ``StorageError`` when the write fails.
    public func enqueue(_ data: [UInt8], priority: Double) throws {
        try enqueue(batch: [QueueItem(data: data, priority: priority)])
    }

    /// Adds many messages, all or none.
    /// - Throws: ``StorageError`` when a write fails; then none were added.
    public func enqueue(batch: [QueueItem]) throws {
        try pausingWhenFull {
            guard !batch.isEmpty else { return }
            let temps = try writeTemps(batch.map(\.data))
            do {
                try exclusive { counters, _ in
                    let first = try counters.reserve(.entries, count: batch.count)
                    var placed: [String] = []
                    do {
                        for (offset, item) in batch.enumerated() {
                            let entry = FileNames.queueEntry(priority: item.priority, sequence: first &+ UInt64(offset))
                            try moveTemp(temps[offset], to: "\(queueDirectory)/\(entry)")
                            placed.append("\(queueDirectory)/\(entry)")
                        }
                    } catch {
                        removeQuietly(placed)  // still under the lock: nobody has seen them
                        throw error
                    }
                }
            } catch {
                removeQuietly(temps)
                throw error
            }
            try syncDirectories(queueDirectory)
        }
    }

    /// The next queue entry to try, from this process's listing (relisted when the
    /// entry sequence moved, i.e. something was added). Call holding the lock.
    func nextQueueEntry(
        _ counters: StorageLockFile.Counters, _ cache: inout StorageLockFile.QueueCache
    ) throws -> String? {
        let sequence = try counters.value(.entries)
        if cache.sequence != sequence {
            cache = .init(sequence: sequence, names: try sortedEntries(queueDirectory, Self.isQueueEntry))
        }
        guard cache.next < cache.names.count else { return nil }
        defer { cache.next += 1 }
        return cache.names[cache.next]
    }

    /// Removes and returns the highest-priority, oldest message.
    /// - Throws: ``StorageError``.
    public func dequeue() throws -> [UInt8]? {
        try exclusive { counters, cache in
            while let entry = try nextQueueEntry(counters, &cache) {
                let path = "\(queueDirectory)/\(entry)"
                guard let data = try FileSystemCalls.readFile(path) else { continue }
                try FileSystemCalls.unlinkIfPresent(path)
                return data
            }
            return nil
        }
    }

    /// The number of queued (unclaimed) messages.
    /// - Throws: ``StorageError``.
    public func queueSize() throws -> Int {
        try FileSystemCalls.listDirectory(queueDirectory).count(where: Self.isQueueEntry)
    }

    /// Queued messages in dequeue order, at most `limit`.
    /// - Throws: ``StorageError``.
    public func enqueuedItems(limit: Int?) throws -> [[UInt8]] {
        try readEntries(queueDirectory, sortedEntries(queueDirectory, Self.isQueueEntry), limit: limit)
    }

    /// Removes every queued message.
    /// - Throws: ``StorageError``.
    public func flushQueue() throws {
        try exclusive { _, _ in try removeEntries(queueDirectory) }
    }

    // MARK: Schedule

    /// Stores a message to run at `timestamp`.
    /// - Throws: ``StorageError``.
    public func addToSchedule(_ data: [UInt8], timestamp: Double) throws {
        try pausingWhenFull {
            let temp = try writeTemp(data)
            do {
                try exclusive { counters, _ in
                    let entry = FileNames.scheduleEntry(timestamp: timestamp, sequence: try counters.reserve(.entries))
                    try moveTemp(temp, to: "\(scheduleDirectory)/\(entry)")
                }
            } catch {
                removeQuietly([temp])
                throw error
            }
            try syncDirectories(scheduleDirectory)
        }
    }

    /// Removes and returns the messages due at or before `timestamp`, earliest first.
    /// - Throws: ``StorageError``.
    public func readSchedule(timestamp: Double) throws -> [[UInt8]] {
        try exclusive { _, _ in
            var due: [[UInt8]] = []
            for entry in try sortedEntries(scheduleDirectory, Self.isScheduleEntry) {
                if let time = FileNames.timestamp(ofScheduleEntry: entry), time > timestamp { break }
                let path = "\(scheduleDirectory)/\(entry)"
                guard let data = try FileSystemCalls.readFile(path) else { continue }
                try FileSystemCalls.unlinkIfPresent(path)
                due.append(data)
            }
            return due
        }
    }

    /// Scheduled messages, earliest first, at most `limit`.
    /// - Throws: ``StorageError``.
    public func scheduledItems(limit: Int?) throws -> [[UInt8]] {
        try readEntries(scheduleDirectory, sortedEntries(scheduleDirectory, Self.isScheduleEntry), limit: limit)
    }

    /// The number of scheduled messages.
    /// - Throws: ``StorageError``.
    public func scheduleSize() throws -> Int {
        try FileSystemCalls.listDirectory(scheduleDirectory).count(where: Self.isScheduleEntry)
    }

    /// Removes every scheduled message.
    /// - Throws: ``StorageError``.
    public func flushSchedule() throws {
        try exclusive { _, _ in try removeEntries(scheduleDirectory) }
    }

    // MARK: Locks, flushing

    /// A `flock` lock on `locks/<escaped name>.lock`, released by the kernel if its
    /// holder dies.
    /// - Throws: ``StorageError`` when the lock directory cannot be created.
    public func lock(named name: String) throws -> any TaskLock {
        try FileLock(name: name, directory: locksDirectory)
    }

    /// Removes everything: queue, schedule, results, counters, claims, dead letters.
    /// - Throws: ``StorageError``.
    public func flushAll() throws {
        try exclusive { _, _ in
            for folder in [queueDirectory, scheduleDirectory, claimedDirectory, deadDirectory] {
                try removeEntries(folder)
            }
            try removeTree(inside: keyValueDirectory)
            try removeTree(inside: counterDirectory)
            for minute in try FileSystemCalls.listDirectory(statsDirectory, missingIsEmpty: true) {
                _ = try FileSystemCalls.unlinkIfPresent("\(statsDirectory)/\(minute)")
            }
        }
    }

    /// Closes the lock file descriptor of this process; it reopens on next use.
    public func closeConnections() {
        lockFile.close()
        queueWatches.closeAll()
    }
}
