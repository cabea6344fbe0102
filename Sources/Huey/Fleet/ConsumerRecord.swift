import Foundation

/// What a consumer master says about itself in the registry of live consumers (see
/// ``Huey/registerConsumer(_:ttl:)``). Stored as JSON with these field names.
public struct ConsumerRecord: Codable, Sendable, Hashable {
    /// The machine (``ClaimOwner/localHost``: host name and boot).
    public var host: String
    /// The master's pid.
    public var pid: Int32
    /// The master's start time in clock ticks since boot (with `pid`, its identity).
    public var processStart: UInt64
    /// When the master started (Unix seconds).
    public var startedAt: Double
    /// The program's or library's version, as the master reports it.
    public var version: String
    /// `process` or `thread`.
    public var workerType: String
    /// How many workers it is configured for (`-w`).
    public var workerCount: Int
    /// The pids of its worker processes (empty for thread workers, which share `pid`).
    public var workerPids: [Int32]
    /// The queue name.
    public var queue: String
    /// The storage, as a person would name it (type and file, folder or server).
    public var storage: String
    /// When it last said it was alive (Unix seconds).
    public var heartbeat: Double

    /// Makes a record.
    public init(
        host: String = ClaimOwner.localHost, pid: Int32, processStart: UInt64, startedAt: Double, version: String,
        workerType: String, workerCount: Int, workerPids: [Int32], queue: String, storage: String, heartbeat: Double
    ) {
        self.host = host
        self.pid = pid
        self.processStart = processStart
        self.startedAt = startedAt
        self.version = version
        self.workerType = workerType
        self.workerCount = workerCount
        self.workerPids = workerPids
        self.queue = queue
        self.storage = storage
        self.heartbeat = heartbeat
    }

    /// The master as a process (for liveness checks and its registry key).
    public var owner: ClaimOwner { ClaimOwner(pid: pid, startTime: processStart, host: host) }
}

/// A registered consumer with what each of its workers runs now, read from the storage's
/// claims (see ``Huey/consumerStatuses(now:)``).
public struct ConsumerStatus: Sendable, Hashable {
    /// The consumer's own record.
    public var record: ConsumerRecord
    /// Its workers: the worker pids of the record (or the master's pid for thread
    /// workers), each with the call it holds.
    public var workers: [WorkerStatus]
}

/// One worker of a registered consumer and the call it runs, if any.
public struct WorkerStatus: Sendable, Hashable {
    /// The worker's pid.
    public var pid: Int32
    /// The running call's task name (nil: idle, or the message does not decode).
    public var task: String?
    /// The running call's id.
    public var callID: String?
    /// When it took the call (Unix seconds).
    public var since: Double?
}
