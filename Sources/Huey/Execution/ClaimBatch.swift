import Foundation

/// A worker's batch on a ``BatchClaimingStorage`` (used by ``TaskRunner``): the calls
/// claimed together, not yet run, and the finished ones whose acknowledgements wait for
/// the batch's one commit.
///
/// Acknowledged together, not as each finishes: one commit (one `fsync` with
/// `synchronous=FULL`) for the whole batch is what makes batching pay, and results,
/// follow-up calls and `complete` signals become visible only once that commit is done.
/// The commit that acknowledges a batch also claims the next one. Finished calls wait at
/// most about ``BatchSize/holdAtMost`` seconds for it (plus the one call then running).
///
/// Each call is a claim of its own, so a crash loses nothing: the consumer recovers each.
/// Revocations are looked up again before each call starts (only the first call of a batch
/// relies on the claiming transaction having found none), so a revoke committed while the
/// batch is held is honoured for the calls not yet started.
struct ClaimBatch {
    /// Claimed, not yet started, in the order they run.
    private var held: [Claim] = []
    /// Whether the first of `held` was claimed by a transaction that found no revocation.
    private var firstUnrevoked = false
    /// Finished, waiting for the commit.
    private var finished: [(claim: Claim, plan: WritePlan)] = []
    /// When the first of `finished` started.
    private var finishedSince: ContinuousClock.Instant?
    /// How many to claim next.
    private(set) var size = BatchSize()
    /// Claiming transactions so far, and the calls they claimed (for tests and benchmarks).
    private(set) var stats = BatchStats()

    /// Whether claimed calls wait to run.
    var holdsCalls: Bool { !held.isEmpty }

    /// Runs the next held call, first claiming a batch when none is held (one call without
    /// `chaining`); commits finished calls when the batch is done, when it has been held
    /// long, when the call had a deadline (a finished call's claim must not look overrunning
    /// to the master), or without `chaining`, and then, with `chaining` and nothing left, claims the
    /// next batch in the same transaction. `started` is told each call before it runs, and
    /// `nil` once it has run. `chainAfterBody` is asked once each body has run: false (the
    /// worker retires, e.g. past `--max-memory`) commits the finished calls and claims nothing
    /// more; the calls still held go back with ``putBack(huey:batching:owner:)``.
    /// Returns false when the queue was empty.
    /// - Throws: ``StorageError``; then the batch is dropped from here (its claims stay
    ///   with the owner, to be recovered) — none is lost.
    mutating func runNext(
        huey: Huey, storage: StorageCapabilities, batching: any BatchClaimingStorage, owner: ClaimOwner,
        chaining: Bool, started: (Claim?) -> Void, chainAfterBody: () -> Bool = { true }
    ) throws -> Bool {
        do {
            if held.isEmpty {
                try commit(huey: huey, batching: batching, owner: owner, claiming: chaining ? size.limit : 1)
                guard !held.isEmpty else {
                    try huey.flushStatistics(in: storage.storage)  // idle: write the counts not yet written
                    return false
                }
            }
            let claim = held.removeFirst()
            let unrevoked = firstUnrevoked
            firstUnrevoked = false
            let start = ContinuousClock.now
            if finishedSince == nil { finishedSince = start }
            started(claim)
            let plan = try huey.plan(for: claim, in: storage.storage, unrevoked: unrevoked)
            started(nil)
            size.record(taskSeconds: (ContinuousClock.now - start).seconds)
            finished.append((claim, plan))
            guard chainAfterBody() else {
                try commit(huey: huey, batching: batching, owner: owner, claiming: 0)
                return true
            }
            let heldLong = finishedSince.map { (ContinuousClock.now - $0).seconds > BatchSize.holdAtMost } ?? false
            if held.isEmpty || !chaining || heldLong || plan.setDeadline {
                try commit(huey: huey, batching: batching, owner: owner, claiming: held.isEmpty && chaining ? size.limit : 0)
            }
            return true
        } catch {
            for call in finished { call.plan.trace?.end(ackFailedWith: error) }
            held = []
            finished = []
            finishedSince = nil
            throw error
        }
    }

    /// Commits the finished calls and gives the calls not started back to the queue.
    /// - Throws: ``StorageError``; the claims not yet acknowledged or released stay with
    ///   their owner, to be recovered once it is gone.
    mutating func putBack(huey: Huey, batching: any BatchClaimingStorage, owner: ClaimOwner) throws {
        try commit(huey: huey, batching: batching, owner: owner, claiming: 0)
        while let claim = held.first {
            try batching.release(claim)
            held.removeFirst()
        }
    }

    /// One transaction: acknowledges the finished calls and claims up to `limit` more,
    /// then sends the committed calls' signals.
    private mutating func commit(
        huey: Huey, batching: any BatchClaimingStorage, owner: ClaimOwner, claiming limit: Int
    ) throws {
        guard !finished.isEmpty || limit > 0 else { return }
        var acks = finished.map { ClaimAck(claim: $0.claim, writes: $0.plan.writes) }
        // A worker's counts: each call's with its own ack, and the buffer's with the first,
        // when a write of the buffer is due; otherwise into the buffer once committed.
        let buffered = finished.map { $0.plan.keepsStatistics && $0.plan.buffered ? $0.plan.tally : nil }
        let taken = buffered.contains { $0 != nil } ? huey.statsBuffer.take() : nil
        if let taken {
            for index in acks.indices { if let tally = buffered[index] { acks[index].writes.append(.tally(tally)) } }
            acks[0].writes += taken.map { .tally($0) }
        }
        let outcome: BatchAck
        do {
            outcome = try batching.ack(
                acks, claimingUpTo: limit, for: owner, now: huey.clock().timeIntervalSince1970,
                lookingForPrefixes: Huey.revocationPrefixes)
        } catch {
            if let taken { huey.statsBuffer.add(taken) }
            // Their claims stay with the owner, to be recovered: their runs end here.
            for call in finished { call.plan.trace?.end(ackFailedWith: error) }
            finished = []
            finishedSince = nil
            throw error
        }
        if let taken, outcome.acked.first != true { huey.statsBuffer.add(taken) }
        let committed = finished
        finished = []
        finishedSince = nil
        held += outcome.next
        if !outcome.next.isEmpty {
            firstUnrevoked = !outcome.foundPrefix
            stats.claims += 1
            stats.calls += outcome.next.count
            stats.largest = max(stats.largest, outcome.next.count)
        }
        // Not acked: recovered by someone else meanwhile; nothing was written, nothing is signalled.
        for (index, (call, acked)) in zip(committed, outcome.acked).enumerated() {
            if acked, taken == nil, let tally = buffered[index] { huey.statsBuffer.add(tally) }
            huey.announce(call.plan, acked: acked)
        }
    }
}

/// How a worker's batches went: claiming transactions, the calls they took, the largest.
public struct BatchStats: Sendable, Hashable {
    /// Transactions that claimed at least one call.
    public var claims = 0
    /// Calls claimed by them.
    public var calls = 0
    /// The most calls one of them claimed.
    public var largest = 0
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
