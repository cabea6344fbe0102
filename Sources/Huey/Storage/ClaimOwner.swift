import Foundation

/// A process that owns claims: the machine it runs on, its pid, and its start time, so a
/// reused pid is not mistaken for the original owner.
public struct ClaimOwner: Sendable, Hashable, CustomStringConvertible {
    /// The machine (and boot) the process runs on: ``localHost`` for this one. Storages
    /// that only one machine can reach (SQLite, files, memory) do not store it.
    public var host: String
    /// The process id.
    public var pid: Int32
    /// The process start time in clock ticks since boot (field 22 of /proc/PID/stat).
    public var startTime: UInt64

    /// Makes an owner; `host` defaults to this machine.
    public init(pid: Int32, startTime: UInt64, host: String = ClaimOwner.localHost) {
        self.host = host
        self.pid = pid
        self.startTime = startTime
    }

    /// The calling process.
    public static var current: ClaimOwner {
        let pid = getpid()
        return ClaimOwner(pid: pid, startTime: ProcessTable.startTime(of: pid) ?? 0)
    }

    /// This machine and boot: the host name and the kernel's boot id, so that claims made
    /// before a reboot (when pids start over) are never taken for claims of live processes.
    /// Containers with their own host name count as machines of their own, as their pids do.
    public static let localHost: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        let name = gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        let boot = ProcessTable.bootID ?? ""
        return boot.isEmpty ? name : "\(name)/\(boot.prefix(8))"
    }()

    /// Whether the owner runs on this machine (so ``isAlive`` can look it up in /proc).
    public var isLocal: Bool { host == Self.localHost }

    /// Whether this exact process (same machine, pid and start time) is still running.
    /// For an owner on another machine this cannot be known here and is `false`; storages
    /// shared between machines answer with ``Storage/isAlive(_:)`` instead.
    public var isAlive: Bool {
        guard isLocal, let start = ProcessTable.startTime(of: pid) else { return false }
        return start == startTime
    }

    public var description: String { isLocal ? "pid \(pid)" : "pid \(pid) on \(host)" }
}
