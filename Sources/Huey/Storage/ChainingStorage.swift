/// A storage that can acknowledge one claim and claim the next message in a single
/// transaction, so a busy worker commits (and, with `fsync`, flushes to the disk) once per
/// task instead of twice.
///
/// Workers use it through ``TaskRunner/runNext(chaining:)`` and fall back to
/// ``Storage/ack(_:writes:)`` plus ``Storage/claim(owner:now:)`` for storages that are not
/// chaining ones. The claim taken this way is an ordinary claim: owned by `owner`, recovered
/// like any other when its owner dies, released with ``Storage/release(_:)``.
public protocol ChainingStorage: Storage {
    /// In one transaction: acknowledges `claim` as ``Storage/ack(_:writes:)`` does, then takes
    /// the next message for `owner` as ``Storage/claim(owner:now:)`` does, and looks for keys
    /// starting with `prefixes` (as ``KeyPrefixStorage/hasKey(withAnyPrefixOf:)``). The next
    /// message is claimed even when `claim` was gone (and so nothing of `writes` applied).
    /// - Parameters:
    ///   - claim: The claim to drop.
    ///   - writes: Applied with the drop (results, retries, callbacks, dead letters).
    ///   - owner: Who owns the next claim.
    ///   - now: The next claim's time (Unix seconds).
    ///   - prefixes: Key prefixes to look for in the same transaction; workers pass Huey's
    ///     revocation prefixes, so a call claimed while nothing is revoked needs no lookup.
    /// - Throws: ``StorageError``; then nothing was applied, `claim` stays and nothing new
    ///   was claimed.
    func ack(
        _ claim: Claim, writes: [StorageWrite], claimingNextFor owner: ClaimOwner, now: Double,
        lookingForPrefixes prefixes: [String]
    ) throws -> ChainedAck
}

/// What ``ChainingStorage/ack(_:writes:claimingNextFor:now:lookingForPrefixes:)`` did and found.
public struct ChainedAck: Sendable, Hashable {
    /// Whether the acknowledged claim still existed (and so its writes were applied).
    public var acked: Bool
    /// The next message, now claimed; `nil` when the queue was empty.
    public var next: Claim?
    /// Whether a key with one of the prefixes asked for existed in the transaction (`true`
    /// also when the storage cannot tell).
    public var foundPrefix: Bool

    /// Makes an outcome.
    public init(acked: Bool, next: Claim?, foundPrefix: Bool) {
        self.acked = acked
        self.next = next
        self.foundPrefix = foundPrefix
    }
}
