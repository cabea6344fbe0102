import Foundation

/// Claims (table `claim`): a dequeue that remembers who took the message. A claim's
/// token is its row id; ids are AUTOINCREMENT, so a token is never reused and a stale
/// ack can never drop somebody else's claim.
extension SqliteStorage {
    /// In one transaction: takes the next message from `task` and records it in `claim`
    /// as owned by `owner`. With `fsync`, this commit is not flushed to the disk: the ack
    /// that follows is, and a claim lost to a power cut only puts its message back in the
    /// queue (the call runs again — at least once, never lost).
    /// - Throws: ``StorageError``; then nothing was taken.
    public func claim(owner: ClaimOwner, now: Double) throws -> Claim? {
        try writeWithoutSync { try takeNext(owner: owner, now: now, on: $0) }
    }

    /// Moves the next message from `task` to `claim`, inside the caller's transaction.
    func takeNext(owner: ClaimOwner, now: Double, on connection: SQLiteConnection) throws -> Claim? {
        guard try !isPaused(on: connection) else { return nil }  // one primary-key lookup (SqliteStorage+Fleet)
        let taken = try connection.queryFirst(SqliteSQL.takeNext, [.text(name)]) { ($0.blob(0), $0.double(1)) }
        guard let (data, priority) = taken else { return nil }
        return try insertClaim(data: data, priority: priority, owner: owner, now: now, on: connection)
    }

    /// Records `data`, just taken from `task`, as claimed by `owner`, inside the caller's transaction.
    func insertClaim(
        data: [UInt8], priority: Double, owner: ClaimOwner, now: Double, on connection: SQLiteConnection
    ) throws -> Claim {
        let values: [SQLiteValue] = [
            .text(name), .blob(data), .real(priority), .integer(Int64(owner.pid)),
            .integer(Int64(bitPattern: owner.startTime)), .real(now),
        ]
        guard let id = try connection.queryFirst(SqliteSQL.insertClaim, values, row: { $0.int64(0) }) else {
            throw StorageError(code: .io, message: "SQLite returned no id for a new claim in \(filename)")
        }
        return Claim(token: String(id), data: data, priority: priority, owner: owner, claimedAt: now)
    }

    /// Sets (or clears) the claim's deadline; no effect when the claim is gone. Not flushed
    /// to the disk with `fsync` either: a deadline only matters while its owner runs, and a
    /// power cut ends the owner.
    /// - Throws: ``StorageError``.
    public func setDeadline(_ claim: Claim, deadline: Double?) throws {
        guard let id = Int64(claim.token) else { return }
        try writeWithoutSync { try $0.run(SqliteSQL.setDeadline, [.text(name), .integer(id), .optionalReal(deadline)]) }
    }

    /// In one transaction: drops the claim and applies `writes`. Returns false, applying
    /// nothing, when the claim no longer exists.
    /// - Throws: ``StorageError``; then nothing was applied and the claim stays.
    @discardableResult
    public func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool {
        try write { try acknowledge(claim, writes: writes, on: $0) }
    }

    /// Drops the claim and applies `writes`, inside the caller's transaction; false,
    /// applying nothing, when the claim is gone.
    func acknowledge(_ claim: Claim, writes: [StorageWrite], on connection: SQLiteConnection) throws -> Bool {
        guard let id = Int64(claim.token) else { return false }
        let dropped = try connection.queryFirst(SqliteSQL.dropClaim, [.text(name), .integer(id)]) { _ in true }
        guard dropped != nil else { return false }
        for item in writes { try apply(item, on: connection) }
        return true
    }

    private func apply(_ item: StorageWrite, on connection: SQLiteConnection) throws {
        switch item {
        case .put(let key, let value):
            try connection.run(SqliteSQL.put, [.text(name), .text(key), .blob(value)])
        case .enqueue(let data, let priority):
            try connection.run(SqliteSQL.enqueue, [.text(name), .blob(data), .real(priority)])
        case .schedule(let data, let timestamp):
            try connection.run(SqliteSQL.addToSchedule, [.text(name), .blob(data), .real(timestamp)])
        case .dead(let data, let reason):
            try addDead(data, reason: reason, on: connection)
        case .completeChord(let completion):
            var values: [[UInt8]] = []
            for key in completion.memberKeys {
                guard let value = try connection.queryFirst(SqliteSQL.peek, [.text(name), .text(key)], row: { $0.blob(0) })
                else { return }
                values.append(value)
            }
            for key in completion.memberKeys { try connection.run(SqliteSQL.deleteKey, [.text(name), .text(key)]) }
            try apply(completion.callbackWrite(values: values), on: connection)
            completion.outcome.markCompleted()
        case .tally(let tally):
            try connection.run(SqliteSQL.addTally, SqliteSQL.tallyValues(tally, queue: name))
        }
    }

    /// In one transaction: drops the claim and puts its message back in the queue with
    /// its priority (behind messages of the same priority). False when the claim is gone.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func release(_ claim: Claim) throws -> Bool {
        guard let id = Int64(claim.token) else { return false }
        return try write { connection in
            let dropped = try connection.queryFirst(SqliteSQL.dropClaim, [.text(name), .integer(id)]) {
                ($0.blob(0), $0.double(1))
            }
            guard let (data, priority) = dropped else { return false }
            try connection.run(SqliteSQL.enqueue, [.text(name), .blob(data), .real(priority)])
            return true
        }
    }

    /// Every outstanding claim of this queue, oldest first.
    /// - Throws: ``StorageError``.
    public func claims() throws -> [Claim] {
        try withConnection {
            try $0.query(SqliteSQL.claims, [.text(name)]) { row in
                let owner = ClaimOwner(
                    pid: Int32(truncatingIfNeeded: row.int64(3)), startTime: UInt64(bitPattern: row.int64(4)))
                return Claim(
                    token: String(row.int64(0)), data: row.blob(1), priority: row.double(2), owner: owner,
                    claimedAt: row.double(5), deadline: row.optionalDouble(6))
            }
        }
    }
}
