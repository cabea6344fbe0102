/// A call claimed by the ack of the call before it (see
/// ``Huey/execute(_:in:claimingNextFor:)``). Its owner runs it next with
/// ``Huey/execute(_:in:claimingNextFor:)``, or gives it back with ``Storage/release(_:)``
/// on ``claim`` when it stops first.
public struct NextCall: Sendable, Hashable {
    /// The claim.
    public let claim: Claim
    /// Whether the transaction that claimed it found no revocation at all, so running it
    /// needs no revocation lookup: a revocation is honoured by every call claimed after it.
    let claimedUnrevoked: Bool
}
