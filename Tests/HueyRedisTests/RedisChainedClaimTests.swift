import Foundation
import Huey
import HueyRedis
import HueyTestSupport
import Testing

/// Redis' ack-and-claim in one script (``ChainingStorage``): the writes, the dropped
/// claim and the next claim happen together, in queue order, for both queue kinds.
@Suite("Redis chained claims", .enabled(if: RedisTestTarget.canProvide, "no Redis server: set HUEY_TEST_REDIS_URL or install redis-server"))
struct RedisChainedClaimTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private let owner = ClaimOwner(pid: getpid(), startTime: 7)

    private func makeStorage(priority: Bool) throws -> (RedisStorage, RedisTestServer?) {
        let target = try RedisTestTarget.url()
        let storage = RedisStorage(
            name: "redis-chain-\(UUID().uuidString)", configuration: try RedisConfiguration(url: target.url),
            priority: priority)
        return (storage, target.server)
    }

    @Test("the ack applies its writes, drops the claim and claims the next message", arguments: [false, true])
    func ackAndClaimNext(priority: Bool) throws {
        let (storage, server) = try makeStorage(priority: priority)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        try storage.enqueue(bytes("a"), priority: 1)
        try storage.enqueue(bytes("b"), priority: 1)
        try storage.enqueue(bytes("c"), priority: priority ? 5 : 1)  // first in a priority queue
        let first = try #require(try storage.claim(owner: owner, now: 1))
        #expect(first.data == bytes(priority ? "c" : "a"))

        let outcome = try storage.ack(
            first, writes: [.put(key: "result-1", value: bytes("1")), .enqueue(data: bytes("d"), priority: 0)],
            claimingNextFor: owner, now: 2, lookingForPrefixes: ["r:"])
        #expect(outcome.acked)
        #expect(outcome.foundPrefix)  // Redis cannot tell: the worker looks revocations up
        let next = try #require(outcome.next)
        #expect(next.data == bytes(priority ? "a" : "b"))
        #expect(next.owner == owner && next.claimedAt == 2)
        #expect(next.priority == (priority ? 1 : 0))  // a list queue ignores priorities
        #expect(try storage.peekData(key: "result-1") == bytes("1"))
        #expect(try storage.claims().map(\.token) == [next.token])
        #expect(try storage.queueSize() == 2)  // one of a/b/c, and d
    }

    @Test("a claim that is gone applies nothing, the next is still claimed; an empty queue claims none")
    func staleClaimAndEmptyQueue() throws {
        let (storage, server) = try makeStorage(priority: false)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
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
        #expect(last.acked && last.next?.data == bytes("a"))
        let drained = try storage.ack(
            try #require(last.next), writes: [], claimingNextFor: owner, now: 4, lookingForPrefixes: [])
        #expect(drained.acked && drained.next == nil)
        #expect(try storage.claims().isEmpty)
        #expect(try storage.queueSize() == 0)
    }

    @Test("a worker chains calls through the ack and runs each once, in order")
    func workerChains() throws {
        let (storage, server) = try makeStorage(priority: false)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let huey = Huey(name: storage.name, storage: storage)
        let double = huey.task("chain.double") { (n: Int) in n * 2 }
        let results = try double.map([1, 2, 3])
        var runner = TaskRunner(huey: huey, owner: owner)
        #expect(try runner.runNext(chaining: true))  // claims and runs the first, claims the second
        #expect(runner.holdsNextCall)
        #expect(try storage.claims().count == 1)  // the held call: claimed by the ack, not yet run
        var ran = 1
        while try runner.runNext(chaining: true) { ran += 1 }
        #expect(ran == 3)
        #expect(!runner.holdsNextCall)
        #expect(try results.get(blocking: true, timeout: 5) == [2, 4, 6])
        #expect(try storage.claims().isEmpty)
    }
}
