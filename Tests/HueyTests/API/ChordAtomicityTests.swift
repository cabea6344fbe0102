import Foundation
import Huey
import Synchronization
import Testing

/// A storage that forwards to another and "dies" after the `occurrence`-th call named
/// `dieAfter`: that call goes through, then every later call fails, as if the process was
/// killed right there.
final class DyingStorage: Storage {
    let inner: any Storage
    private let dieAfter: String
    private let state: Mutex<(left: Int, dead: Bool)>

    struct Killed: Error {}

    init(_ inner: any Storage, dieAfter: String, occurrence: Int) {
        self.inner = inner
        self.dieAfter = dieAfter
        state = Mutex((occurrence, false))
    }

    private func call<T>(_ name: String, _ body: () throws -> T) throws -> T {
        if state.withLock({ $0.dead }) { throw Killed() }
        let value = try body()
        if name == dieAfter {
            state.withLock { state in
                state.left -= 1
                if state.left == 0 { state.dead = true }
            }
        }
        return value
    }

    var name: String { inner.name }
    func enqueue(_ data: [UInt8], priority: Double) throws { try call("enqueue") { try inner.enqueue(data, priority: priority) } }
    func enqueue(batch: [QueueItem]) throws { try call("enqueue") { try inner.enqueue(batch: batch) } }
    func dequeue() throws -> [UInt8]? { try call("dequeue") { try inner.dequeue() } }
    func queueSize() throws -> Int { try call("queueSize") { try inner.queueSize() } }
    func enqueuedItems(limit: Int?) throws -> [[UInt8]] { try call("items") { try inner.enqueuedItems(limit: limit) } }
    func flushQueue() throws { try call("flush") { try inner.flushQueue() } }
    func addToSchedule(_ data: [UInt8], timestamp: Double) throws {
        try call("addToSchedule") { try inner.addToSchedule(data, timestamp: timestamp) }
    }
    func readSchedule(timestamp: Double) throws -> [[UInt8]] { try call("read") { try inner.readSchedule(timestamp: timestamp) } }
    func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int {
        try call("promote") { try inner.promoteDue(timestamp: timestamp, prepare: prepare) }
    }
    func scheduledItems(limit: Int?) throws -> [[UInt8]] { try call("items") { try inner.scheduledItems(limit: limit) } }
    func scheduleSize() throws -> Int { try call("size") { try inner.scheduleSize() } }
    func flushSchedule() throws { try call("flush") { try inner.flushSchedule() } }
    func putData(key: String, value: [UInt8]) throws { try call("putData") { try inner.putData(key: key, value: value) } }
    func peekData(key: String) throws -> [UInt8]? { try call("peekData") { try inner.peekData(key: key) } }
    func popData(key: String) throws -> [UInt8]? { try call("popData") { try inner.popData(key: key) } }
    func deleteData(key: String) throws -> Bool { try call("deleteData") { try inner.deleteData(key: key) } }
    func hasData(key: String) throws -> Bool { try call("hasData") { try inner.hasData(key: key) } }
    func putIfEmpty(key: String, value: [UInt8]) throws -> Bool {
        try call("putIfEmpty") { try inner.putIfEmpty(key: key, value: value) }
    }
    func peekMany(keys: [String]) throws -> [[UInt8]?] { try call("peekMany") { try inner.peekMany(keys: keys) } }
    func resultStoreSize() throws -> Int { try call("size") { try inner.resultStoreSize() } }
    func resultItems() throws -> [String: [UInt8]] { try call("items") { try inner.resultItems() } }
    func flushResults() throws { try call("flush") { try inner.flushResults() } }
    func increment(key: String, by amount: Int) throws -> Int { try call("increment") { try inner.increment(key: key, by: amount) } }
    func deleteCounter(key: String) throws { try call("deleteCounter") { try inner.deleteCounter(key: key) } }
    func claim(owner: ClaimOwner, now: Double) throws -> Claim? { try call("claim") { try inner.claim(owner: owner, now: now) } }
    func setDeadline(_ claim: Claim, deadline: Double?) throws {
        try call("setDeadline") { try inner.setDeadline(claim, deadline: deadline) }
    }
    func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool { try call("ack") { try inner.ack(claim, writes: writes) } }
    func release(_ claim: Claim) throws -> Bool { try call("release") { try inner.release(claim) } }
    func claims() throws -> [Claim] { try call("claims") { try inner.claims() } }
    func addDead(_ data: [UInt8], reason: String) throws { try call("addDead") { try inner.addDead(data, reason: reason) } }
    func deadItems() throws -> [DeadLetter] { try call("deadItems") { try inner.deadItems() } }
    func flushDead() throws { try call("flush") { try inner.flushDead() } }
    func waitForWork(timeout: Double) throws -> Bool { try call("wait") { try inner.waitForWork(timeout: timeout) } }
    func lock(named name: String) throws -> any TaskLock { try call("lock") { try inner.lock(named: name) } }
    func flushAll() throws { try call("flush") { try inner.flushAll() } }
    func closeConnections() { inner.closeConnections() }
}

@Suite("Chord completion is part of the last member's ack")
struct ChordAtomicityTests {
    @Test(
        "a worker dying right after the last member's ack (and after a marker write) loses no chord callback",
        arguments: StorageBackend.testable)
    func dyingAfterAck(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let inner = try backend.make(name: "chord", in: place)
        // The old completion wrote a put-if-empty marker after the ack: die right after it;
        // had no marker been written, the ack is the last call before the "kill".
        for (dieAfter, occurrence) in [("putIfEmpty", 1), ("ack", 2)] {
            try inner.flushAll()
            let producer = Huey(name: "chord", storage: inner)
            let add = producer.task("add") { (a: Int, b: Int) in a + b }
            let total = producer.task("total") { (values: [Int]) in values.reduce(0, +) }
            let result = try producer.enqueue(group([add.s(1, 2), add.s(3, 4)]).then(total), as: Int.self)

            // The worker runs both members, and "dies" after the chosen call of the second.
            let dying = DyingStorage(inner, dieAfter: dieAfter, occurrence: occurrence)
            let worker = Huey(name: "chord", storage: dying)
            _ = worker.task("add") { (a: Int, b: Int) in a + b }
            _ = worker.task("total") { (values: [Int]) in values.reduce(0, +) }
            let owner = ClaimOwner.current
            try #require(try worker.processNext(owner: owner, in: worker.storage))
            do {
                _ = try worker.processNext(owner: owner, in: worker.storage)
            } catch is DyingStorage.Killed {}

            // A new worker (the respawned one) recovers what was left and drains the queue.
            for claim in try inner.claims() { try inner.release(claim) }
            while try producer.processNext(owner: owner, in: inner) {}
            #expect(try result() == 10, "\(backend), dying after \(dieAfter)")
            #expect(try inner.resultItems().keys.filter { $0.hasPrefix("chord:") }.isEmpty)
        }
    }

    /// A signer for tests: a fixed prefix, refused when missing.
    struct PrefixSigner: MessageSigner {
        func sign(_ payload: [UInt8]) -> [UInt8] { Array("signed:".utf8) + payload }
        func verify(_ signed: [UInt8]) throws -> [UInt8] {
            let prefix = Array("signed:".utf8)
            guard signed.starts(with: prefix) else { throw SignatureError(reason: "no signature") }
            return Array(signed.dropFirst(prefix.count))
        }
    }

    @Test("with a message signer, the chord callback is signed after the values are in", arguments: StorageBackend.testable)
    func signedChord(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "chord", in: place)
        let huey = Huey(name: "chord", storage: storage)
        huey.messageSigner = PrefixSigner()
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        let total = huey.task("total") { (values: [Int]) in values.reduce(0, +) }
        let result = try huey.enqueue(group([add.s(1, 2), add.s(3, 4), add.s(5, 6)]).then(total), as: Int.self)
        while try huey.processNext(owner: .current, in: storage) {}
        #expect(try result() == 21)
        #expect(try storage.deadItems().isEmpty)
    }
}
