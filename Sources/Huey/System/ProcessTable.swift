import Foundation

/// The one reader of `/proc`: processes (pid, parent, state, start time), their command
/// lines, children and descriptors, and the machine's boot id. Claims use it to tell a
/// live owner from a dead one; the consumer, the bench, the demo and the tests use it to
/// find and watch processes. Resource figures (memory, CPU) are in `ProcessTable+Usage.swift`.
package enum ProcessTable {
    /// The entry of `pid`, or nil when there is no such process.
    package static func entry(_ pid: Int32) -> ProcessEntry? {
        guard let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) is in parentheses and may hold spaces: skip past ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ')' the fields start at field 3 (state), 4 (ppid), … 22 (start time, index 19).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
            let start = UInt64(fields[19])
        else { return nil }
        return ProcessEntry(pid: pid, parent: parent, startTime: start, state: state)
    }

    /// The start time of `pid` in clock ticks after boot, or `nil` when no such process
    /// runs (one that exited and waits to be reaped counts as gone).
    package static func startTime(of pid: Int32) -> UInt64? {
        guard let entry = entry(pid), !entry.hasExited else { return nil }
        return entry.startTime
    }

    /// Every process id in `/proc`.
    package static func pids() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }

    /// The running (not exited) children of `pid`, found by their parent field (kernels
    /// without `CONFIG_PROC_CHILDREN` have no `/proc/<pid>/task/<tid>/children`).
    package static func children(of pid: Int32) -> [ProcessEntry] {
        pids().compactMap { entry($0) }.filter { $0.parent == pid && !$0.hasExited }
    }

    /// The arguments `pid` was started with, the program first; nil when it is gone.
    package static func commandLine(of pid: Int32) -> [String]? {
        readSmallFile("/proc/\(pid)/cmdline")?.split(separator: "\0").map(String.init)
    }

    /// Running processes with an argument that `matches` — the consumer master and its
    /// forked workers all carry their storage's path.
    package static func running(withArgument matches: (String) -> Bool) -> [ProcessEntry] {
        pids().compactMap { pid -> ProcessEntry? in
            guard let arguments = commandLine(of: pid), arguments.contains(where: matches),
                let entry = entry(pid), !entry.hasExited
            else { return nil }
            return entry
        }
    }

    /// Running processes with an argument equal to `argument`.
    package static func running(withArgument argument: String) -> [ProcessEntry] {
        running { $0 == argument }
    }

    /// What the open descriptors of `pid` point at, sorted, with the numbers of pipes,
    /// sockets and anonymous inodes dropped (`pipe`, `socket`, `anon_inode:inotify`, …), so
    /// that two processes — or one before and after an `exec` — can be compared.
    package static func descriptors(of pid: Int32) -> [String] {
        let directory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)")
            else { return nil }
            if let bracket = target.firstIndex(of: ":"), target.hasSuffix("]") { return String(target[..<bracket]) }
            return target
        }.sorted()
    }

    /// The kernel's boot id (`/proc/sys/kernel/random/boot_id`), nil when unreadable.
    package static var bootID: String? {
        readSmallFile("/proc/sys/kernel/random/boot_id")?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The name of the calling thread (`/proc/thread-self/comm`), nil when unreadable.
    package static var currentThreadName: String? {
        readSmallFile("/proc/thread-self/comm")?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reads a small file (such as one under /proc) as text; `nil` if it cannot be read.
    package static func readSmallFile(_ path: String) -> String? {
        guard let fd = try? System.call("open", { open(path, O_RDONLY | O_CLOEXEC) }) else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = (try? buffer.withUnsafeMutableBytes { chunk throws(SystemError) in
                try System.call("read") { read(fd, chunk.baseAddress, chunk.count) }
            }) ?? 0
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
