import Foundation
import Synchronization

/// Storage held in this process's memory: for tests, immediate mode and thread workers.
///
/// Thread-safe. Nothing survives the process, and a forked child gets a private copy,
/// so process workers cannot share it.
public final class MemoryStorage: Storage, @unchecked Sendable {
    // @unchecked Sendable: every mutable field is only touched while holding `condition`.
    public let name: String
    /// A condition variable, not a `Mutex`: ``waitForWork(timeout:)`` must sleep until an
    /// enqueue by another thread wakes it (`broadcast`), which a `Mutex` cannot do.
    private let condition = NSCondition()
    private var queue: [(sequence: Int, priority: Double, data: [UInt8])] = []
    private var schedule: [(sequence: Int, timestamp: Double, data: [UInt8])] = []
    private var data: [String: [UInt8]] = [:]
    private var counters: [String: Int] = [:]
    private var claimed: [String: Claim] = [:]
    private var claimOrder: [String] = []
    private var dead: [DeadLetter] = []
    private var fleet: [String: FleetEntry] = [:]
    /// Statistics by minute, then task.
    private var tallies: [Int: [String: TaskCounters]] = [:]
    private var heldLocks: Set<String> = []
    private var sequence = 0
    private var changes = 0

    /// Makes an empty storage named `name`.
    public init(name: String) {
        self.name = name
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    private func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    /// Inserts keeping the queue sorted by priority desc, then FIFO. Caller holds the lock.
    private func insertQueued(_ bytes: [UInt8], priority: Double) {
        let entry = (sequence: nextSequence(), priority: priority, data: bytes)
        let index = queue.firstIndex { $0.priority < priority } ?? queue.endIndex
        queue.insert(entry, at: index)
        changes += 1
        condition.broadcast()
    }

    private func insertScheduled(_ bytes: [UInt8], timestamp: Double) {
        let entry = (sequence: nextSequence(), timestamp: timestamp, data: bytes)
        let index = schedule.firstIndex { $0.timestamp > timestamp } ?? schedule.endIndex
        schedule.insert(entry, at: index)
    }

    public func enqueue(_ data: [UInt8], priority: Double) throws {
        locked { insertQueued(data, priority: priority) }
    }

    public func enqueue(batch: [QueueItem]) throws {
        locked { for item in batch { insertQueued(item.data, priority: item.priority) } }
    }

    public func dequeue() throws -> [UInt8]? {
        locked { queue.isEmpty ? nil : queue.removeFirst().data }
    }

    public func queueSize() throws -> Int { locked { queue.count } }

    public func enqueuedItems(limit: Int?) throws -> [[UInt8]] {
        locked { queue.prefix(limit ?? Int.max).map(\.data) }
    }

    public func flushQueue() throws { locked { queue.removeAll() } }

    public func addToSchedule(_ data: [UInt8], timestamp: Double) throws {
        locked { insertScheduled(data, timestamp: timestamp) }
    }

    public func readSchedule(timestamp: Double) throws -> [[UInt8]] {
        locked {
            let due = schedule.prefix { $0.timestamp <= timestamp }
            schedule.removeFirst(due.count)
            return due.map(\.data)
        }
    }

    public func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int {
        locked {
            let due = schedule.prefix { $0.timestamp <= timestamp }
            schedule.removeFirst(due.count)
            for entry in due {
                let item = prepare(entry.data)
                insertQueued(item.data, priority: item.priority)
            }
            return due.count
        }
    }

    public func scheduledItems(limit: Int?) throws -> [[UInt8]] {
        locked { schedule.prefix(limit ?? Int.max).map(\.data) }
    }

    public func scheduleSize() throws -> Int { locked { schedule.count } }

    public func flushSchedule() throws { locked { schedule.removeAll() } }

    public func putData(key: String, value: [UInt8]) throws { locked { data[key] = value } }

    public func peekData(key: String) throws -> [UInt8]? { locked { data[key] } }

    public func popData(key: String) throws -> [UInt8]? { locked { data.removeValue(forKey: key) } }

    public func deleteData(key: String) throws -> Bool {
        locked { data.removeValue(forKey: key) != nil }
    }

    public func hasData(key: String) throws -> Bool { locked { data[key] != nil } }

    public func putIfEmpty(key: String, value: [UInt8]) throws -> Bool {
        locked {
            guard data[key] == nil else { return false }
            data[key] = value
            return true
        }
    }

    public func peekMany(keys: [String]) throws -> [[UInt8]?] { locked { keys.map { data[$0] } } }

    public func resultStoreSize() throws -> Int { locked { data.count } }

    public func resultItems() throws -> [String: [UInt8]] { locked { data } }

    public func flushResults() throws { locked { data.removeAll() } }

    public func increment(key: String, by amount: Int) throws -> Int {
        locked {
            let value = (counters[key] ?? 0) + amount
            counters[key] = value
            return value
        }
    }

    public func deleteCounter(key: String) throws { locked { _ = counters.removeValue(forKey: key) } }

    public func claim(owner: ClaimOwner, now: Double) throws -> Claim? {
        locked {
            guard !queue.isEmpty, fleet[FleetKeys.paused] == nil else { return nil }
            let entry = queue.removeFirst()
            let claim = Claim(
                token: String(entry.sequence), data: entry.data, priority: entry.priority, owner: owner,
                claimedAt: now)
            claimed[claim.token] = claim
            claimOrder.append(claim.token)
            return claim
        }
    }

    public func setDeadline(_ claim: Claim, deadline: Double?) throws {
        locked { claimed[claim.token]?.deadline = deadline }
    }

    public func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool {
        locked {
            guard removeClaim(claim.token) else { return false }
            for write in writes { apply(write) }
            return true
        }
    }

    public func release(_ claim: Claim) throws -> Bool {
        locked {
            guard removeClaim(claim.token) else { return false }
            insertQueued(claim.data, priority: claim.priority)
            return true
        }
    }

    private func removeClaim(_ token: String) -> Bool {
        guard claimed.removeValue(forKey: token) != nil else { return false }
        claimOrder.removeAll { $0 == token }
        return true
    }

    private func apply(_ write: StorageWrite) {
        switch write {
        case .put(let key, let value): data[key] = value
        case .enqueue(let bytes, let priority): insertQueued(bytes, priority: priority)
        case .schedule(let bytes, let timestamp): insertScheduled(bytes, timestamp: timestamp)
        case .dead(let bytes, let reason):
            let id = String(nextSequence())
            dead.append(DeadLetter(data: bytes, reason: reason, timestamp: Date().timeIntervalSince1970, id: id))
        case .completeChord(let completion):
            let values = completion.memberKeys.compactMap { data[$0] }
            guard values.count == completion.memberKeys.count else { return }
            for key in completion.memberKeys { data.removeValue(forKey: key) }
            apply(completion.callbackWrite(values: values))
            completion.outcome.markCompleted()
        case .tally(let tally):
            tallies[tally.minute, default: [:]][tally.task, default: TaskCounters()].add(tally.counters)
        }
    }

    public func statistics(since minute: Int) throws -> [StatsTally] {
        locked {
            tallies.filter { $0.key >= minute }.flatMap { minute, tasks in
                tasks.map { StatsTally(minute: minute, task: $0.key, counters: $0.value) }
            }.merged()
        }
    }

    public func addStatistics(_ tallies: [StatsTally]) throws {
        locked { for tally in tallies { apply(.tally(tally)) } }
    }

    public func pruneStatistics(before minute: Int) throws {
        locked { tallies = tallies.filter { $0.key >= minute } }
    }

    public func claims() throws -> [Claim] { locked { claimOrder.compactMap { claimed[$0] } } }

    public func addDead(_ data: [UInt8], reason: String) throws {
        locked { apply(.dead(data: data, reason: reason)) }
    }

    public func deadItems() throws -> [DeadLetter] { locked { dead } }

    public func flushDead() throws { locked { dead.removeAll() } }

    public func requeueDead(id: String, priority: Double) throws -> Bool {
        locked {
            guard let index = dead.firstIndex(where: { $0.id == id }) else { return false }
            insertQueued(dead.remove(at: index).data, priority: priority)
            return true
        }
    }

    public func discardDead(id: String) throws -> Bool {
        locked {
            guard let index = dead.firstIndex(where: { $0.id == id }) else { return false }
            dead.remove(at: index)
            return true
        }
    }

    // MARK: Fleet state

    /// ``claim(owner:now:)`` looks for the pause flag.
    public var claimsHonorPause: Bool { true }

    public func putFleetValue(key: String, value: [UInt8], expiresAt: Double?, onlyIfAbsent: Bool, now: Double) throws
        -> Bool
    {
        locked {
            if onlyIfAbsent, let existing = fleet[key], !existing.isExpired(at: now) { return false }
            fleet = fleet.filter { !$0.value.isExpired(at: now) }
            fleet[key] = FleetEntry(value: value, expiresAt: expiresAt)
            return true
        }
    }

    public func fleetValues(prefix: String, now: Double) throws -> [String: [UInt8]] {
        locked {
            var values: [String: [UInt8]] = [:]
            for (key, entry) in fleet where key.hasPrefix(prefix) && !entry.isExpired(at: now) { values[key] = entry.value }
            return values
        }
    }

    public func deleteFleetValue(key: String) throws -> Bool {
        locked {
            guard fleet.removeValue(forKey: key) != nil else { return false }
            if key == FleetKeys.paused {  // resumed: wake idle workers
                changes += 1
                condition.broadcast()
            }
            return true
        }
    }

    public func waitForWork(timeout: Double) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !queue.isEmpty { return true }
        let seen = changes
        let limit = Date(timeIntervalSinceNow: max(0, timeout))
        while changes == seen {
            if !condition.wait(until: limit) { return false }
        }
        return true
    }

    public func lock(named name: String) throws -> any TaskLock {
        MemoryLock(name: name, storage: self)
    }

    fileprivate func tryTake(_ lockName: String) -> Bool {
        locked { heldLocks.insert(lockName).inserted }
    }

    fileprivate func give(_ lockName: String) {
        locked { _ = heldLocks.remove(lockName) }
    }

    fileprivate func isTaken(_ lockName: String) -> Bool { locked { heldLocks.contains(lockName) } }

    public func flushAll() throws {
        locked {
            queue.removeAll()
            schedule.removeAll()
            data.removeAll()
            counters.removeAll()
            claimed.removeAll()
            claimOrder.removeAll()
            dead.removeAll()
            tallies.removeAll()
        }
    }

    public func closeConnections() {}
}

/// A lock in a ``MemoryStorage``'s in-process lock table.
final class MemoryLock: TaskLock {
    let name: String
    private let storage: MemoryStorage
    /// Whether this object holds the lock.
    private let holding = Mutex(false)

    init(name: String, storage: MemoryStorage) {
        self.name = name
        self.storage = storage
    }

    func tryAcquire() throws -> Bool {
        holding.withLock { holding in
            guard !holding, storage.tryTake(name) else { return false }
            holding = true
            return true
        }
    }

    func release() {
        holding.withLock { holding in
            guard holding else { return }
            holding = false
            storage.give(name)
        }
    }

    func isHeld() throws -> Bool { storage.isTaken(name) }
}
