import Foundation
import Huey
import Synchronization
import Testing

/// SQLite's one-transaction ack-and-claim (``ChainingStorage``), its key prefix check
/// (``KeyPrefixStorage``), and what a worker does with them: skip revocation lookups while
/// nothing is revoked, yet honour a revocation made by another connection.
@Suite("SQLite chained claims")
struct SqliteChainedClaimTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private let owner = ClaimOwner(pid: 1, startTime: 1)

    @Test("the ack applies its writes and claims the next message, FIFO, in one commit")
    func ackAndClaimNext() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "q", filename: place.file("huey.db"))
        for text in ["a", "b", "c"] { try storage.enqueue(bytes(text), priority: 0) }
        let first = try #require(try storage.claim(owner: owner, now: 1))
        let changesBefore = Int(try #require(storage.textRows("PRAGMA data_version")[0][0]) ?? "") ?? -1

        let outcome = try storage.ack(
            first, writes: [.put(key: "result-a", value: bytes("1"))], claimingNextFor: owner, now: 2,
            lookingForPrefixes: ["r:"])
        #expect(outcome.acked)
        let next = try #require(outcome.next)
        #expect(next.data == bytes("b"))
        #expect(next.owner == owner)
        #expect(next.claimedAt == 2)
        #expect(!outcome.foundPrefix)
        #expect(try storage.peekData(key: "result-a") == bytes("1"))
        #expect(try storage.claims().map(\.token) == [next.token])
        #expect(try storage.queueSize() == 1)
        // The same connection's own commits do not move data_version: nothing else committed.
        #expect(Int(try #require(storage.textRows("PRAGMA data_version")[0][0]) ?? "") == changesBefore)
    }

    @Test("a claim that is gone applies nothing but the next message is still claimed; an empty queue claims none")
    func staleClaimAndEmptyQueue() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "q", filename: place.file("huey.db"))
        try storage.enqueue(bytes("a"), priority: 0)
        try storage.enqueue(bytes("b"), priority: 0)
        let first = try #require(try storage.claim(owner: owner, now: 1))
        #expect(try storage.release(first))  // recovered by someone else

        let outcome = try storage.ack(
            first, writes: [.put(key: "stale", value: bytes("x"))], claimingNextFor: owner, now: 2,
            lookingForPrefixes: [])
        #expect(!outcome.acked)
        #expect(try !storage.hasData(key: "stale"))
        let next = try #require(outcome.next)
        #expect(next.data == bytes("b"))

        let last = try storage.ack(next, writes: [], claimingNextFor: owner, now: 3, lookingForPrefixes: [])
        #expect(last.acked)
        #expect(last.next?.data == bytes("a"))  // released behind "b"
        let drained = try storage.ack(try #require(last.next), writes: [], claimingNextFor: owner, now: 4,
                                      lookingForPrefixes: ["r:"])
        #expect(drained.acked && drained.next == nil && !drained.foundPrefix)
        #expect(try storage.claims().isEmpty)
    }

    @Test("key prefixes are found whoever wrote them, and only real prefixes match")
    func keyPrefixes() throws {
        let place = try ScratchDirectory()
        let path = place.file("huey.db")
        let storage = try SqliteStorage(name: "q", filename: path)
        let other = try SqliteStorage(name: "q", filename: path)
        let otherQueue = try SqliteStorage(name: "other", filename: path)
        try storage.putData(key: "0b3f-result", value: bytes("1"))
        try storage.putData(key: "r", value: bytes("1"))
        try storage.putData(key: "r;", value: bytes("1"))
        try otherQueue.putData(key: "r:elsewhere", value: bytes("1"))
        #expect(try !storage.hasKey(withAnyPrefixOf: ["r:", "rt:"]))
        #expect(try !storage.hasKey(withAnyPrefixOf: []))

        try other.putData(key: "rt:report", value: bytes("[null,false]"))
        #expect(try storage.hasKey(withAnyPrefixOf: ["r:", "rt:"]))
        #expect(try !storage.hasKey(withAnyPrefixOf: ["r:"]))
        _ = try other.deleteData(key: "rt:report")
        try other.putData(key: "r:é-call", value: bytes("[null,true]"))
        #expect(try storage.hasKey(withAnyPrefixOf: ["r:", "rt:"]))
        #expect(try storage.hasKey(withAnyPrefixOf: ["r:é"]))
        try other.flushResults()
        #expect(try !storage.hasKey(withAnyPrefixOf: ["r:", "rt:"]))
    }

    @Test("with fsync a claim commits unflushed, and the connection is back at synchronous FULL after it")
    func unflushedClaimKeepsFullDurability() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "q", filename: place.file("huey.db"), fsync: true)
        try storage.enqueue(bytes("a"), priority: 0)
        try storage.enqueue(bytes("b"), priority: 0)
        let claim = try #require(try storage.claim(owner: owner, now: 1))
        #expect(try storage.textRows("PRAGMA synchronous") == [["2"]])
        try storage.setDeadline(claim, deadline: 5)
        #expect(try storage.textRows("PRAGMA synchronous") == [["2"]])
        #expect(try storage.claims().first?.deadline == 5)
        #expect(try storage.ack(claim, writes: []))
        #expect(try storage.claim(owner: owner, now: 2)?.data == bytes("b"))
        #expect(try storage.textRows("PRAGMA synchronous") == [["2"]])
    }

    @Test("a worker skips revocation lookups while nothing is revoked, yet honours another process's revoke")
    func revocationsAcrossConnections() throws {
        let place = try ScratchDirectory()
        let path = place.file("huey.db")
        let worker = try SqliteHuey(name: "q", filename: path)
        let producer = try SqliteHuey(name: "q", filename: path)
        let ran = Mutex<[Int]>([])
        let revoked = Mutex<[String]>([])
        worker.signal(.revoked) { _, call, _ in revoked.withLock { $0.append(call.id) } }
        let note = worker.task("note") { (n: Int) in ran.withLock { $0.append(n) } }
        let producerNote = producer.task("note") { (_: Int) in }
        let calls = try (0..<4).map { try producerNote($0) }
        let owner = ClaimOwner.current

        var runner = TaskRunner(huey: worker, owner: owner)
        // The ids of the calls held: after each chained run, the one its ack claimed.
        let held = { try worker.storage.claims().map { try JSONCodec.decode(Message.self, from: $0.data).id } }
        #expect(try runner.runNext(chaining: true))  // runs 0, claims 1
        #expect(try held() == [calls[1].id])
        try calls[2].revoke()  // another connection, after 1 was claimed but before 2 is
        #expect(try runner.runNext(chaining: true))  // runs 1, claims 2
        #expect(try held() == [calls[2].id])
        #expect(try runner.runNext(chaining: true))  // skips 2, claims 3
        #expect(try held() == [calls[3].id])
        #expect(try runner.runNext(chaining: true))  // runs 3, queue empty
        #expect(!runner.holdsNextCall)
        #expect(try !runner.runNext(chaining: true))

        #expect(ran.withLock { $0 } == [0, 1, 3])
        #expect(revoked.withLock { $0 } == [calls[2].id])
        #expect(try worker.storage.claims().isEmpty)
        _ = note
    }

    @Test("revoke once through chained claims: the first call is skipped, the revocation used up")
    func revokeOnceWithChaining() throws {
        let place = try ScratchDirectory()
        let huey = try SqliteHuey(name: "q", filename: place.file("huey.db"))
        let count = Mutex(0)
        let tick = huey.task("tick") { () in count.withLock { $0 += 1 } }
        try tick.revoke(once: true)
        for _ in 0..<3 { try tick() }
        let owner = ClaimOwner.current
        var runner = TaskRunner(huey: huey, owner: owner)
        var runs = 0
        while try runner.runNext(chaining: true) { runs += 1 }
        #expect(runs == 3)
        #expect(count.withLock { $0 } == 2)
        #expect(try !tick.isRevoked())
    }
}
