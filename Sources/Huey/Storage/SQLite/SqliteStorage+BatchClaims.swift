/// Acknowledging a batch of claims and claiming the next batch in one `BEGIN IMMEDIATE`
/// transaction: a worker on a deep queue commits (and, with `fsync`, flushes) once per batch
/// — group commit: every acknowledgement of the batch shares one flush.
extension SqliteStorage: BatchClaimingStorage {
    /// In one transaction: drops each claim of `acks` with its writes (as
    /// ``ack(_:writes:)``), then claims up to `limit` messages for `owner` — never more than
    /// half of those waiting, at least one — and, when it claimed any, looks for keys
    /// starting with `prefixes`. Each message gets a claim row of its own; their ids rise
    /// in the order the messages are to run (priority, then FIFO).
    /// - Throws: ``StorageError``; then nothing was applied, every claim of `acks` stays
    ///   and nothing new was claimed.
    public func ack(
        _ acks: [ClaimAck], claimingUpTo limit: Int, for owner: ClaimOwner, now: Double,
        lookingForPrefixes prefixes: [String]
    ) throws -> BatchAck {
        let body = { (connection: SQLiteConnection) throws -> BatchAck in
            let acked = try acks.map { try self.acknowledge($0.claim, writes: $0.writes, on: connection) }
            guard limit > 0 else { return BatchAck(acked: acked, next: [], foundPrefix: false, waiting: 0) }
            let (next, waiting) = try self.takeBatch(upTo: limit, owner: owner, now: now, on: connection)
            let found = next.isEmpty ? false : try self.hasKey(withAnyPrefixOf: prefixes, on: connection)
            return BatchAck(acked: acked, next: next, foundPrefix: found, waiting: waiting)
        }
        // With `fsync`, only acknowledgements are flushed: a claim lost to a power cut only
        // puts its message back in the queue (see ``claim(owner:now:)``). With acks, the
        // one flush makes every result of the batch durable before any is announced.
        return try acks.isEmpty ? writeWithoutSync(body) : write(body)
    }

    /// Counts the messages waiting (up to `2 * limit`) and moves the first
    /// `max(1, min(limit, waiting / 2))` of them to `claim`, inside the caller's transaction.
    /// A paused queue gives none, and counts as empty.
    private func takeBatch(
        upTo limit: Int, owner: ClaimOwner, now: Double, on connection: SQLiteConnection
    ) throws -> (claims: [Claim], waiting: Int) {
        guard try !isPaused(on: connection) else { return ([], 0) }  // as takeNext: one primary-key lookup
        let cap = 2 * limit
        let waiting = try connection.queryFirst(SqliteSQL.countWaiting, [.text(name), .integer(Int64(cap))]) {
            Int($0.int64(0))
        } ?? 0
        let count = max(1, min(limit, waiting / 2))
        if count == 1 {
            return (try takeNext(owner: owner, now: now, on: connection).map { [$0] } ?? [], waiting)
        }
        // RETURNING gives rows in no promised order: put them back in queue order.
        let taken = try connection.query(SqliteSQL.takeMany, [.text(name), .integer(Int64(count))]) {
            (id: $0.int64(0), data: $0.blob(1), priority: $0.double(2))
        }.sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id < $1.id }
        return (try taken.map { try insertClaim(data: $0.data, priority: $0.priority, owner: owner, now: now, on: connection) }, waiting)
    }
}
