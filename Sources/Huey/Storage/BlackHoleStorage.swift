import Foundation

/// Storage that keeps nothing: every write vanishes and every read is empty.
/// Useful for benchmarking the producer side and for disabling a Huey.
public final class BlackHoleStorage: Storage {
    public let name: String

    /// Makes a black hole named `name`.
    public init(name: String) { self.name = name }

    public func enqueue(_ data: [UInt8], priority: Double) throws {}
    public func enqueue(batch: [QueueItem]) throws {}
    public func dequeue() throws -> [UInt8]? { nil }
    public func queueSize() throws -> Int { 0 }
    public func enqueuedItems(limit: Int?) throws -> [[UInt8]] { [] }
    public func flushQueue() throws {}
    public func addToSchedule(_ data: [UInt8], timestamp: Double) throws {}
    public func readSchedule(timestamp: Double) throws -> [[UInt8]] { [] }
    public func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int { 0 }
    public func scheduledItems(limit: Int?) throws -> [[UInt8]] { [] }
    public func scheduleSize() throws -> Int { 0 }
    public func flushSchedule() throws {}
    public func putData(key: String, value: [UInt8]) throws {}
    public func peekData(key: String) throws -> [UInt8]? { nil }
    public func popData(key: String) throws -> [UInt8]? { nil }
    public func deleteData(key: String) throws -> Bool { false }
    public func hasData(key: String) throws -> Bool { false }
    public func putIfEmpty(key: String, value: [UInt8]) throws -> Bool { true }
    public func peekMany(keys: [String]) throws -> [[UInt8]?] { keys.map { _ in nil } }
    public func resultStoreSize() throws -> Int { 0 }
    public func resultItems() throws -> [String: [UInt8]] { [:] }
    public func flushResults() throws {}
    public func increment(key: String, by amount: Int) throws -> Int { amount }
    public func deleteCounter(key: String) throws {}
    public func claim(owner: ClaimOwner, now: Double) throws -> Claim? { nil }
    public func setDeadline(_ claim: Claim, deadline: Double?) throws {}
    public func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool { false }
    public func release(_ claim: Claim) throws -> Bool { false }
    public func claims() throws -> [Claim] { [] }
    public func addDead(_ data: [UInt8], reason: String) throws {}
    public func deadItems() throws -> [DeadLetter] { [] }
    public func flushDead() throws {}

    public func waitForWork(timeout: Double) throws -> Bool {
        if timeout > 0 { usleep(UInt32(min(timeout, 3600) * 1_000_000)) }
        return false
    }

    public func lock(named name: String) throws -> any TaskLock { BlackHoleLock(name: name) }
    public func flushAll() throws {}
    public func closeConnections() {}
}

/// A lock that is always free: a black hole shares nothing.
final class BlackHoleLock: TaskLock {
    let name: String
    init(name: String) { self.name = name }
    func tryAcquire() throws -> Bool { true }
    func release() {}
    func isHeld() throws -> Bool { false }
}
