import Foundation
import Huey

/// One process as `/proc/<pid>/stat` describes it (shared by the process tests and the
/// chaos driver). The start time tells a process apart
/// from a later one that reuses its pid.
public struct ProcessEntry: Hashable, Sendable, CustomStringConvertible {
    public var pid: Int32
    public var parent: Int32
    public var startTime: UInt64
    /// `R`, `S`, `D`, `T`, `Z` (exited, not reaped), …
    public var state: Character

    /// Whether this very process (same pid and start time) is still running; a zombie has
    /// exited and does not count.
    public var isRunning: Bool {
        guard let now = ProcessTable.entry(pid) else { return false }
        return now.startTime == startTime && now.state != "Z" && now.state != "X"
    }

    public var description: String { "\(pid)" }

    // The same process whatever its state: compare pid and start time only.
    public static func == (lhs: ProcessEntry, rhs: ProcessEntry) -> Bool {
        lhs.pid == rhs.pid && lhs.startTime == rhs.startTime
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pid)
        hasher.combine(startTime)
    }
}

/// Reads the process table from `/proc` (this kernel has no `/proc/<pid>/task/<pid>/children`).
public enum ProcessTable {
    /// The entry of `pid`, or nil when there is no such process.
    public static func entry(_ pid: Int32) -> ProcessEntry? {
        guard let text = ProcessInfoReader.readSmallFile("/proc/\(pid)/stat"),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // After the command name in parentheses: field 3 (state), 4 (ppid), … 22 (start time).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
            let start = UInt64(fields[19])
        else { return nil }
        return ProcessEntry(pid: pid, parent: parent, startTime: start, state: state)
    }

    /// Every process id in `/proc`.
    public static func pids() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
    }

    /// The running (not zombie) children of `pid`.
    public static func children(of pid: Int32) -> [ProcessEntry] {
        pids().compactMap { entry($0) }.filter { $0.parent == pid && $0.state != "Z" && $0.state != "X" }
    }

    /// What the open descriptors of `pid` point at, sorted, with the numbers of pipes,
    /// sockets and anonymous inodes dropped (`pipe`, `socket`, …), so that two processes — or
    /// one process before and after an `exec` — can be compared for leaked descriptors.
    public static func descriptors(of pid: Int32) -> [String] {
        let directory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)")
            else { return nil }
            if let bracket = target.firstIndex(of: ":"), target.hasSuffix("]") { return String(target[..<bracket]) }
            return target
        }.sorted()
    }

    /// Running processes whose command line has an argument equal to `argument` — the
    /// consumer master and its forked workers all carry the test's database path.
    public static func running(withArgument argument: String) -> [ProcessEntry] {
        pids().compactMap { pid -> ProcessEntry? in
            guard let line = ProcessInfoReader.readSmallFile("/proc/\(pid)/cmdline"),
                line.split(separator: "\0").contains(where: { $0 == argument }),
                let entry = entry(pid), entry.state != "Z", entry.state != "X"
            else { return nil }
            return entry
        }
    }
}
