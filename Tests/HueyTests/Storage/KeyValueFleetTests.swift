import Foundation
import Huey
import Testing

/// A storage with Huey's primitives only (a MemoryStorage behind it, the fleet and
/// dead-letter methods left to the protocol's defaults): what a storage gets before it
/// keeps fleet state of its own.
private final class PrimitivesOnlyStorage: Storage {
    let inner = MemoryStorage(name: "q")
    var name: String { inner.name }
    func enqueue(_ data: [UInt8], priority: Double) throws { try inner.enqueue(data, priority: priority) }
    func enqueue(batch: [QueueItem]) throws { try inner.enqueue(batch: batch) }
    func dequeue() throws -> [UInt8]? { try inner.dequeue() }
    func queueSize() throws -> Int { try inner.queueSize() }
    func enqueuedItems(limit: Int?) throws -> [[UInt8]] { try inner.enqueuedItems(limit: limit) }
    func flushQueue() throws { try inner.flushQueue() }
    func addToSchedule(_ data: [UInt8], timestamp: Double) throws { try inner.addToSchedule(data, timestamp: timestamp) }
    func readSchedule(timestamp: Double) throws -> [[UInt8]] { try inner.readSchedule(timestamp: timestamp) }
    func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int {
        try inner.promoteDue(timestamp: timestamp, prepare: prepare)
    }
    func scheduledItems(limit: Int?) throws -> [[UInt8]] { try inner.scheduledItems(limit: limit) }
    func scheduleSize() throws -> Int { try inner.scheduleSize() }
    func flushSchedule() throws { try inner.flushSchedule() }
    func putData(key: String, value: [UInt8]) throws { try inner.putData(key: key, value: value) }
    func peekData(key: String) throws -> [UInt8]? { try inner.peekData(key: key) }
    func popData(key: String) throws -> [UInt8]? { try inner.popData(key: key) }
    func deleteData(key: String) throws -> Bool { try inner.deleteData(key: key) }
    func hasData(key: String) throws -> Bool { try inner.hasData(key: key) }
    func putIfEmpty(key: String, value: [UInt8]) throws -> Bool { try inner.putIfEmpty(key: key, value: value) }
    func peekMany(keys: [String]) throws -> [[UInt8]?] { try inner.peekMany(keys: keys) }
    func resultStoreSize() throws -> Int { try inner.resultStoreSize() }
    func resultItems() throws -> [String: [UInt8]] { try inner.resultItems() }
    func flushResults() throws { try inner.flushResults() }
    func increment(key: String, by amount: Int) throws -> Int { try inner.increment(key: key, by: amount) }
    func deleteCounter(key: String) throws { try inner.deleteCounter(key: key) }
    func claim(owner: ClaimOwner, now: Double) throws -> Claim? { try inner.claim(owner: owner, now: now) }
    func setDeadline(_ claim: Claim, deadline: Double?) throws { try inner.setDeadline(claim, deadline: deadline) }
    func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool { try inner.ack(claim, writes: writes) }
    func release(_ claim: Claim) throws -> Bool { try inner.release(claim) }
    func claims() throws -> [Claim] { try inner.claims() }
    func addDead(_ data: [UInt8], reason: String) throws { try inner.addDead(data, reason: reason) }
    func deadItems() throws -> [DeadLetter] { try inner.deadItems() }
    func flushDead() throws { try inner.flushDead() }
    func waitForWork(timeout: Double) throws -> Bool { try inner.waitForWork(timeout: timeout) }
    func lock(named name: String) throws -> any TaskLock { try inner.lock(named: name) }
    func flushAll() throws { try inner.flushAll() }
    func closeConnections() {}
}

@Suite("Fleet state through the protocol's defaults (key/value data)")
struct KeyValueFleetTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("put-if-absent, expiry, prefix listing and delete, kept under huey.fleet. keys")
    func defaults() throws {
        let storage = PrimitivesOnlyStorage()
        let now = 1_000.0
        #expect(try storage.putFleetValue(key: "slot.a", value: bytes("1"), expiresAt: now + 60, onlyIfAbsent: true, now: now))
        #expect(!(try storage.putFleetValue(key: "slot.a", value: bytes("2"), expiresAt: now + 60, onlyIfAbsent: true, now: now)))
        #expect(try storage.fleetValues(prefix: "slot.", now: now) == ["slot.a": bytes("1")])
        // Expired by the caller's clock: hidden, and replaced by the next put-if-absent.
        #expect(try storage.fleetValues(prefix: "slot.", now: now + 61).isEmpty)
        #expect(try storage.putFleetValue(key: "slot.a", value: bytes("3"), expiresAt: now + 200, onlyIfAbsent: true, now: now + 61))
        #expect(try storage.fleetValues(prefix: "slot.", now: now + 61) == ["slot.a": bytes("3")])
        #expect(try storage.putFleetValue(key: "other", value: bytes("x"), expiresAt: nil, onlyIfAbsent: false, now: now))
        #expect(Set(try storage.resultItems().keys) == ["huey.fleet.slot.a", "huey.fleet.other"])
        #expect(try storage.deleteFleetValue(key: "slot.a"))
        #expect(Set(try storage.fleetValues(prefix: "", now: now).keys) == ["other"])
    }

    @Test("periodic slots and the registry work; pause and single dead-letter actions refuse clearly")
    func whatWorksAndWhatRefuses() throws {
        let storage = PrimitivesOnlyStorage()
        let huey = Huey(name: "q", storage: storage)
        let minute = Date(timeIntervalSince1970: 6_000)
        #expect(try huey.claimPeriodicSlot(task: "t", minute: minute, now: minute))
        #expect(!(try huey.claimPeriodicSlot(task: "t", minute: minute, now: minute)))
        #expect(!storage.claimsHonorPause)
        #expect { try huey.pause() } throws: { ($0 as? StorageError)?.code == .unsupported }
        #expect(!(try huey.isPaused))
        try storage.addDead(bytes("m"), reason: "r")
        let id = try #require(try storage.deadItems().first?.id)
        #expect { try storage.requeueDead(id: id, priority: 0) } throws: { ($0 as? StorageError)?.code == .unsupported }
        #expect { try storage.discardDead(id: id) } throws: { ($0 as? StorageError)?.code == .unsupported }
        #expect(try storage.deadItems().count == 1)
    }
}
