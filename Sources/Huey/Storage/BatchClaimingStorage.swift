/// A storage that acknowledges several claims and claims several next messages in one
/// transaction, so a worker draining a deep queue commits (and, with `fsync`, flushes to
/// the disk) once per batch of tasks instead of once per task.
///
/// Workers use it through ``TaskRunner``, which picks how many calls to ask for
/// (``BatchSize``). Every message claimed this way is an ordinary claim of its own: owned
/// by `owner`, recovered like any other when its owner dies, released with
/// ``Storage/release(_:)``.
public protocol BatchClaimingStorage: ChainingStorage {
    /// In one transaction: acknowledges each of `acks` in order, as ``Storage/ack(_:writes:)``
    /// does; then, when `limit` is above 0, counts the messages waiting and claims the first
    /// `max(1, min(limit, waiting / 2))` of them for `owner` in priority order (FIFO among
    /// equal priorities), so a worker never takes more than half of a queue and takes one
    /// call from a short one; and looks for keys starting with `prefixes` (as
    /// ``KeyPrefixStorage/hasKey(withAnyPrefixOf:)``) when it claimed any.
    /// - Parameters:
    ///   - acks: The claims to drop, each with the writes applied with it.
    ///   - limit: The most messages to claim; 0 claims none.
    ///   - owner: Who owns the claims taken.
    ///   - now: The claims' time (Unix seconds).
    ///   - prefixes: Key prefixes to look for (Huey's revocation prefixes).
    /// - Throws: ``StorageError``; then nothing was applied, every claim of `acks` stays and
    ///   nothing new was claimed.
    func ack(
        _ acks: [ClaimAck], claimingUpTo limit: Int, for owner: ClaimOwner, now: Double,
        lookingForPrefixes prefixes: [String]
    ) throws -> BatchAck
}

/// A claim to acknowledge with the writes that go with it (see ``BatchClaimingStorage``).
public struct ClaimAck: Sendable {
    /// The claim to drop.
    public var claim: Claim
    /// Applied with the drop, in order.
    public var writes: [StorageWrite]

    /// Makes one.
    public init(claim: Claim, writes: [StorageWrite]) {
        self.claim = claim
        self.writes = writes
    }
}

/// What ``BatchClaimingStorage/ack(_:claimingUpTo:for:now:lookingForPrefixes:)`` did and found.
public struct BatchAck: Sendable, Hashable {
    /// For each acknowledgement asked, in order: whether its claim still existed (and so
    /// its writes were applied).
    public var acked: [Bool]
    /// The messages now claimed, in the order they are to run.
    public var next: [Claim]
    /// Whether a key with one of the prefixes asked for existed in the transaction (`true`
    /// also when the storage cannot tell; `false` when nothing was claimed). A storage that
    /// cannot search keys by prefix may answer for the first claimed call's own revocation
    /// keys only (Redis does): either way, `false` means that call needs no revocation lookup.
    public var foundPrefix: Bool
    /// How many messages were waiting before the claim, counted up to twice the limit.
    public var waiting: Int

    /// Makes an outcome.
    public init(acked: [Bool], next: [Claim], foundPrefix: Bool, waiting: Int) {
        self.acked = acked
        self.next = next
        self.foundPrefix = foundPrefix
        self.waiting = waiting
    }
}
