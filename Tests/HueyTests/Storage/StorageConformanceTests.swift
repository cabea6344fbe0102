import Foundation
import Huey
import Testing

/// One suite, every storage: the primitives of DESIGN §4 behave the same on each backend.
@Suite("Storage conformance")
struct StorageConformanceTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func texts(_ items: [[UInt8]]) -> [String] { items.map { String(decoding: $0, as: UTF8.self) } }
    private let owner = ClaimOwner(pid: 4242, startTime: 7)

    @Test("dequeue order is priority desc, then FIFO", arguments: StorageBackend.testable)
    func queueOrder(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.enqueue(bytes("p0-a"), priority: 0)
        try storage.enqueue(bytes("p1"), priority: 1)
        try storage.enqueue(bytes("p90"), priority: 90)
        try storage.enqueue(bytes("p0-b"), priority: 0)
        try storage.enqueue(bytes("p50"), priority: 50)
        try storage.enqueue(bytes("p10"), priority: 10)
        try storage.enqueue(bytes("p-5"), priority: -5)
        try storage.enqueue(bytes("p0-c"), priority: 0)
        #expect(try storage.queueSize() == 8)
        let expected =
            backend.honorsPriority
            ? ["p90", "p50", "p10", "p1", "p0-a", "p0-b", "p0-c", "p-5"]
            : ["p0-a", "p1", "p90", "p0-b", "p50", "p10", "p-5", "p0-c"]
        #expect(texts(try storage.enqueuedItems(limit: nil)) == expected)
        #expect(texts(try storage.enqueuedItems(limit: 2)) == Array(expected.prefix(2)))
        var seen: [String] = []
        while let item = try storage.dequeue() { seen.append(String(decoding: item, as: UTF8.self)) }
        #expect(seen == expected)
        #expect(try storage.queueSize() == 0)
        #expect(try storage.dequeue() == nil)
    }

    @Test("batch enqueue adds all, in order", arguments: StorageBackend.testable)
    func batchEnqueue(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.enqueue(batch: (0..<50).map { QueueItem(data: bytes("m\($0)"), priority: 0) })
        try storage.enqueue(batch: [])
        #expect(try storage.queueSize() == 50)
        #expect(texts(try storage.enqueuedItems(limit: 3)) == ["m0", "m1", "m2"])
        try storage.flushQueue()
        #expect(try storage.queueSize() == 0)
    }

    @Test("binary payloads round-trip unchanged", arguments: StorageBackend.testable)
    func binaryPayloads(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        let payload: [UInt8] = [0, 255, 10, 13, 0, 47, 92, 1]
        try storage.enqueue(payload, priority: 0)
        #expect(try storage.dequeue() == payload)
        try storage.putData(key: "k/with slash", value: payload)
        #expect(try storage.peekData(key: "k/with slash") == payload)
    }

    @Test("schedule returns and removes only due items", arguments: StorageBackend.testable)
    func schedule(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.addToSchedule(bytes("t30"), timestamp: 1030)
        try storage.addToSchedule(bytes("t10"), timestamp: 1010)
        try storage.addToSchedule(bytes("t20"), timestamp: 1020)
        try storage.addToSchedule(bytes("t20b"), timestamp: 1020)
        #expect(try storage.scheduleSize() == 4)
        #expect(texts(try storage.scheduledItems(limit: nil)) == ["t10", "t20", "t20b", "t30"])
        #expect(texts(try storage.scheduledItems(limit: 1)) == ["t10"])
        #expect(try storage.readSchedule(timestamp: 1000).isEmpty)
        #expect(texts(try storage.readSchedule(timestamp: 1020)) == ["t10", "t20", "t20b"])
        #expect(try storage.scheduleSize() == 1)
        #expect(try storage.readSchedule(timestamp: 1020).isEmpty)
        try storage.flushSchedule()
        #expect(try storage.scheduleSize() == 0)
        #expect(try storage.readSchedule(timestamp: 9999).isEmpty)
    }

    @Test("promoteDue moves only due items into the queue, as prepared (priority and rewritten bytes)",
        arguments: StorageBackend.testable)
    func promoteDue(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.enqueue(bytes("queued"), priority: 5)
        try storage.addToSchedule(bytes("7:early"), timestamp: 1010)
        try storage.addToSchedule(bytes("1:late"), timestamp: 1020)
        try storage.addToSchedule(bytes("9:future"), timestamp: 1030)
        // The scheduler re-resolves a relative expiry this way: the message moves rewritten.
        let prepare = { (data: [UInt8]) in
            let text = String(decoding: data, as: UTF8.self)
            return QueueItem(data: bytes(text + ":moved"), priority: Double(text.prefix(1)) ?? 0)
        }
        #expect(try storage.promoteDue(timestamp: 1000, prepare: prepare) == 0)
        #expect(try storage.promoteDue(timestamp: 1020, prepare: prepare) == 2)
        let expected = backend.honorsPriority
            ? ["7:early:moved", "queued", "1:late:moved"] : ["queued", "7:early:moved", "1:late:moved"]
        #expect(texts(try storage.enqueuedItems(limit: nil)) == expected)
        #expect(texts(try storage.scheduledItems(limit: nil)) == ["9:future"])
        #expect(try storage.promoteDue(timestamp: 1020, prepare: prepare) == 0)
    }

    @Test("key/value: put, peek, pop, delete, has, putIfEmpty, peekMany", arguments: StorageBackend.testable)
    func keyValue(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.putData(key: "a", value: bytes("1"))
        try storage.putData(key: "a", value: bytes("2"))
        #expect(try storage.peekData(key: "a") == bytes("2"))
        #expect(try storage.hasData(key: "a"))
        #expect(try !storage.hasData(key: "b"))
        #expect(try storage.putIfEmpty(key: "b", value: bytes("x")))
        #expect(try !storage.putIfEmpty(key: "b", value: bytes("y")))
        #expect(try storage.peekData(key: "b") == bytes("x"))
        #expect(try storage.peekMany(keys: ["a", "zz", "b"]) == [bytes("2"), nil, bytes("x")])
        #expect(try storage.resultStoreSize() == 2)
        #expect(try storage.resultItems() == ["a": bytes("2"), "b": bytes("x")])
        #expect(try storage.popData(key: "a") == bytes("2"))
        #expect(try storage.popData(key: "a") == nil)
        #expect(try storage.deleteData(key: "b"))
        #expect(try !storage.deleteData(key: "b"))
        #expect(try storage.resultStoreSize() == 0)
        try storage.putData(key: "c", value: [])
        #expect(try storage.peekData(key: "c") == [])
        try storage.flushResults()
        #expect(try storage.resultStoreSize() == 0)
    }

    @Test("counters increment and delete", arguments: StorageBackend.testable)
    func counters(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        #expect(try storage.increment(key: "c", by: 1) == 1)
        #expect(try storage.increment(key: "c", by: 5) == 6)
        #expect(try storage.increment(key: "c", by: -2) == 4)
        #expect(try storage.increment(key: "d", by: 3) == 3)
        try storage.deleteCounter(key: "c")
        #expect(try storage.increment(key: "c", by: 1) == 1)
    }

    @Test("claim, ack with writes, release, and listing claims", arguments: StorageBackend.testable)
    func claims(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        // FIFO-only queues take "high" first because it was enqueued first.
        if backend.honorsPriority { try storage.enqueue(bytes("low"), priority: 1) }
        try storage.enqueue(bytes("high"), priority: 9)
        if !backend.honorsPriority { try storage.enqueue(bytes("low"), priority: 1) }
        let first = try #require(try storage.claim(owner: owner, now: 100))
        #expect(first.data == bytes("high"))
        #expect(first.priority == (backend.honorsPriority ? 9 : 0))
        #expect(first.owner == owner)
        #expect(try storage.queueSize() == 1)
        #expect(try storage.claims().map(\.data) == [bytes("high")])

        try storage.setDeadline(first, deadline: 150)
        #expect(try storage.claims().first?.deadline == 150)

        let writes: [StorageWrite] = [
            .put(key: "result", value: bytes("42")),
            .enqueue(data: bytes("callback"), priority: 5),
            .schedule(data: bytes("retry"), timestamp: 500),
        ]
        #expect(try storage.ack(first, writes: writes))
        #expect(try storage.peekData(key: "result") == bytes("42"))
        #expect(try storage.scheduledItems(limit: nil) == [bytes("retry")])
        let afterAck = backend.honorsPriority ? ["callback", "low"] : ["low", "callback"]
        #expect(texts(try storage.enqueuedItems(limit: nil)) == afterAck)
        #expect(try storage.claims().isEmpty)
        // A second ack of the same claim applies nothing.
        #expect(try !storage.ack(first, writes: [.put(key: "twice", value: bytes("x"))]))
        #expect(try !storage.hasData(key: "twice"))

        let second = try #require(try storage.claim(owner: owner, now: 101))
        #expect(second.data == bytes(afterAck[0]))
        #expect(try storage.release(second))
        #expect(try !storage.release(second))
        // A released message goes back with its priority (FIFO queues: to the back).
        #expect(texts(try storage.enqueuedItems(limit: nil)) == ["callback", "low"])
        #expect(try storage.claims().isEmpty)
    }

    @Test("an ack's chord completion queues the callback with every member's value, once", arguments: StorageBackend.testable)
    func chordCompletion(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        let owner = ClaimOwner.current
        func completion(sign: (@Sendable ([UInt8]) -> [UInt8])? = nil) -> ChordCompletion {
            ChordCompletion(
                memberKeys: ["c:0", "c:1"], template: bytes("cb(@@)"), placeholder: bytes("@@"), priority: 3,
                scheduledAt: nil, sign: sign)
        }
        try storage.enqueue(bytes("m0"), priority: 0)
        try storage.enqueue(bytes("m1"), priority: 0)
        let first = try #require(try storage.claim(owner: owner, now: 1))
        let early = completion()
        #expect(try storage.ack(first, writes: [.put(key: "c:0", value: bytes("1")), .completeChord(early)]))
        #expect(!early.outcome.completed)  // one member still to report
        #expect(texts(try storage.enqueuedItems(limit: nil)) == ["m1"])

        let second = try #require(try storage.claim(owner: owner, now: 2))
        let last = completion()
        #expect(try storage.ack(second, writes: [.put(key: "c:1", value: bytes("{\"a\":2}")), .completeChord(last)]))
        #expect(last.outcome.completed)
        #expect(texts(try storage.enqueuedItems(limit: nil)) == [#"cb([1,{"a":2}])"#])
        #expect(try storage.peekMany(keys: ["c:0", "c:1"]) == [nil, nil])  // values removed with it

        // A signed callback is signed after the values are in (Redis: after its script).
        try storage.flushQueue()
        try storage.putData(key: "c:0", value: bytes("5"))
        try storage.enqueue(bytes("m2"), priority: 0)
        let third = try #require(try storage.claim(owner: owner, now: 3))
        let signed = completion(sign: { Array("sig:".utf8) + $0 })
        #expect(try storage.ack(third, writes: [.put(key: "c:1", value: bytes("6")), .completeChord(signed)]))
        #expect(signed.outcome.completed)
        #expect(texts(try storage.enqueuedItems(limit: nil)) == ["sig:cb([5,6])"])
        #expect(try storage.resultStoreSize() == 0)
    }

    @Test("claims of a dead owner can be found and recovered", arguments: StorageBackend.testable)
    func reclaim(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        let live = ClaimOwner.current
        let gone = ClaimOwner(pid: live.pid, startTime: live.startTime &+ 1)  // same pid, other start
        try storage.enqueue(bytes("a"), priority: 0)
        try storage.enqueue(bytes("b"), priority: 0)
        let mine = try #require(try storage.claim(owner: live, now: 1))
        let theirs = try #require(try storage.claim(owner: gone, now: 2))
        #expect(try storage.claim(owner: live, now: 3) == nil)
        let orphans = try storage.claims().filter { !$0.owner.isAlive }
        #expect(orphans.map(\.data) == [bytes("b")])
        #expect(orphans.first?.owner == gone)
        for orphan in orphans { #expect(try storage.release(orphan)) }
        #expect(try storage.claims().map(\.data) == [mine.data])
        #expect(try storage.dequeue() == theirs.data)
    }

    @Test("dead letters are kept with their reason", arguments: StorageBackend.testable)
    func deadLetters(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.addDead(bytes("garbage"), reason: "not JSON")
        try storage.enqueue(bytes("x"), priority: 0)
        let claim = try #require(try storage.claim(owner: owner, now: 1))
        try storage.ack(claim, writes: [.dead(data: claim.data, reason: "unknown task")])
        let dead = try storage.deadItems()
        #expect(dead.map(\.reason) == ["not JSON", "unknown task"])
        #expect(dead.map(\.data) == [bytes("garbage"), bytes("x")])
        try storage.flushDead()
        #expect(try storage.deadItems().isEmpty)
    }

    @Test("flushAll empties everything", arguments: StorageBackend.testable)
    func flushAll(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.enqueue(bytes("a"), priority: 0)
        try storage.enqueue(bytes("b"), priority: 0)
        _ = try storage.claim(owner: owner, now: 1)
        try storage.addToSchedule(bytes("s"), timestamp: 1)
        try storage.putData(key: "k", value: bytes("v"))
        try storage.addDead(bytes("d"), reason: "r")
        _ = try storage.increment(key: "c", by: 4)
        try storage.flushAll()
        #expect(try storage.queueSize() == 0)
        #expect(try storage.scheduleSize() == 0)
        #expect(try storage.resultStoreSize() == 0)
        #expect(try storage.claims().isEmpty)
        #expect(try storage.deadItems().isEmpty)
        #expect(try storage.increment(key: "c", by: 1) == 1)
    }

    @Test("two queue names in one place never see each other's data", arguments: StorageBackend.testable)
    func isolation(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let one = try backend.make(name: "one", in: place)
        let two = try backend.make(name: "two", in: place)
        try one.enqueue(bytes("1"), priority: 0)
        try one.addToSchedule(bytes("s1"), timestamp: 1)
        try one.putData(key: "k", value: bytes("v1"))
        _ = try one.increment(key: "c", by: 10)
        try one.addDead(bytes("d1"), reason: "r")
        #expect(try two.queueSize() == 0)
        #expect(try two.dequeue() == nil)
        #expect(try two.claim(owner: owner, now: 1) == nil)
        #expect(try two.scheduleSize() == 0)
        #expect(try two.readSchedule(timestamp: 10).isEmpty)
        #expect(try two.peekData(key: "k") == nil)
        #expect(try two.increment(key: "c", by: 1) == 1)
        #expect(try two.deadItems().isEmpty)
        try two.flushAll()
        #expect(try one.queueSize() == 1)
        #expect(try one.peekData(key: "k") == bytes("v1"))
        #expect(try one.deadItems().count == 1)
    }

    @Test("waitForWork returns early when something is enqueued", arguments: StorageBackend.testable)
    func waitForWork(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        try storage.enqueue(bytes("ready"), priority: 0)
        let start = Date()
        #expect(try storage.waitForWork(timeout: 60))
        // Work already there: no full wait (a generous bound: the machine may be busy).
        #expect(Date().timeIntervalSince(start) < 50)
    }

    @Test("a lock has one holder at a time and is free after release", arguments: StorageBackend.testable)
    func locks(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        let first = try storage.lock(named: "reports")
        let second = try storage.lock(named: "reports")
        let other = try storage.lock(named: "other")
        #expect(try !first.isHeld())
        #expect(try first.tryAcquire())
        #expect(try first.isHeld())
        #expect(try second.isHeld())
        #expect(try !second.tryAcquire())
        #expect(try other.tryAcquire())
        first.release()
        #expect(try !second.isHeld())
        #expect(try second.tryAcquire())
        second.release()
        other.release()
        #expect(try !first.isHeld())
    }
}
