import Foundation
import Huey

/// Claims (`<prefix>_claim`), acknowledgements, dead letters, and owners on several
/// machines. A claim's token is its row id (a `bigserial`, never reused), so a stale ack can
/// never drop somebody else's claim.
extension PostgresStorage: ChainingStorage {
    /// Moves the next message to the claims for `owner`, in one statement.
    /// - Throws: ``StorageError``; then nothing was taken.
    public func claim(owner: ClaimOwner, now: Double) throws -> Claim? {
        try withConnection("claim a message") { try takeNext(owner: owner, now: now, on: $0) }
    }

    /// Moves the next message (skipping rows other transactions are taking) to the claims.
    func takeNext(owner: ClaimOwner, now: Double, on connection: PostgresConnection) throws -> Claim? {
        let values: [PostgresValue] = [
            .text(name), .text(owner.host), .integer(Int(owner.pid)), .integer(Int(bitPattern: UInt(owner.startTime))),
            .double(now),
        ]
        guard let row = try connection.run(sql.claimNext, values).first else { return nil }
        guard let id = row.int(0), let data = row.bytes(1), let priority = row.double(2) else {
            throw StorageError(code: .corrupt, message: "postgres queue \(name): unexpected row for a new claim")
        }
        return Claim(token: String(id), data: data, priority: priority, owner: owner, claimedAt: now)
    }

    public func setDeadline(_ claim: Claim, deadline: Double?) throws {
        guard let id = Int(claim.token) else { return }
        try withConnection("set a deadline") {
            try $0.run(sql.setDeadline, [.text(name), .integer(id), deadline.map { .double($0) } ?? .null])
        }
    }

    @discardableResult
    public func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool {
        try write("acknowledge a claim") { try acknowledge(claim, writes: writes, on: $0) }
    }

    /// In one transaction: acknowledges `claim`, claims the next message for `owner` and,
    /// when one was claimed, looks for keys starting with `prefixes`.
    /// - Throws: ``StorageError``; then nothing was applied and nothing claimed.
    public func ack(
        _ claim: Claim, writes: [StorageWrite], claimingNextFor owner: ClaimOwner, now: Double,
        lookingForPrefixes prefixes: [String]
    ) throws -> ChainedAck {
        try write("acknowledge a claim and claim the next") { connection in
            let acked = try acknowledge(claim, writes: writes, on: connection)
            guard let next = try takeNext(owner: owner, now: now, on: connection) else {
                return ChainedAck(acked: acked, next: nil, foundPrefix: false)
            }
            let found = try hasKey(withAnyPrefixOf: prefixes, on: connection)
            return ChainedAck(acked: acked, next: next, foundPrefix: found)
        }
    }

    /// Drops the claim and applies `writes` inside the caller's transaction; false, applying
    /// nothing, when the claim is gone. Notifies the channel when a write enqueues.
    private func acknowledge(_ claim: Claim, writes: [StorageWrite], on connection: PostgresConnection) throws -> Bool {
        guard let id = Int(claim.token),
            !(try connection.run(sql.dropClaim, [.text(name), .integer(id)]).isEmpty)
        else { return false }
        var enqueued = false
        for item in writes { try apply(item, on: connection, enqueued: &enqueued) }
        if enqueued { try connection.run(sql.notify, [.text(channel)]) }
        return true
    }

    private func apply(_ item: StorageWrite, on connection: PostgresConnection, enqueued: inout Bool) throws {
        switch item {
        case .put(let key, let value):
            try connection.run(sql.put, [.text(name), .text(key), .bytes(value)])
        case .enqueue(let data, let priority):
            try connection.run(sql.enqueue, [.text(name), .bytes(data), .double(priority)])
            enqueued = true
        case .schedule(let data, let timestamp):
            try connection.run(sql.addToSchedule, [.text(name), .bytes(data), .double(timestamp)])
        case .dead(let data, let reason):
            try connection.run(
                sql.addDead, [.text(name), .bytes(data), .text(reason), .double(Date().timeIntervalSince1970)])
        case .completeChord(let completion):
            var values: [[UInt8]] = []
            for key in completion.memberKeys {
                guard let value = try connection.run(sql.peek, [.text(name), .text(key)]).first?.bytes(0) else {
                    return
                }
                values.append(value)
            }
            for key in completion.memberKeys { try connection.run(sql.deleteKey, [.text(name), .text(key)]) }
            try apply(completion.callbackWrite(values: values), on: connection, enqueued: &enqueued)
            completion.outcome.markCompleted()
        case .tally:
            break  // This storage keeps no statistics (Storage's defaults).
        }
    }

    /// In one transaction: drops the claim and puts its message back in the queue with its
    /// priority (behind messages of the same priority). False when the claim is gone.
    @discardableResult
    public func release(_ claim: Claim) throws -> Bool {
        guard let id = Int(claim.token) else { return false }
        return try write("release a claim") { connection in
            guard let row = try connection.run(sql.dropClaim, [.text(name), .integer(id)]).first,
                let data = row.bytes(0)
            else { return false }
            try connection.run(sql.enqueue, [.text(name), .bytes(data), .double(row.double(1) ?? 0)])
            try connection.run(sql.notify, [.text(channel)])
            return true
        }
    }

    public func claims() throws -> [Claim] {
        try withConnection("list claims") { connection in
            try connection.run(sql.claims, [.text(name)]).compactMap { row in
                guard let id = row.int(0), let data = row.bytes(1), let host = row.string(3), let pid = row.int(4),
                    let start = row.int(5)
                else { return nil }
                let owner = ClaimOwner(
                    pid: Int32(truncatingIfNeeded: pid), startTime: UInt64(UInt(bitPattern: start)), host: host)
                return Claim(
                    token: String(id), data: data, priority: row.double(2) ?? 0, owner: owner,
                    claimedAt: row.double(6) ?? 0, deadline: row.double(7))
            }
        }
    }

    // MARK: Owners on several machines

    /// Local owners: /proc. Owners on another machine: alive while that machine's
    /// heartbeat row has not expired (on the server's clock).
    public func isAlive(_ owner: ClaimOwner) throws -> Bool {
        if owner.isLocal { return owner.isAlive }
        return try withConnection("look up the heartbeat of \(owner.host)") {
            try !$0.run(sql.hostAlive, [.text(name), .text(owner.host)]).isEmpty
        }
    }

    /// Sets this machine's heartbeat row to expire `ownerTimeout` seconds from now; sent at
    /// most every sixth of that, however often it is called.
    public func heartbeat(now: Double) throws {
        try heartbeats.sendIfDue(now: now, every: ownerTimeout / 6) {
            try withConnection("send a heartbeat") {
                _ = try $0.run(sql.heartbeat, [.text(name), .text(ClaimOwner.localHost), .double(ownerTimeout)])
            }
        }
    }

    // MARK: Dead letters

    public func addDead(_ data: [UInt8], reason: String) throws {
        try withConnection("keep a dead letter") {
            try $0.run(sql.addDead, [.text(name), .bytes(data), .text(reason), .double(Date().timeIntervalSince1970)])
        }
    }

    public func deadItems() throws -> [DeadLetter] {
        try withConnection("list dead letters") { connection in
            try connection.run(sql.deadItems, [.text(name)]).map { row in
                DeadLetter(
                    data: row.bytes(0) ?? [], reason: row.string(1) ?? "", timestamp: row.double(2) ?? 0,
                    id: row.int(3).map { String($0) } ?? "")
            }
        }
    }

    public func flushDead() throws {
        try withConnection("flush dead letters") { try $0.run(sql.flushDead, [.text(name)]) }
    }
}
