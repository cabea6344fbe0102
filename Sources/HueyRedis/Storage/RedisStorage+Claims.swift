import Foundation
import Huey

/// Claims, dead letters, heartbeats and owner liveness.
///
/// A claim is a field of the claims hash: token → "host\tpid\tstart\tclaimedAt\tpriority\n"
/// followed by the message. Deadlines live in a second hash under the same token.
extension RedisStorage {
    public func claim(owner: ClaimOwner, now: Double) throws -> Claim? {
        let reply = try run(
            RedisScripts.claim, "claim a message", extraKeys: [keys.paused], [Self.ownerArgument(owner), Self.argument(now)])
        guard let parts = reply.array else { return nil }
        return try claim(fromReply: parts[...], owner: owner, now: now)
    }

    /// How a claim record names its owner: "host\tpid\tstart".
    static func ownerArgument(_ owner: ClaimOwner) -> [UInt8] {
        argument("\(owner.host)\t\(owner.pid)\t\(owner.startTime)")
    }

    /// The claim in a script's reply: token, data, priority.
    /// - Throws: ``StorageError`` (`.corrupt`) when the reply is not that.
    func claim(fromReply parts: ArraySlice<RedisReply>, owner: ClaimOwner, now: Double) throws -> Claim {
        guard parts.count == 3, let token = parts[parts.startIndex].integer, let data = parts[parts.startIndex + 1].bytes,
            let priority = parts[parts.startIndex + 2].string.flatMap(Double.init)
        else {
            throw StorageError(code: .corrupt, message: "redis queue \(name): unexpected reply to a claim")
        }
        return Claim(token: String(token), data: data, priority: priority, owner: owner, claimedAt: now)
    }

    public func setDeadline(_ claim: Claim, deadline: Double?) throws {
        let value = deadline.map(Self.argument) ?? []
        _ = try run(RedisScripts.setDeadline, "set a deadline", [Self.argument(claim.token), value])
    }

    @discardableResult
    /// Applies `writes` and drops the claim in one script; a chord completion is part of it
    /// (its callback is queued by the same script) unless the callback must be signed, which
    /// only this process can do: then it follows the script, with a marker so that it is
    /// queued once (a crash between the two loses that callback — keep signed chords on
    /// SQLite, files or memory where that matters).
    public func ack(_ claim: Claim, writes: [StorageWrite]) throws -> Bool {
        let split = AckWrites(writes)
        let arguments = [Self.argument(claim.token), Self.argument(Date().timeIntervalSince1970)]
        let reply = try run(RedisScripts.write, "acknowledge a claim", arguments + Self.encode(split.inScript))
        return try finishAck(split, reply: reply.integer ?? 0)
    }

    /// An ack's writes: those the script applies, and the chord completions that must
    /// follow it because their callback is signed.
    struct AckWrites {
        var inScript: [StorageWrite] = []
        var signed: [ChordCompletion] = []
        var completions: [ChordCompletion] = []

        init(_ writes: [StorageWrite]) {
            for write in writes {
                guard case .completeChord(let completion) = write else {
                    inScript.append(write)
                    continue
                }
                if completion.sign == nil {
                    inScript.append(write)
                    completions.append(completion)
                } else {
                    signed.append(completion)
                }
            }
        }
    }

    /// After the script answered `reply` (see ``RedisScripts/write``): marks chords the
    /// script completed, completes signed ones; returns whether the claim was acked.
    func finishAck(_ split: AckWrites, reply: Int) throws -> Bool {
        guard reply >= 1 else { return false }
        if reply > 1 { for completion in split.completions { completion.outcome.markCompleted() } }
        for completion in split.signed { try completeAfterAck(completion) }
        return true
    }

    /// Completes a signed chord after its member's ack: the values, a put-if-empty marker
    /// so that only one process queues the callback, the callback, then clean-up.
    private func completeAfterAck(_ completion: ChordCompletion) throws {
        let values = try peekMany(keys: completion.memberKeys)
        let present = values.compactMap { $0 }
        guard present.count == values.count, let first = completion.memberKeys.first else { return }
        let marker = first + ":done"
        guard try putIfEmpty(key: marker, value: Array("1".utf8)) else { return }
        switch completion.callbackWrite(values: present) {
        case .schedule(let data, let timestamp): try addToSchedule(data, timestamp: timestamp)
        case .enqueue(let data, let priority): try enqueue(data, priority: priority)
        default: break
        }
        completion.outcome.markCompleted()
        for key in completion.memberKeys + [marker] { _ = try deleteData(key: key) }
    }

    @discardableResult
    public func release(_ claim: Claim) throws -> Bool {
        try run(RedisScripts.release, "release a claim", [Self.argument(claim.token)]).integer == 1
    }

    public func claims() throws -> [Claim] {
        let (records, deadlines) = try redis("list claims") { connection in
            (try connection.command([Self.argument("HGETALL"), Self.argument(keys.claims)]),
             try connection.command([Self.argument("HGETALL"), Self.argument(keys.deadlines)]))
        }
        var deadlineOf: [String: Double] = [:]
        let deadlinePairs = Self.bytes(deadlines)
        for index in stride(from: 0, to: deadlinePairs.count - 1, by: 2) {
            let token = String(decoding: deadlinePairs[index], as: UTF8.self)
            deadlineOf[token] = Double(String(decoding: deadlinePairs[index + 1], as: UTF8.self))
        }
        var found: [Claim] = []
        let pairs = Self.bytes(records)
        for index in stride(from: 0, to: pairs.count - 1, by: 2) {
            let token = String(decoding: pairs[index], as: UTF8.self)
            guard var claim = Self.parseClaim(token: token, record: pairs[index + 1]) else {
                // Not ours to guess at, and it must not block the recovery of the others: keep
                // the whole record as a dead letter, with the reason.
                try setAside(token: token, record: pairs[index + 1])
                continue
            }
            claim.deadline = deadlineOf[token]
            found.append(claim)
        }
        return found.sorted { (Int($0.token) ?? 0) < (Int($1.token) ?? 0) }
    }

    /// Moves an unreadable claim record to the dead letters (if it is still there).
    private func setAside(token: String, record: [UInt8]) throws {
        let reason = "unreadable claim record \(token) in redis"
        let arguments =
            [Self.argument(token), Self.argument(Date().timeIntervalSince1970)]
            + Self.encode([.dead(data: record, reason: reason)])
        _ = try run(RedisScripts.write, "set aside an unreadable claim", arguments)
    }

    /// Reads a claim record: "host\tpid\tstart\tclaimedAt\tpriority\n" then the message.
    static func parseClaim(token: String, record: [UInt8]) -> Claim? {
        guard let newline = record.firstIndex(of: 10) else { return nil }
        let header = String(decoding: record[..<newline], as: UTF8.self).split(separator: "\t", omittingEmptySubsequences: false)
        guard header.count == 5, let pid = Int32(header[1]), let start = UInt64(header[2]),
            let claimedAt = Double(header[3]), let priority = Double(header[4])
        else { return nil }
        let owner = ClaimOwner(pid: pid, startTime: start, host: String(header[0]))
        return Claim(
            token: token, data: Array(record[(newline + 1)...]), priority: priority, owner: owner, claimedAt: claimedAt)
    }

    // MARK: Owners on several machines

    /// Local owners: /proc. Owners on another machine: alive while that machine's heartbeat
    /// key exists (it expires `ownerTimeout` seconds after the last heartbeat).
    public func isAlive(_ owner: ClaimOwner) throws -> Bool {
        if owner.isLocal { return owner.isAlive }
        return try command("look up the heartbeat of \(owner.host)", Self.argument("EXISTS"), heartbeatKey(owner.host))
            .integer == 1
    }

    /// Sets this machine's heartbeat key, to expire after `ownerTimeout` seconds; sent at
    /// most every sixth of that, however often it is called.
    public func heartbeat(now: Double) throws {
        try heartbeats.sendIfDue(now: now, every: ownerTimeout / 6) {
            _ = try command(
                "send a heartbeat", Self.argument("SET"), heartbeatKey(ClaimOwner.localHost), Self.argument(now),
                Self.argument("PX"), Self.argument(Int(ownerTimeout * 1000)))
        }
    }

    private func heartbeatKey(_ host: String) -> [UInt8] { Self.argument(keys.hostPrefix + host) }

    // MARK: Dead letters

    public func addDead(_ data: [UInt8], reason: String) throws {
        let arguments = [[], Self.argument(Date().timeIntervalSince1970)] + Self.encode([.dead(data: data, reason: reason)])
        _ = try run(RedisScripts.write, "keep a dead letter", arguments)
    }

    public func deadItems() throws -> [DeadLetter] {
        let records = Self.bytes(
            try command(
                "list dead letters", Self.argument("LRANGE"), Self.argument(keys.dead), Self.argument(0),
                Self.argument(-1)))
        // A record that does not parse is still shown, whole, rather than hiding the others.
        return records.map { record in
            var letter =
                Self.parseDead(record) ?? DeadLetter(data: record, reason: "unreadable dead letter record", timestamp: 0)
            letter.id = Self.deadLetterID(record)
            return letter
        }
    }

    /// Reads a dead letter: "timestamp\nreasonLength\n", the reason, then the message.
    static func parseDead(_ record: [UInt8]) -> DeadLetter? {
        guard let first = record.firstIndex(of: 10),
            let second = record[(first + 1)...].firstIndex(of: 10),
            let timestamp = Double(String(decoding: record[..<first], as: UTF8.self)),
            let length = Int(String(decoding: record[(first + 1)..<second], as: UTF8.self)),
            length >= 0, second + 1 + length <= record.count
        else { return nil }
        let reasonEnd = second + 1 + length
        return DeadLetter(
            data: Array(record[reasonEnd...]), reason: String(decoding: record[(second + 1)..<reasonEnd], as: UTF8.self),
            timestamp: timestamp)
    }

    public func flushDead() throws {
        _ = try command("flush dead letters", Self.argument("DEL"), Self.argument(keys.dead))
    }
}
