import Foundation
import Huey
import HueyRedis
import HueyTestSupport
import Synchronization
import Testing

/// Redis' batched claims (``BatchClaimingStorage``, one script per batch) and what a
/// worker's ``TaskRunner`` does with them: the same rules as SQLite's (batch size, queue
/// order, acks with their writes, revocations honoured for held calls, nothing lost when a
/// worker dies holding a batch), for both queue kinds.
@Suite("Redis batched claims", .enabled(if: RedisTestTarget.canProvide, "no Redis server: set HUEY_TEST_REDIS_URL or install redis-server"))
struct RedisBatchClaimTests {
    private let owner = ClaimOwner(pid: getpid(), startTime: 7)
    /// Huey's revocation prefixes, a call's then a task's, as a worker passes them.
    private let revocationPrefixes = ["r:", "rt:"]

    /// A queue of its own on the test server (and the private server, to stop).
    private func makeHuey(priority: Bool) throws -> (Huey, RedisStorage, RedisTestServer?) {
        let target = try RedisTestTarget.url()
        let name = "redis-batch-\(UUID().uuidString)"
        let configuration = try RedisConfiguration(url: target.url)
        let huey: RedisHuey =
            priority ? PriorityRedisHuey(name: name, configuration: configuration) : RedisHuey(name: name, configuration: configuration)
        return (huey, try #require(huey.storage as? RedisStorage), target.server)
    }

    /// The ids of the calls `owner` holds, in claim order.
    private func heldIDs(_ huey: Huey, by owner: ClaimOwner) throws -> [String] {
        try huey.storage.claims().filter { $0.owner == owner }.map { try huey.decodeMessage($0.data).id }
    }

    private func text(_ claims: [Claim]) -> [String] { claims.map { String(decoding: $0.data, as: UTF8.self) } }

    @Test("one script acks a batch with its writes and claims up to the limit, at most half of those waiting, in queue order",
          arguments: [false, true])
    func ackBatchAndClaimNext(priority: Bool) throws {
        let (_, storage, server) = try makeHuey(priority: priority)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        // 20 messages: "p<priority>-<n>", priorities 0 and 5 interleaved.
        for n in 0..<20 { try storage.enqueue(bytes("p\(n % 2 * 5)-\(n)"), priority: Double(n % 2 * 5)) }

        let first = try storage.ack([], claimingUpTo: 8, for: owner, now: 1, lookingForPrefixes: revocationPrefixes)
        #expect(first.acked.isEmpty)
        #expect(first.waiting == 16)  // counted up to twice the limit
        let firstOrder = priority ? [1, 3, 5, 7, 9, 11, 13, 15].map { "p5-\($0)" } : (0..<8).map { "p\($0 % 2 * 5)-\($0)" }
        #expect(text(first.next) == firstOrder)
        #expect(first.next.map { Int($0.token)! } == first.next.map { Int($0.token)! }.sorted())
        #expect(first.next.allSatisfy { $0.owner == owner && $0.claimedAt == 1 })
        #expect(first.next.map(\.priority) == (priority ? Array(repeating: 5, count: 8) : Array(repeating: 0, count: 8)))
        #expect(first.foundPrefix, "not JSON: the worker must look revocations up")
        #expect(try storage.claims().map(\.token) == first.next.map(\.token))  // recorded, each its own claim
        #expect(try storage.queueSize() == 12)

        // Ack all 8 with a write each (one claim already recovered by someone else) and
        // claim the next batch.
        #expect(try storage.release(first.next[3]))
        let acks = first.next.enumerated().map {
            ClaimAck(claim: $1, writes: [.put(key: "r-\($0)", value: bytes("v")), .enqueue(data: bytes("new-\($0)"), priority: 0)])
        }
        let second = try storage.ack(acks, claimingUpTo: 8, for: owner, now: 2, lookingForPrefixes: revocationPrefixes)
        #expect(second.acked == [true, true, true, false, true, true, true, true])
        #expect(try storage.hasData(key: "r-2") && !storage.hasData(key: "r-3"))
        // 13 waiting before the acks' 7 new messages → counted up to 16 → 8 claimed.
        #expect(second.waiting == 16)
        // Priority: the released p5-7 went back behind the other priority-5 messages, then
        // FIFO among priority 0. List: FIFO, the released message last.
        let secondOrder = priority
            ? ["p5-17", "p5-19", "p5-7", "p0-0", "p0-2", "p0-4", "p0-6", "p0-8"]
            : ["p0-8", "p5-9", "p0-10", "p5-11", "p0-12", "p5-13", "p0-14", "p5-15"]
        #expect(text(second.next) == secondOrder)
        #expect(try storage.claims().count == 8)

        // Drain what is left (12 waiting): 12 → 6, 6 → 3, 3 → 1, 2 → 1, 1 → 1, then none.
        _ = try storage.ack(second.next.map { ClaimAck(claim: $0, writes: []) }, claimingUpTo: 0, for: owner, now: 3,
                            lookingForPrefixes: [])
        #expect(try storage.claims().isEmpty)
        var counts: [(Int, Int)] = []
        for _ in 0..<6 {
            let outcome = try storage.ack([], claimingUpTo: 8, for: owner, now: 4, lookingForPrefixes: revocationPrefixes)
            counts.append((outcome.waiting, outcome.next.count))
            if outcome.next.isEmpty { #expect(!outcome.foundPrefix) }
        }
        #expect(counts.map(\.0) == [12, 6, 3, 2, 1, 0] && counts.map(\.1) == [6, 3, 1, 1, 1, 0], "\(counts)")
        #expect(try storage.claims().count == 12)
        #expect(try storage.queueSize() == 0)
    }

    @Test("the script reads the first claimed call's own revocation keys: found when either exists or it cannot tell")
    func firstCallRevocation() throws {
        let (huey, storage, server) = try makeHuey(priority: false)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let note = huey.task("note") { (_: Int) in }
        let calls = try (0..<4).map { try note($0) }
        try calls[3].revoke()  // another call's revocation does not concern the first ones

        func claimOne(_ prefixes: [String]) throws -> (String, Bool) {
            let outcome = try storage.ack([], claimingUpTo: 1, for: owner, now: 1, lookingForPrefixes: prefixes)
            let claim = try #require(outcome.next.first)
            return (try huey.decodeMessage(claim.data).id, outcome.foundPrefix)
        }
        #expect(try claimOne(revocationPrefixes) == (calls[0].id, false))
        #expect(try claimOne(["r:"]) == (calls[1].id, true), "prefixes it does not know: cannot tell")
        try note.revoke()  // the whole task
        #expect(try claimOne(revocationPrefixes) == (calls[2].id, true))
        try note.restore()
        #expect(try claimOne(revocationPrefixes) == (calls[3].id, true), "its own revocation")
    }

    @Test("two workers drain a deep queue in batches: each call runs once, each worker in priority/FIFO order")
    func deepQueueDrainedInBatches() throws {
        let (worker, storage, server) = try makeHuey(priority: true)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let ran = Mutex<[(owner: Int32, n: Int, held: Int)]>([])
        let completed = Mutex<Set<String>>([])
        worker.signal(.complete) { _, call, _ in completed.withLock { _ = $0.insert(call.id) } }
        let owners = [ClaimOwner(pid: 101, startTime: 1), ClaimOwner(pid: 102, startTime: 1)]
        let current = Mutex<ClaimOwner>(owners[0])
        let step = worker.task("step") { (n: Int) -> Int in
            let owner = current.withLock { $0 }
            let held = try worker.storage.claims().filter { $0.owner == owner }.count
            ran.withLock { $0.append((owner.pid, n, held)) }
            return n
        }
        // 600 calls; every third at priority 1, so order is priority, then FIFO.
        let calls = try (0..<600).map { n in try step(n, priority: n % 3 == 0 ? 1 : 0) }

        var runners = owners.map { TaskRunner(huey: worker, owner: $0) }
        var turn = 0
        var active = [true, true]
        while active.contains(true) {
            let index = turn % 2
            turn += 1
            guard active[index] else { continue }
            current.withLock { $0 = owners[index] }
            for _ in 0..<5 where active[index] {  // a few calls per turn: the batches interleave
                active[index] = try runners[index].runNext(chaining: true) || runners[index].holdsNextCall
            }
        }

        let log = ran.withLock { $0 }
        #expect(log.map(\.n).sorted() == Array(0..<600), "each call ran exactly once")
        let expectedOrder = (0..<600).filter { $0 % 3 == 0 } + (0..<600).filter { $0 % 3 != 0 }
        for owner in owners {
            let mine = log.filter { $0.owner == owner.pid }.map(\.n)
            #expect(!mine.isEmpty)
            #expect(mine == expectedOrder.filter(Set(mine).contains), "worker \(owner.pid) ran out of order")
        }
        #expect(log.map(\.held).max()! > 1, "no worker ever held a batch")
        for (index, runner) in runners.enumerated() {
            let stats = runner.batchStats
            #expect(stats.largest > 1 && stats.largest <= BatchSize.most)
            #expect(stats.claims < stats.calls / 2, "worker \(index): \(stats.claims) claims for \(stats.calls) calls")
        }
        #expect(completed.withLock { $0.count } == 600)
        #expect(try calls.map { try $0.get() ?? -1 } == Array(0..<600))
        #expect(try storage.claims().isEmpty)
        #expect(try storage.queueSize() == 0)
    }

    @Test("a result of a batch is not visible, nor signalled, before the batch's script")
    func resultsWaitForTheCommit() throws {
        let (huey, storage, server) = try makeHuey(priority: false)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let seen = Mutex<[(n: Int, earlierVisible: Bool, completedBefore: Int)]>([])
        let completed = Mutex(0)
        huey.signal(.complete) { _, _, _ in completed.withLock { $0 += 1 } }
        let ids = Mutex<[String]>([])
        let step = huey.task("step") { (n: Int) -> Int in
            let earlier = n > 0 ? ids.withLock { $0[n - 1] } : nil
            let visible = try earlier.map { try huey.storage.hasData(key: $0) } ?? false
            seen.withLock { $0.append((n, visible, completed.withLock { $0 })) }
            return n
        }
        let calls = try (0..<300).map { try step($0) }
        ids.withLock { $0 = calls.map(\.id) }
        var runner = TaskRunner(huey: huey, owner: owner)
        while try runner.runNext(chaining: true) {}

        let log = seen.withLock { $0 }
        #expect(log.count == 300)
        let hidden = log.filter { $0.n > 0 && !$0.earlierVisible }
        #expect(!hidden.isEmpty, "no call saw its batch's earlier result unacknowledged")
        for entry in hidden { #expect(entry.completedBefore < entry.n, "call \(entry.n - 1) signalled complete before its ack") }
        #expect(try calls.map { try $0.get() ?? -1 } == Array(0..<300))
        #expect(completed.withLock { $0 } == 300)
        #expect(runner.batchStats.largest > 1, "never batched: \(runner.batchStats)")
    }

    @Test("a revoke that lands while a batch is held is honoured for calls not yet started", arguments: [false, true])
    func revokeWhileBatchHeld(wholeTask: Bool) throws {
        let (worker, storage, server) = try makeHuey(priority: false)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let producer = try RedisHuey(name: storage.name, configuration: storage.configuration)  // its own connections
        let ran = Mutex<[Int]>([])
        let revoked = Mutex<[String]>([])
        worker.signal(.revoked) { _, call, _ in revoked.withLock { $0.append(call.id) } }
        let note = worker.task("note") { (n: Int) in ran.withLock { $0.append(n) } }
        let other = worker.task("other") { (n: Int) in ran.withLock { $0.append(n) } }
        let producerNote = producer.task("note") { (_: Int) in }
        let producerOther = producer.task("other") { (_: Int) in }
        // 400 calls; every tenth (n % 10 == 5) of another task, which stays runnable.
        let calls = try (0..<400).map { n in n % 10 == 5 ? try producerOther(n) : try producerNote(n) }
        let index = Dictionary(uniqueKeysWithValues: calls.enumerated().map { ($1.id, $0) })
        var runner = TaskRunner(huey: worker, owner: owner)

        // Run until the worker holds at least 3 calls of its batch not yet started.
        var held: [String] = []
        var heldBefore: [String] = []
        while held.count < 3 {
            heldBefore = held
            try #require(try runner.runNext(chaining: true), "drained without ever holding a batch of 3")
            held = try heldIDs(worker, by: owner)
        }
        let startedAlready = Set(ran.withLock { $0 })
        let target = try #require(index[held.last!])
        #expect(!startedAlready.contains(target))
        let expectedRevoked: [Int]
        if wholeTask {
            try producerNote.revoke()  // every "note" not yet started, held ones included
            expectedRevoked = (0..<400).filter { $0 % 10 != 5 && !startedAlready.contains($0) }
            #expect(held.contains { index[$0]! % 10 != 5 && !startedAlready.contains(index[$0]!) })
        } else {
            try calls[target].revoke()  // the batch's last call, not yet started
            expectedRevoked = [target]
        }
        while try runner.runNext(chaining: true) {}

        // When the last step above claimed a new batch (ack + claim in one script), that script
        // already read the revocation keys of the batch's first call, before this revoke: like a
        // call whose check passed just before a revoke, it may run. Every other held call may not.
        var expected = expectedRevoked
        let first = try #require(index[held.first!])
        let claimedInLastStep = !heldBefore.contains(held.first!)
        if wholeTask, claimedInLastStep, ran.withLock({ $0.contains(first) }) { expected.removeAll { $0 == first } }
        #expect(Set(revoked.withLock { $0 }) == Set(expected.map { calls[$0].id }))
        #expect(revoked.withLock { $0 }.count == expected.count)
        #expect(ran.withLock { $0 }.sorted() == (0..<400).filter { !expected.contains($0) })
        #expect(try storage.claims().isEmpty)
        _ = (note, other)
    }

    @Test("a short queue is claimed one call at a time, even by a worker whose batches were large")
    func shortQueueClaimsOne() throws {
        let (huey, storage, server) = try makeHuey(priority: false)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let held = Mutex<[Int]>([])
        let step = huey.task("step") { (n: Int) -> Int in
            held.withLock { $0.append((try? huey.storage.claims().count) ?? -1) }
            return n
        }
        for n in 0..<300 { try step(n) }
        var runner = TaskRunner(huey: huey, owner: owner)
        while try runner.runNext(chaining: true) {}
        let deep = runner.batchStats
        #expect(deep.largest > 1, "the deep queue was never batched: \(deep)")
        #expect(!runner.holdsNextCall)

        held.withLock { $0 = [] }
        for round in 0..<5 {
            for n in 0..<3 { try step(round * 3 + n) }
            while try runner.runNext(chaining: true) {}
        }
        #expect(held.withLock { $0 } == Array(repeating: 1, count: 15))
        let short = runner.batchStats
        #expect(short.calls - deep.calls == 15 && short.claims - deep.claims == 15, "\(deep) then \(short)")
    }

    @Test("stopping mid-batch acks the finished calls and puts the others back in the queue")
    func putBackMidBatch() throws {
        let (huey, storage, server) = try makeHuey(priority: true)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let ran = Mutex<[Int]>([])
        let step = huey.task("step") { (n: Int) -> Int in
            ran.withLock { $0.append(n) }
            return n
        }
        let calls = try (0..<300).map { try step($0) }
        var runner = TaskRunner(huey: huey, owner: owner)
        while try heldIDs(huey, by: owner).count < 3 {
            try #require(try runner.runNext(chaining: true))
        }
        try runner.putBack()
        #expect(!runner.holdsNextCall)
        #expect(try storage.claims().isEmpty)
        let done = ran.withLock { $0 }
        #expect(done == Array(0..<done.count))
        #expect(try calls.prefix(done.count).map { try $0.get() ?? -1 } == done, "finished calls acknowledged")
        #expect(try huey.pendingCount == 300 - done.count)
        var rest = TaskRunner(huey: huey, owner: owner)
        try rest.runUntilEmpty()
        #expect(ran.withLock { $0 }.sorted() == Array(0..<300))
        #expect(try calls.map { try $0.get() ?? -1 } == Array(0..<300))
    }

    @Test("a worker that dies holding a batch loses nothing: every call is claimed, queued or acknowledged, and runs after recovery")
    func deadWorkerBatchRecovered() throws {
        let (huey, storage, server) = try makeHuey(priority: false)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let ran = Mutex<[Int]>([])
        let step = huey.task("step") { (n: Int) -> Int in
            ran.withLock { $0.append(n) }
            return n
        }
        let calls = try (0..<200).map { try step($0) }
        // This process's pid with another start time: a process that is gone.
        let dead = ClaimOwner(pid: getpid(), startTime: 1)
        var doomed = TaskRunner(huey: huey, owner: dead)
        while try heldIDs(huey, by: dead).count < 3 {
            try #require(try doomed.runNext(chaining: true))
        }
        // Killed here: no put-back, no ack of the calls that finished in this batch.
        let claims = try storage.claims()
        #expect(claims.allSatisfy { $0.owner == dead } && claims.count >= 3)
        #expect(try !storage.isAlive(dead))
        let claimed = Set(try claims.map { try huey.decodeMessage($0.data).id })
        let acknowledged = Set(try calls.filter { try storage.hasData(key: $0.id) }.map(\.id))
        let queued = Set(try storage.enqueuedItems(limit: nil).map { try huey.decodeMessage($0).id })
        #expect(claimed.isDisjoint(with: acknowledged) && claimed.isDisjoint(with: queued) && acknowledged.isDisjoint(with: queued))
        #expect(claimed.union(acknowledged).union(queued) == Set(calls.map(\.id)), "a call was lost")
        let ranBeforeDeath = ran.withLock { $0 }
        let finishedUnacked = ranBeforeDeath.filter { claimed.contains(calls[$0].id) }
        #expect(finishedUnacked.count <= BatchSize.most)

        // Recovery (what the consumer does with a dead owner's claims): back in the queue.
        for claim in claims { #expect(try storage.release(claim)) }
        var survivor = TaskRunner(huey: huey, owner: owner)
        while try survivor.runNext(chaining: true) {}
        #expect(try calls.map { try $0.get() ?? -1 } == Array(0..<200))
        let counts = Dictionary(ran.withLock { $0 }.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(counts.count == 200)
        // At least once: only a call that finished but was not yet acknowledged runs twice.
        #expect(counts.filter { $0.value > 1 }.keys.sorted() == finishedUnacked.sorted())
        #expect(try storage.claims().isEmpty)
    }
}
