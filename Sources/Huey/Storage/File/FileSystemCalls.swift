import Foundation

/// The POSIX file calls ``FileStorage`` makes, and nothing else: every call goes through
/// ``System/call(_:_:)``, which retries `EINTR`, and failures become a ``StorageError``
/// carrying `errno`. Calls where one errno is an expected answer (`ENOENT` for "not
/// there", `EEXIST` for "already there") report it as a value.
enum FileSystemCalls {
    /// What a file system entry is.
    enum EntryType { case file, directory, other }

    /// A ``StorageError`` for a failed call: `.full`, `.readOnly` or `.io` by errno.
    static func error(_ message: String, errno code: Int32) -> StorageError {
        switch code {
        case ENOSPC, EDQUOT: return StorageError(code: .full, message: message, errno: code)
        case EROFS: return StorageError(code: .readOnly, message: message, errno: code)
        default: return StorageError(code: .io, message: message, errno: code)
        }
    }

    /// Runs `body` (retrying `EINTR`) and throws a ``StorageError`` saying `what` failed.
    @discardableResult
    static func check<T: FixedWidthInteger & SignedInteger>(_ what: @autoclosure () -> String, _ body: () -> T) throws -> T {
        do {
            return try System.call(what(), body)
        } catch {
            throw self.error("cannot \(what())", errno: error.errno)
        }
    }

    /// Runs `body` (retrying `EINTR`): true when it succeeded, false when it failed with
    /// `expected` (an answer, not an error), and a ``StorageError`` saying `what` failed otherwise.
    private static func succeeds(
        unless expected: Int32, _ what: @autoclosure () -> String, _ body: () -> Int32
    ) throws -> Bool {
        do {
            try System.call(what(), body)
            return true
        } catch where error.errno == expected {
            return false
        } catch {
            throw self.error("cannot \(what())", errno: error.errno)
        }
    }

    // MARK: Descriptors

    /// Opens `path`; `nil` when it does not exist.
    /// - Throws: ``StorageError`` for any other failure.
    static func openIfPresent(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32? {
        do {
            return try System.call("open \(path)") { open(path, flags | O_CLOEXEC, mode) }
        } catch where error.errno == ENOENT {
            return nil
        } catch {
            throw self.error("cannot open \(path)", errno: error.errno)
        }
    }

    /// Closes `fd`. Never retried: on Linux the descriptor is gone even after `EINTR`.
    static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }

    /// Takes or drops a `flock` on `fd` (blocking for `LOCK_EX`).
    /// - Throws: ``StorageError``.
    static func lockFile(_ fd: Int32, _ operation: Int32, path: String) throws {
        try check("lock \(path)") { flock(fd, operation) }
    }

    /// Reads up to `count` bytes at `offset`; fewer at the end of the file.
    /// - Throws: ``StorageError``.
    static func read(_ fd: Int32, count: Int, offset: off_t, path: String) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = try check("read \(path)") {
                buffer.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + filled, count - filled, offset + off_t(filled))
                }
            }
            if got == 0 { break }
            filled += got
        }
        return Array(buffer.prefix(filled))
    }

    /// Writes all of `bytes` at `offset`.
    /// - Throws: ``StorageError``.
    static func write(_ fd: Int32, _ bytes: [UInt8], offset: off_t, path: String) throws {
        var written = 0
        while written < bytes.count {
            written += try check("write \(path)") {
                bytes.withUnsafeBytes {
                    pwrite(fd, $0.baseAddress! + written, bytes.count - written, offset + off_t(written))
                }
            }
        }
    }

    /// Flushes `fd` to the disk.
    /// - Throws: ``StorageError``.
    static func sync(_ fd: Int32, path: String) throws {
        try check("fsync \(path)") { fsync(fd) }
    }

    // MARK: Whole files

    /// The whole content of `path`; `nil` when it does not exist.
    /// - Throws: ``StorageError``.
    static func readFile(_ path: String) throws -> [UInt8]? {
        guard let fd = try openIfPresent(path, flags: O_RDONLY) else { return nil }
        defer { closeDescriptor(fd) }
        var info = stat()
        try check("stat \(path)") { fstat(fd, &info) }
        var bytes = try read(fd, count: Int(info.st_size), offset: 0, path: path)
        // The size is a hint: read on if the file grew (it should not, files are immutable).
        while true {
            let more = try read(fd, count: 4096, offset: off_t(bytes.count), path: path)
            if more.isEmpty { return bytes }
            bytes += more
        }
    }

    /// Creates `path` (which must not exist) with mode 0600 holding `bytes`.
    /// - Throws: ``StorageError``; then no file is left behind.
    static func createFile(_ path: String, _ bytes: [UInt8], sync: Bool) throws {
        let fd = try check("create \(path)") { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
        do {
            try write(fd, bytes, offset: 0, path: path)
            if sync { try self.sync(fd, path: path) }
            closeDescriptor(fd)
        } catch {
            closeDescriptor(fd)
            _ = try? unlinkIfPresent(path)
            throw error
        }
    }

    /// Flushes the directory `path` (its entries) to the disk.
    /// - Throws: ``StorageError``.
    static func syncDirectory(_ path: String) throws {
        guard let fd = try openIfPresent(path, flags: O_RDONLY | O_DIRECTORY) else { return }
        defer { closeDescriptor(fd) }
        try sync(fd, path: path)
    }

    // MARK: Names

    /// Renames `source` to `destination` (replacing it); false when `source` is gone.
    /// - Throws: ``StorageError``.
    static func renameIfPresent(_ source: String, to destination: String) throws -> Bool {
        try succeeds(unless: ENOENT, "rename \(source) to \(destination)") { rename(source, destination) }
    }

    /// Links `source` as `destination` unless `destination` exists; false when it does.
    /// - Throws: ``StorageError`` (`ENOENT` when a directory on the way is missing).
    static func linkIfAbsent(_ source: String, as destination: String) throws -> Bool {
        try succeeds(unless: EEXIST, "link \(source) as \(destination)") { link(source, destination) }
    }

    /// Removes the file `path`; false when it was not there.
    /// - Throws: ``StorageError``.
    @discardableResult
    static func unlinkIfPresent(_ path: String) throws -> Bool {
        try succeeds(unless: ENOENT, "remove \(path)") { unlink(path) }
    }

    /// Removes the directory `path` if it is empty; says whether it did.
    static func removeEmptyDirectory(_ path: String) -> Bool {
        (try? System.call("rmdir") { rmdir(path) }) != nil
    }

    /// What `path` is, without following a final symbolic link; `nil` when absent.
    /// - Throws: ``StorageError``.
    static func entryType(_ path: String) throws -> EntryType? {
        var info = stat()
        do {
            try System.call("lstat") { lstat(path, &info) }
        } catch where error.errno == ENOENT {
            return nil
        } catch {
            throw self.error("cannot stat \(path)", errno: error.errno)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Creates the directory `path` with mode 0700 unless it exists.
    /// - Throws: ``StorageError`` with code `.open` when something that is not a
    ///   directory is in the way, or the directory cannot be made.
    static func makeDirectory(_ path: String) throws {
        do {
            try System.call("mkdir") { mkdir(path, 0o700) }
        } catch where error.errno == EEXIST {
            // A symbolic link to a directory is fine here: stat follows it.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
            throw StorageError(code: .open, message: "\(path) exists and is not a directory", errno: ENOTDIR)
        } catch {
            let problem = error.errno == ENOTDIR ? "a file is in the way of" : "cannot create directory"
            throw StorageError(code: .open, message: "\(problem) \(path)", errno: error.errno)
        }
    }

    // MARK: Directories

    /// The names in directory `path` (without `.` and `..`), unsorted.
    /// - Throws: ``StorageError`` (also when the directory is missing, unless
    ///   `missingIsEmpty`).
    static func listDirectory(_ path: String, missingIsEmpty: Bool = false) throws -> [String] {
        var names: [String] = []
        try scanDirectory(path, missingIsEmpty: missingIsEmpty) { name in
            names.append(name)
            return true
        }
        return names
    }

    /// Whether directory `path` holds any entry.
    /// - Throws: ``StorageError``.
    static func hasEntries(_ path: String) throws -> Bool {
        var found = false
        try scanDirectory(path) { _ in
            found = true
            return false
        }
        return found
    }

    /// Calls `visit` with each name in directory `path` until it returns false.
    private static func scanDirectory(_ path: String, missingIsEmpty: Bool = false, _ visit: (String) -> Bool) throws {
        let directory: OpaquePointer
        do {
            directory = try System.callReturningPointer("opendir") { opendir(path) }
        } catch where error.errno == ENOENT && missingIsEmpty {
            return
        } catch {
            throw self.error("cannot open directory \(path)", errno: error.errno)
        }
        defer { closedir(directory) }
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                // readdir sets errno only on failure; at the end it leaves it 0.
                if errno == 0 { return }
                throw error("cannot read directory \(path)", errno: errno)
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if !visit(name) { return }
        }
    }
}
