import Foundation
import Huey

/// Acknowledging a batch of claims and claiming the next batch in one script
/// (``RedisScripts/writeBatchAndClaim``): Redis runs a script alone, so the whole step is
/// atomic, and a worker on a deep queue makes one round trip per batch for its acks and
/// claims instead of one per task.
extension RedisStorage: BatchClaimingStorage {
    /// In one script: drops each claim of `acks` with its writes (as ``ack(_:writes:)``),
    /// then claims up to `limit` messages for `owner` — never more than half of those
    /// waiting, at least one, none while the queue is paused — each recorded in the claims
    /// hash before it leaves the queue (as ``claim(owner:now:)``), in queue order.
    ///
    /// `foundPrefix`: Redis keeps revocations among the results, where it cannot search by
    /// prefix cheaply, so the script looks only at the first claimed call's own revocation
    /// keys — `prefixes` must then be Huey's two revocation prefixes, a call's then a task's
    /// (`r:`, `rt:`), as a worker passes them. `false` means neither exists, so that call
    /// needs no lookup; `true` otherwise (a key exists, the message is not plain JSON, or
    /// `prefixes` is not that pair), and the worker looks the keys up itself. Later calls of
    /// the batch are always looked up before they start, so a revoke that lands while the
    /// batch is held is honoured.
    ///
    /// A signed chord callback is completed after the script, as ``ack(_:writes:)`` does.
    /// - Throws: ``StorageError``; then nothing was claimed. (An error reply can only come
    ///   from a write this library never encodes; the acks before it stay applied.)
    public func ack(
        _ acks: [ClaimAck], claimingUpTo limit: Int, for owner: ClaimOwner, now: Double,
        lookingForPrefixes prefixes: [String]
    ) throws -> BatchAck {
        let splits = acks.map { AckWrites($0.writes) }
        let revocation = prefixes.count == 2 ? prefixes.map(Self.argument) : [[], []]
        var arguments = [
            Self.argument(Date().timeIntervalSince1970), Self.ownerArgument(owner), Self.argument(now),
            Self.argument(max(limit, 0)),
        ] + revocation + [Self.argument(acks.count)]
        for (ack, split) in zip(acks, splits) {
            let ops = Self.encode(split.inScript)
            arguments += [Self.argument(ack.claim.token), Self.argument(ops.count)] + ops
        }
        let reply = try run(RedisScripts.writeBatchAndClaim, "acknowledge a batch", extraKeys: [keys.paused], arguments)
        guard let parts = reply.array, parts.count >= 3, (parts.count - 3) % 3 == 0,
            let ackReplies = parts[0].array?.compactMap(\.integer), ackReplies.count == acks.count,
            let waiting = parts[1].integer, let revocable = parts[2].integer
        else {
            throw StorageError(code: .corrupt, message: "redis queue \(name): unexpected reply to a batch ack")
        }
        let next = try stride(from: 3, to: parts.count, by: 3).map {
            try claim(fromReply: parts[$0..<($0 + 3)], owner: owner, now: now)
        }
        let acked = try zip(splits, ackReplies).map { try finishAck($0, reply: $1) }
        return BatchAck(acked: acked, next: next, foundPrefix: !next.isEmpty && revocable != 0, waiting: waiting)
    }
}
