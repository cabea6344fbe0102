import Foundation

/// Reads facts about processes from `/proc`.
public enum ProcessInfoReader {
    /// The start time of process `pid` in clock ticks after boot (field 22 of
    /// `/proc/PID/stat`), or `nil` when no such process exists or it has already died
    /// (a zombie waiting to be reaped counts as gone).
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) is in parentheses and may hold spaces: skip past ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After ')' the fields start at field 3 (state); field 22 is index 19.
        guard fields.count > 19 else { return nil }
        // Field 3, the state: Z (zombie) and X (dead) are processes that no longer run.
        if fields[0] == "Z" || fields[0] == "X" { return nil }
        return UInt64(fields[19])
    }

    /// Reads a small file (such as one under /proc) as text; `nil` if it cannot be read.
    public static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
