import Foundation

/// The consumer's `--pidfile`: the master's pid, written when it starts and removed when
/// it stops, for init systems and scripts that signal it (`kill -HUP $(cat file)`).
///
/// Written to a temp file beside it and renamed into place, so a reader never sees half a
/// pid. A SIGHUP re-execution keeps the pid, so the file stays right (the new program
/// writes it again). A file naming another running process is not replaced: starting a
/// second consumer on the same pidfile is refused; a file left by a dead one is replaced.
public struct PidFile: Sendable {
    /// The file's path.
    public let path: String
    /// The pid written.
    public let pid: Int32

    /// Writes `pid` (default: this process's) to `path`.
    /// - Throws: ``ConfigurationError`` when the file names another running process;
    ///   ``SystemError`` when it cannot be written.
    public static func create(at path: String, pid: Int32 = getpid()) throws -> PidFile {
        if let other = read(path), other != pid, kill(other, 0) == 0 || errno == EPERM {
            throw ConfigurationError("pidfile \(path) names process \(other), which is running: is another consumer using it?")
        }
        let temp = "\(path).\(pid).tmp"
        let descriptor = try systemCall("open \(temp)") { open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        let bytes = Array("\(pid)\n".utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let writeError = errno
        close(descriptor)
        guard written == bytes.count else {
            unlink(temp)
            throw SystemError(call: "write \(temp)", errno: written < 0 ? writeError : EIO)
        }
        do {
            try systemCall("rename \(temp) to \(path)") { rename(temp, path) }
        } catch {
            unlink(temp)
            throw error
        }
        return PidFile(path: path, pid: pid)
    }

    /// The pid in the file at `path`, or nil when it is missing or holds no pid.
    public static func read(_ path: String) -> Int32? {
        guard let text = ProcessTable.readSmallFile(path) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Removes the file if it still holds this pid (never another process's file).
    public func remove() {
        if Self.read(path) == pid { unlink(path) }
    }
}
