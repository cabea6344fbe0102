import Foundation
import Synchronization

/// A task lock held with `flock(2)` on a file: exclusive between processes and between
/// separate `FileLock` objects in one process, and released by the kernel the moment its
/// holder dies, so a crash never leaves a stale lock.
///
/// Lock files live in a directory beside the storage (`<db>.locks/` or `<dir>/locks/`),
/// created 0700; the files themselves are 0600 and are never deleted (deleting a held
/// lock file would let a second holder lock a new inode).
public final class FileLock: TaskLock {
    /// The lock's name (as given; the file name is an escaped form of it).
    public let name: String
    /// The lock file's path.
    public let path: String
    /// The descriptor holding the lock, -1 while this object does not hold it.
    private let descriptor = Mutex<Int32>(-1)

    /// Makes a lock on a file named after `name` inside `directory` (created if missing).
    /// - Throws: ``StorageError`` when the directory cannot be created.
    public init(name: String, directory: String) throws {
        self.name = name
        self.path = "\(directory)/\(FileLock.fileName(for: name))"
        try FileLock.makeDirectory(directory)
    }

    deinit {
        descriptor.withLock { if $0 >= 0 { close($0) } }
    }

    /// Creates `directory` (and parents) with mode 0700 if missing.
    /// - Throws: ``StorageError`` with the errno when it cannot.
    static func makeDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue {
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StorageError(code: .open, message: "cannot create lock directory \(directory): \(error)")
        }
    }

    /// A file name for any lock name: safe characters kept, others percent-escaped.
    static func fileName(for name: String) -> String {
        var result = ""
        for byte in name.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
            {
                result.unicodeScalars.append(scalar)
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result + ".lock"
    }

    private func openFile() throws -> Int32 {
        do {
            return try System.call("open") { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        } catch {
            throw StorageError(code: .io, message: "cannot open lock file \(path)", errno: error.errno)
        }
    }

    /// Takes the lock without waiting; false when any other holder has it.
    /// - Throws: ``StorageError`` when the lock file cannot be opened.
    public func tryAcquire() throws -> Bool {
        try descriptor.withLock { descriptor in
            guard descriptor < 0 else { return false }
            let fd = try openFile()
            if flockSucceeds(fd, LOCK_EX | LOCK_NB) {
                descriptor = fd
                return true
            }
            close(fd)
            return false
        }
    }

    /// Releases the lock if this object holds it.
    public func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            _ = flockSucceeds(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    /// Whether anyone holds the lock: probes with a shared non-blocking flock.
    /// - Throws: ``StorageError`` when the lock file cannot be opened.
    public func isHeld() throws -> Bool {
        if descriptor.withLock({ $0 >= 0 }) { return true }
        let fd = try openFile()
        defer { close(fd) }
        if flockSucceeds(fd, LOCK_SH | LOCK_NB) {
            _ = flockSucceeds(fd, LOCK_UN)
            return false
        }
        return true
    }

    /// Whether `flock(fd, operation)` succeeded (`EWOULDBLOCK`: held by another).
    private func flockSucceeds(_ fd: Int32, _ operation: Int32) -> Bool {
        (try? System.call("flock") { flock(fd, operation) }) != nil
    }
}
