/// One process as `/proc/<pid>/stat` describes it: its pid, parent, state and start time.
/// The start time tells a process apart from a later one that reuses its pid.
package struct ProcessEntry: Hashable, Sendable, CustomStringConvertible {
    /// The process id.
    package var pid: Int32
    /// The parent's process id.
    package var parent: Int32
    /// The start time in clock ticks after boot (field 22 of `/proc/<pid>/stat`).
    package var startTime: UInt64
    /// `R`, `S`, `D`, `T`, `Z` (exited, not reaped), `X` (dead), …
    package var state: Character

    /// Makes an entry.
    package init(pid: Int32, parent: Int32, startTime: UInt64, state: Character) {
        self.pid = pid
        self.parent = parent
        self.startTime = startTime
        self.state = state
    }

    /// Whether the process had exited when it was read (a zombie waiting to be reaped, or dead).
    package var hasExited: Bool { state == "Z" || state == "X" }

    /// Whether this very process (same pid and start time) is still running now; a zombie
    /// has exited and does not count.
    package var isRunning: Bool {
        guard let now = ProcessTable.entry(pid) else { return false }
        return now.startTime == startTime && !now.hasExited
    }

    package var description: String { "\(pid)" }

    /// The same process whatever its state: compares pid and start time only.
    package static func == (lhs: ProcessEntry, rhs: ProcessEntry) -> Bool {
        lhs.pid == rhs.pid && lhs.startTime == rhs.startTime
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(pid)
        hasher.combine(startTime)
    }
}
