import Foundation

/// The one claim-execute loop, shared by worker processes, worker threads, immediate mode
/// and tests: claims the next call for its owner and runs it with ``Huey/execute(_:in:)``.
///
/// With `chaining` on a ``ChainingStorage`` (looked up once, when the runner is made), the
/// ack of one call claims the next in the same transaction, so a busy worker commits once
/// per task; that call is held here and run by the next ``runNext(chaining:)``. On a
/// ``BatchClaimingStorage`` a chaining runner claims and acknowledges calls in batches
/// instead (``ClaimBatch``, sized by ``BatchSize``): one commit per batch on a deep queue,
/// one call at a time on a short one. A runner that stops while holding calls gives them
/// back with ``putBack()``. After each call, or finding the queue empty, it records the
/// queue's depth for swift-metrics when a second has passed (``QueueDepthGauge``).
///
/// Not thread-safe: each worker has its own runner.
public struct TaskRunner {
    /// The queue whose calls run.
    public let huey: Huey
    /// Who owns the claims taken.
    public let owner: ClaimOwner
    private let storage: StorageCapabilities
    /// A call claimed with the previous call's ack: the next one to run.
    private var next: NextCall?
    /// The batch, on a ``BatchClaimingStorage``.
    private var batch = ClaimBatch()
    /// The queue depth, sent to swift-metrics at most once a second (``QueueDepthGauge``).
    private var depth = QueueDepthGauge()
    /// Told each call just before it runs, and `nil` once it has run (a worker process
    /// shows its master which of its claims is running: see ``ClaimBatch``).
    public var willRun: (Claim?) -> Void = { _ in }

    /// Makes a runner over `storage` (default: the Huey's storage in use now).
    public init(huey: Huey, owner: ClaimOwner = .current, storage: (any Storage)? = nil) {
        self.huey = huey
        self.owner = owner
        self.storage = storage.map(StorageCapabilities.init) ?? huey.capabilities
    }

    /// Whether a call claimed by the last ack is waiting to run.
    public var holdsNextCall: Bool { next != nil || batch.holdsCalls }

    /// The batches claimed so far (on a ``BatchClaimingStorage``; zero otherwise).
    public var batchStats: BatchStats { batch.stats }

    /// Runs the call claimed by the previous ack, or else claims one and runs it. With
    /// `chaining`, this call's ack also claims the next one (see the type's documentation);
    /// without, nothing new is held afterwards. `chainAfterBody` is asked after the body has
    /// run and before the ack: false claims nothing with it (default: always chain).
    /// Returns false when the queue was empty.
    /// - Throws: ``StorageError`` when the storage fails; the claim then stays with its
    ///   owner, to be recovered (see ``Huey/interrupt(_:in:)``) — the call is never lost.
    @discardableResult
    public mutating func runNext(chaining: Bool = false, chainAfterBody: () -> Bool = { true }) throws -> Bool {
        let ran = try runOne(chaining: chaining, chainAfterBody: chainAfterBody)
        depth.recordIfDue(huey: huey, storage: storage.storage)
        return ran
    }

    /// ``runNext(chaining:chainAfterBody:)`` without the queue depth.
    private mutating func runOne(chaining: Bool, chainAfterBody: () -> Bool) throws -> Bool {
        if let batching = storage.batching {
            return try batch.runNext(
                huey: huey, storage: storage, batching: batching, owner: owner, chaining: chaining, started: willRun,
                chainAfterBody: chainAfterBody)
        }
        let chainFor = chaining ? owner : nil
        if let held = next {
            next = nil
            willRun(held.claim)
            next = try huey.execute(
                held.claim, unrevoked: held.claimedUnrevoked, in: storage, claimingNextFor: chainFor,
                chainAfterBody: chainAfterBody)
            willRun(nil)
            return true
        }
        guard let claim = try storage.storage.claim(owner: owner, now: huey.clock().timeIntervalSince1970) else {
            try huey.flushStatistics(in: storage.storage)  // idle: write the counts not yet written
            return false
        }
        willRun(claim)
        next = try huey.execute(
            claim, unrevoked: false, in: storage, claimingNextFor: chainFor, chainAfterBody: chainAfterBody)
        willRun(nil)
        return true
    }

    /// Runs calls until the queue is empty (without chaining); returns how many ran.
    /// - Throws: ``StorageError``, as ``runNext(chaining:)``.
    @discardableResult
    public mutating func runUntilEmpty() throws -> Int {
        var count = 0
        while try runNext() { count += 1 }
        return count
    }

    /// Gives the calls claimed by the last ack, not yet run, back to the queue (the runner
    /// is stopping), after committing a batch's finished calls. Nothing to do when none is held.
    /// - Throws: ``StorageError``; the calls then stay claimed by ``owner``, and are recovered
    ///   once the owner is gone.
    public mutating func putBack() throws {
        if let batching = storage.batching {
            try batch.putBack(huey: huey, batching: batching, owner: owner)
        }
        guard let held = next else { return }
        try storage.storage.release(held.claim)
        next = nil
    }
}

/// A call claimed by the ack of the call before it, with what that transaction found.
struct NextCall: Sendable, Hashable {
    /// The claim.
    let claim: Claim
    /// Whether the transaction that claimed it found no revocation at all, so running it
    /// needs no revocation lookup: a revocation is honoured by every call claimed after it.
    let claimedUnrevoked: Bool
}
