import Foundation
import Huey
import Synchronization
import Testing

/// SQLite's batched claims (``BatchClaimingStorage``) and what a worker's ``TaskRunner``
/// does with them: deep queues drained k calls per commit in priority/FIFO order, short
/// queues one call at a time, revocations honoured for calls held but not started, and
/// results visible only once their batch is committed.
@Suite("SQLite batched claims")
struct SqliteBatchClaimTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private let owner = ClaimOwner(pid: 1, startTime: 1)

    /// The ids of the calls `owner` holds, in claim order.
    private func heldIDs(_ huey: Huey, by owner: ClaimOwner) throws -> [String] {
        try huey.storage.claims().filter { $0.owner == owner }.map { try JSONCodec.decode(Message.self, from: $0.data).id }
    }

    @Test("one transaction acks a batch with its writes and claims up to the limit, at most half of those waiting, in queue order")
    func ackBatchAndClaimNext() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "q", filename: place.file("huey.db"))
        // 20 messages: "p<priority>-<n>", priorities 0 and 5 interleaved.
        for n in 0..<20 { try storage.enqueue(bytes("p\(n % 2 * 5)-\(n)"), priority: Double(n % 2 * 5)) }

        let first = try storage.ack([], claimingUpTo: 8, for: owner, now: 1, lookingForPrefixes: ["r:"])
        #expect(first.acked.isEmpty)
        #expect(first.waiting == 16)  // counted up to twice the limit
        #expect(first.next.map { String(decoding: $0.data, as: UTF8.self) } == [1, 3, 5, 7, 9, 11, 13, 15].map { "p5-\($0)" })
        #expect(first.next.map { Int($0.token)! } == first.next.map { Int($0.token)! }.sorted())
        #expect(!first.foundPrefix)
        #expect(try storage.claims().count == 8)

        // Ack all 8 (one of them already recovered by someone else) and claim the next batch.
        #expect(try storage.release(first.next[3]))
        let acks = first.next.enumerated().map { ClaimAck(claim: $1, writes: [.put(key: "r-\($0)", value: bytes("v"))]) }
        try storage.putData(key: "r:revoked", value: bytes("[null,false]"))
        let second = try storage.ack(acks, claimingUpTo: 8, for: owner, now: 2, lookingForPrefixes: ["r:"])
        #expect(second.acked == [true, true, true, false, true, true, true, true])
        #expect(try storage.hasData(key: "r-2") && !storage.hasData(key: "r-3"))
        // 13 waiting: at most half → 6. p5-7 went back behind the other priority-5
        // messages; then FIFO among priority 0.
        #expect(second.waiting == 13)
        #expect(second.next.map { String(decoding: $0.data, as: UTF8.self) }
            == ["p5-17", "p5-19", "p5-7", "p0-0", "p0-2", "p0-4"])
        #expect(second.foundPrefix)
        #expect(try storage.claims().count == 6)

        // 7 waiting → 3; 4 → 2; 2 → 1; 1 → 1; an empty queue claims none.
        let third = try storage.ack(second.next.map { ClaimAck(claim: $0, writes: []) }, claimingUpTo: 8, for: owner,
                                    now: 3, lookingForPrefixes: [])
        #expect(third.acked == Array(repeating: true, count: 6))
        var counts = [(third.waiting, third.next.count)]
        for _ in 0..<4 {
            let outcome = try storage.ack([], claimingUpTo: 8, for: owner, now: 4, lookingForPrefixes: ["r:"])
            counts.append((outcome.waiting, outcome.next.count))
            if outcome.next.isEmpty { #expect(!outcome.foundPrefix) }
        }
        #expect(counts.map(\.0) == [7, 4, 2, 1, 0] && counts.map(\.1) == [3, 2, 1, 1, 0], "\(counts)")
        #expect(try storage.claims().count == 7)
        #expect(try storage.queueSize() == 0)
    }

    @Test("a paused queue gives no batch, however deep; resumed, it does")
    func pausedQueueGivesNoBatch() throws {
        let place = try ScratchDirectory()
        let huey = try SqliteHuey(name: "q", filename: place.file("huey.db"))
        let storage = try #require(huey.storage as? SqliteStorage)
        for n in 0..<6 { try storage.enqueue(bytes("m-\(n)"), priority: 0) }
        try huey.pause()
        let paused = try storage.ack([], claimingUpTo: 8, for: owner, now: 1, lookingForPrefixes: [])
        #expect(paused.next.isEmpty)
        #expect(try storage.claims().isEmpty && storage.queueSize() == 6)
        try huey.resume()
        let resumed = try storage.ack([], claimingUpTo: 8, for: owner, now: 2, lookingForPrefixes: [])
        #expect(resumed.next.map { String(decoding: $0.data, as: UTF8.self) } == ["m-0", "m-1", "m-2"])
    }

    @Test("two workers drain a deep queue in batches: each call runs once, each worker in priority/FIFO order")
    func deepQueueDrainedInBatches() throws {
        let place = try ScratchDirectory()
        let path = place.file("huey.db")
        let producer = try SqliteHuey(name: "q", filename: path)
        let worker = try SqliteHuey(name: "q", filename: path)
        let ran = Mutex<[(owner: Int32, n: Int, held: Int)]>([])
        let completed = Mutex<Set<String>>([])
        worker.signal(.complete) { _, call, _ in completed.withLock { _ = $0.insert(call.id) } }
        let owners = [ClaimOwner(pid: 101, startTime: 1), ClaimOwner(pid: 102, startTime: 1)]
        let current = Mutex<ClaimOwner>(owners[0])
        // Records who ran n, how many calls its worker held then, and that no result of
        // another call of its batch is visible before the batch commits.
        let step = worker.task("step") { (n: Int) -> Int in
            let owner = current.withLock { $0 }
            let held = try worker.storage.claims().filter { $0.owner == owner }.count
            ran.withLock { $0.append((owner.pid, n, held)) }
            return n
        }
        let producerStep = producer.task("step") { (n: Int) -> Int in n }
        // 600 calls; every third at priority 1, so order is priority, then FIFO.
        let calls = try (0..<600).map { n in try producerStep(n, priority: n % 3 == 0 ? 1 : 0) }

        var runners = owners.map { TaskRunner(huey: worker, owner: $0) }
        var turn = 0
        var active = [true, true]
        while active.contains(true) {
            let index = turn % 2
            turn += 1
            guard active[index] else { continue }
            current.withLock { $0 = owners[index] }
            // A few calls per turn, so the two workers' batches interleave.
            for _ in 0..<5 where active[index] {
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
        _ = step
        #expect(try worker.storage.claims().isEmpty)
        #expect(try worker.pendingCount == 0)
    }

    @Test("a result of a batch is not visible, nor signalled, before the batch commits")
    func resultsWaitForTheCommit() throws {
        let place = try ScratchDirectory()
        let huey = try SqliteHuey(name: "q", filename: place.file("huey.db"))
        let seen = Mutex<[(n: Int, earlierVisible: Bool, completedBefore: Int, held: Int)]>([])
        let completed = Mutex(0)
        huey.signal(.complete) { _, _, _ in completed.withLock { $0 += 1 } }
        let ids = Mutex<[String]>([])
        let step = huey.task("step") { (n: Int) -> Int in
            let earlier = n > 0 ? ids.withLock { $0[n - 1] } : nil
            let visible = try earlier.map { try huey.storage.hasData(key: $0) } ?? false
            let held = try huey.storage.claims().count
            seen.withLock { $0.append((n, visible, completed.withLock { $0 }, held)) }
            return n
        }
        let calls = try (0..<300).map { try step($0) }
        ids.withLock { $0 = calls.map(\.id) }
        var runner = TaskRunner(huey: huey, owner: owner)
        while try runner.runNext(chaining: true) {}

        let log = seen.withLock { $0 }
        #expect(log.count == 300)
        // Inside a batch (the worker holds more than the running call), the call before
        // this one ran in the same batch unless this one is the batch's first: count those
        // whose predecessor's result was invisible though it had run.
        let hidden = log.filter { $0.n > 0 && !$0.earlierVisible }
        #expect(!hidden.isEmpty, "no call saw its batch's earlier result uncommitted")
        for entry in hidden { #expect(entry.completedBefore < entry.n, "call \(entry.n - 1) signalled complete before its commit") }
        #expect(try calls.map { try $0.get() ?? -1 } == Array(0..<300))
        #expect(completed.withLock { $0 } == 300)
    }

    @Test("a revoke committed while a batch is held is honoured for calls not yet started")
    func revokeWhileBatchHeld() throws {
        let place = try ScratchDirectory()
        let path = place.file("huey.db")
        let worker = try SqliteHuey(name: "q", filename: path)
        let producer = try SqliteHuey(name: "q", filename: path)
        let ran = Mutex<[Int]>([])
        let revoked = Mutex<[String]>([])
        worker.signal(.revoked) { _, call, _ in revoked.withLock { $0.append(call.id) } }
        let note = worker.task("note") { (n: Int) in ran.withLock { $0.append(n) } }
        let producerNote = producer.task("note") { (_: Int) in }
        let calls = try (0..<400).map { try producerNote($0) }
        let owner = ClaimOwner.current
        var runner = TaskRunner(huey: worker, owner: owner)

        // Run until the worker holds a batch of at least 3 calls not yet started.
        var held: [String] = []
        while held.count < 3 {
            try #require(try runner.runNext(chaining: true), "drained without ever holding a batch of 3")
            held = try heldIDs(worker, by: owner)
        }
        // Claims of finished calls wait for the batch's commit; the last claim has not started.
        let target = try #require(calls.first { $0.id == held.last })
        try target.revoke()  // another connection, while the batch is held
        while try runner.runNext(chaining: true) {}

        let targetIndex = try #require(calls.firstIndex { $0.id == target.id })
        #expect(revoked.withLock { $0 } == [target.id])
        #expect(ran.withLock { $0 }.sorted() == (0..<400).filter { $0 != targetIndex })
        #expect(try worker.storage.claims().isEmpty)
        _ = note
    }

    @Test("a short queue is claimed one call at a time, even by a worker whose batches were large")
    func shortQueueClaimsOne() throws {
        let place = try ScratchDirectory()
        let huey = try SqliteHuey(name: "q", filename: place.file("huey.db"))
        let held = Mutex<[Int]>([])
        let step = huey.task("step") { (n: Int) -> Int in
            held.withLock { $0.append(try! huey.storage.claims().count) }
            return n
        }
        for n in 0..<300 { try step(n) }
        var runner = TaskRunner(huey: huey, owner: owner)
        while try runner.runNext(chaining: true) {}
        let deep = runner.batchStats
        #expect(deep.largest > 1, "the deep queue was never batched: \(deep)")
        #expect(runner.holdsNextCall == false)

        held.withLock { $0 = [] }
        for round in 0..<5 {
            for n in 0..<3 { try step(round * 3 + n) }
            while try runner.runNext(chaining: true) {}
        }
        #expect(held.withLock { $0 } == Array(repeating: 1, count: 15))
        let short = runner.batchStats
        #expect(short.calls - deep.calls == 15 && short.claims - deep.claims == 15, "\(deep) then \(short)")
    }

    @Test("stopping mid-batch commits the finished calls and puts the others back in the queue")
    func putBackMidBatch() throws {
        let place = try ScratchDirectory()
        let huey = try SqliteHuey(name: "q", filename: place.file("huey.db"))
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
        #expect(try huey.storage.claims().isEmpty)
        let done = ran.withLock { $0 }
        #expect(done == Array(0..<done.count))
        #expect(try calls.prefix(done.count).map { try $0.get() ?? -1 } == done, "finished calls committed")
        #expect(try huey.pendingCount == 300 - done.count)
        // The rest runs once each, nothing lost.
        var rest = TaskRunner(huey: huey, owner: owner)
        try rest.runUntilEmpty()
        #expect(ran.withLock { $0 }.sorted() == Array(0..<300))
    }
}
