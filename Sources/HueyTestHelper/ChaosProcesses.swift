import Foundation
import Huey

/// One process as `/proc/<pid>/stat` shows it (pid, parent, state, start time).
struct ChaosProcess: Hashable, Sendable {
    var pid: Int32
    var parent: Int32
    /// Start time in clock ticks since boot: tells this process from a later one reusing its pid.
    var startTime: UInt64
    /// `R`, `S`, `Z` (exited, not yet reaped), …
    var state: Character

    /// Whether this very process still runs (a zombie does not).
    var isRunning: Bool {
        guard let now = ChaosProcesses.entry(pid) else { return false }
        return now.startTime == startTime && now.state != "Z" && now.state != "X"
    }

    static func == (lhs: ChaosProcess, rhs: ChaosProcess) -> Bool {
        lhs.pid == rhs.pid && lhs.startTime == rhs.startTime
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(pid)
        hasher.combine(startTime)
    }
}

/// Reads the process table from `/proc` for the chaos driver.
enum ChaosProcesses {
    /// The entry of `pid`, or nil when there is none.
    static func entry(_ pid: Int32) -> ChaosProcess? {
        guard let text = ProcessInfoReader.readSmallFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")")
        else { return nil }
        // After the command name: field 3 (state), 4 (ppid), …, 22 (start time).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
            let start = UInt64(fields[19])
        else { return nil }
        return ChaosProcess(pid: pid, parent: parent, startTime: start, state: state)
    }

    /// Every live (not zombie) process.
    static func all() -> [ChaosProcess] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { Int32($0).flatMap(entry) }.filter { $0.state != "Z" && $0.state != "X" }
    }

    /// The live children of `pid`.
    static func children(of pid: Int32) -> [ChaosProcess] {
        all().filter { $0.parent == pid }
    }

    /// Live processes with an argument equal to `argument` on their command line (a
    /// consumer master and its forked workers all carry their storage path).
    static func running(withArgument argument: String) -> [ChaosProcess] {
        all().filter { process in
            guard let line = ProcessInfoReader.readSmallFile("/proc/\(process.pid)/cmdline") else { return false }
            return line.split(separator: "\0").contains { $0 == argument }
        }
    }

    /// The path of this executable.
    static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
