/// How much a queue holds now: what the `stats` command's first table and the dashboard's
/// overview show (``Huey/queueCounts()``).
public struct QueueCounts: Sendable, Hashable {
    /// Calls waiting in the queue.
    public var pending: Int
    /// Calls waiting for their eta.
    public var scheduled: Int
    /// Calls a worker has claimed and not yet finished (running).
    public var claimed: Int
    /// Keys in the result store (results, and Huey's other stored keys such as revocations).
    public var results: Int
    /// Messages that could not be run.
    public var dead: Int
    /// The storage's size on this machine's disk; nil for storages elsewhere or in memory.
    public var disk: DiskUsage?

    /// Makes counts.
    public init(pending: Int, scheduled: Int, claimed: Int, results: Int, dead: Int, disk: DiskUsage?) {
        self.pending = pending
        self.scheduled = scheduled
        self.claimed = claimed
        self.results = results
        self.dead = dead
        self.disk = disk
    }
}

extension Huey {
    /// The queue's counts now, read one after the other (not one snapshot).
    /// - Throws: ``StorageError`` when the storage cannot be read.
    public func queueCounts() throws -> QueueCounts {
        let storage = self.storage
        return QueueCounts(
            pending: try storage.queueSize(), scheduled: try storage.scheduleSize(), claimed: try storage.claims().count,
            results: try storage.resultStoreSize(), dead: try storage.deadItems().count, disk: try storage.diskUsage())
    }
}
