import Foundation
import Synchronization

/// The disk side of ``FileStorage``: clearing temp files of dead processes, the size on
/// disk, the start-up and integrity checks, and waiting out a full disk.
extension FileStorage {
    /// Runs `body`, waiting out a full disk when this thread or process was given a ``FullDiskPause``.
    /// Called around whole operations, never under the storage lock.
    func pausingWhenFull<T>(_ body: () throws -> T) throws -> T {
        guard let pause = FullDiskPause.current ?? fullDiskPause.withLock({ $0 }) else { return try body() }
        return try pause.run(body)
    }

    /// Makes this process's writes wait out a full disk (nil: throw at once).
    public func pauseWhenFull(_ pause: FullDiskPause?) {
        fullDiskPause.withLock { $0 = pause }
    }

    /// The consumer master's upkeep: removes the temp files (`tmp/<pid>-…`) of processes
    /// that died between writing a file and renaming it into place.
    /// - Throws: ``StorageError`` when `tmp/` cannot be read.
    public func maintain(final: Bool) throws {
        for name in try FileSystemCalls.listDirectory(tempDirectory, missingIsEmpty: true) {
            guard let pid = Self.writer(ofTemp: name), !Self.isRunning(pid) else { continue }
            _ = try? FileSystemCalls.unlinkIfPresent("\(tempDirectory)/\(name)")
        }
    }

    /// The pid in a temp file's name (`<pid>-<hex>`).
    private static func writer(ofTemp name: String) -> Int32? {
        name.split(separator: "-", maxSplits: 1).first.flatMap { Int32($0) }
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// The bytes allocated to every file and folder of this queue.
    /// - Throws: ``StorageError`` when a folder cannot be read.
    public func diskUsage() throws -> DiskUsage? {
        DiskUsage(parts: [.init(name: "files", bytes: try allocatedBytes(in: directory))])
    }

    private func allocatedBytes(in folder: String) throws -> Int {
        var total = DiskFiles.allocatedBytes(folder)
        for name in try FileSystemCalls.listDirectory(folder, missingIsEmpty: true) {
            let path = "\(folder)/\(name)"
            if try FileSystemCalls.entryType(path) == .directory {
                total += try allocatedBytes(in: path)
            } else {
                total += DiskFiles.allocatedBytes(path)
            }
        }
        return total
    }

    /// Throws when the queue's folders could not be set up (a file in the way: `.open`) or
    /// this process cannot write them (permissions, a read-only file system: `.readOnly`):
    /// it sets them up if needed, then creates and removes a file in `tmp/`.
    /// - Throws: ``StorageError`` with code `.open` or `.readOnly` naming the folder.
    public func verifyWritable() throws {
        try checkSetUp()
        do {
            let temp = try writeTemp([])
            try FileSystemCalls.unlinkIfPresent(temp)
        } catch let error as StorageError {
            throw StorageError(
                code: .readOnly, message: "the queue folder \(directory) is not writable by this process: \(error)",
                errno: error.errno)
        }
    }

    /// Walks the queue's folders: every queue, schedule, claim and dead-letter entry must
    /// have a name this storage makes and be a readable regular file, and every deadline
    /// must belong to a claim. Returns the problems found.
    /// - Throws: ``StorageError`` when a folder cannot be read.
    public func integrityProblems() throws -> [String] {
        var problems: [String] = []
        let folders: [(String, (String) -> Bool)] = [
            (queueDirectory, Self.isQueueEntry), (scheduleDirectory, Self.isScheduleEntry),
            (deadDirectory, { $0.count == 25 }),
            (claimedDirectory, { FileNames.parseClaim($0) != nil || $0.hasSuffix(FileNames.deadlineSuffix) }),
        ]
        for (folder, isValid) in folders {
            let names = try FileSystemCalls.listDirectory(folder, missingIsEmpty: true)
            for name in names {
                let path = "\(folder)/\(name)"
                if !isValid(name) { problems.append("\(path): not a name this storage makes") }
                if try FileSystemCalls.entryType(path) != .file {
                    problems.append("\(path): not a regular file")
                } else if access(path, R_OK) != 0 {
                    problems.append("\(path): not readable")
                }
            }
            if folder == claimedDirectory {
                for name in names where name.hasSuffix(FileNames.deadlineSuffix) {
                    if !names.contains(String(name.dropLast(FileNames.deadlineSuffix.count))) {
                        problems.append("\(folder)/\(name): a deadline without its claim")
                    }
                }
            }
        }
        return problems
    }
}
