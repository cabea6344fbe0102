import Foundation
import Huey

/// Acknowledging a claim and claiming the next message in one script. A ``TaskRunner``
/// on Redis claims in batches instead (see `RedisStorage+BatchClaims.swift`); this is the
/// one-call form that ``BatchClaimingStorage`` refines.
extension RedisStorage: ChainingStorage {
    /// In one script: drops `claim` and applies `writes` (as ``ack(_:writes:)``), then takes
    /// the next message for `owner` (as ``claim(owner:now:)``, so not while the queue is
    /// paused). A signed chord callback is
    /// completed after the script, as ``ack(_:writes:)`` does.
    ///
    /// Revocations live among the results, which Redis cannot search by prefix cheaply,
    /// so `foundPrefix` is always `true`: the worker looks the call's revocation keys up.
    /// - Throws: ``StorageError``; then `claim` stays and nothing new was claimed.
    public func ack(
        _ claim: Claim, writes: [StorageWrite], claimingNextFor owner: ClaimOwner, now: Double,
        lookingForPrefixes prefixes: [String]
    ) throws -> ChainedAck {
        let split = AckWrites(writes)
        let arguments = [
            Self.argument(claim.token), Self.argument(Date().timeIntervalSince1970), Self.ownerArgument(owner),
            Self.argument(now),
        ]
        let reply = try run(
            RedisScripts.writeAndClaim, "acknowledge a claim", extraKeys: [keys.paused],
            arguments + Self.encode(split.inScript))
        guard let parts = reply.array, let ackReply = parts.first?.integer else {
            throw StorageError(code: .corrupt, message: "redis queue \(name): unexpected reply to an ack")
        }
        let next = parts.count > 1 ? try self.claim(fromReply: parts.dropFirst(), owner: owner, now: now) : nil
        let acked = try finishAck(split, reply: ackReply)
        return ChainedAck(acked: acked, next: next, foundPrefix: true)
    }
}
