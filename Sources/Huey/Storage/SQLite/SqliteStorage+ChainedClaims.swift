/// Acknowledging a claim and claiming the next message in one `BEGIN IMMEDIATE`
/// transaction: a busy worker's one commit (and, with `fsync`, its one flush) per task.
extension SqliteStorage: ChainingStorage {
    /// In one transaction: drops `claim` and applies `writes` (as ``ack(_:writes:)``), moves
    /// the next message to `claim` for `owner` (as ``claim(owner:now:)``) and, when a message
    /// was claimed, looks for keys starting with `prefixes` (as ``hasKey(withAnyPrefixOf:)``).
    /// - Throws: ``StorageError``; then nothing was applied, `claim` stays and nothing new
    ///   was claimed.
    public func ack(
        _ claim: Claim, writes: [StorageWrite], claimingNextFor owner: ClaimOwner, now: Double,
        lookingForPrefixes prefixes: [String]
    ) throws -> ChainedAck {
        try write { connection in
            let acked = try acknowledge(claim, writes: writes, on: connection)
            guard let next = try takeNext(owner: owner, now: now, on: connection) else {
                return ChainedAck(acked: acked, next: nil, foundPrefix: false)
            }
            let found = try hasKey(withAnyPrefixOf: prefixes, on: connection)
            return ChainedAck(acked: acked, next: next, foundPrefix: found)
        }
    }
}
