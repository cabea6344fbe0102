import Foundation
import Huey

/// Fleet state (periodic slots, the consumer registry, the pause flag) as plain Redis keys
/// under `huey.<name>.fleet.`, expiring by Redis itself (`PX`); a put-if-empty is `SET NX`.
/// The claim script looks for the pause flag before it takes a message.
extension RedisStorage {
    private func fleetKey(_ key: String) -> [UInt8] { Self.argument(keys.fleetPrefix + key) }

    /// `SET` (with `NX` for `onlyIfAbsent`, `PX` for an expiry, counted from `now`).
    /// - Throws: ``StorageError``.
    public func putFleetValue(key: String, value: [UInt8], expiresAt: Double?, onlyIfAbsent: Bool, now: Double) throws
        -> Bool
    {
        var arguments = [Self.argument("SET"), fleetKey(key), value]
        if let expiresAt {
            arguments += [Self.argument("PX"), Self.argument(max(1, Int(((expiresAt - now) * 1000).rounded(.up))))]
        }
        if onlyIfAbsent { arguments.append(Self.argument("NX")) }
        let reply = try redis("store fleet key \(key)") { try $0.command(arguments) }
        return !reply.isNull
    }

    /// The live keys under `prefix` (SCAN, then MGET).
    /// - Throws: ``StorageError``.
    public func fleetValues(prefix: String, now: Double) throws -> [String: [UInt8]] {
        let found = try scanKeys(prefix: keys.fleetPrefix + prefix, doing: "list fleet keys")
        guard !found.isEmpty else { return [:] }
        let reply = try redis("read fleet keys") { try $0.command([Self.argument("MGET")] + found.map(Self.argument)) }
        var values: [String: [UInt8]] = [:]
        for (key, value) in zip(found, Self.optionalBytes(reply)) {
            if let value { values[String(key.dropFirst(keys.fleetPrefix.count))] = value }  // nil: expired meanwhile
        }
        return values
    }

    /// `DEL`; says whether the key was there. Deleting the pause flag (a resume) pushes
    /// wake-up tokens, so idle workers blocked on them look at the queue at once.
    /// - Throws: ``StorageError``.
    public func deleteFleetValue(key: String) throws -> Bool {
        let removed = try command("delete fleet key \(key)", Self.argument("DEL"), fleetKey(key)).integer == 1
        if removed && key == FleetKeys.paused {
            let tokens = [[UInt8]](repeating: Self.argument("1"), count: 16)
            _ = try redis("wake workers") { try $0.command([Self.argument("LPUSH"), Self.argument(keys.wake)] + tokens) }
            _ = try command("trim wake-ups", Self.argument("LTRIM"), Self.argument(keys.wake), Self.argument(0), Self.argument(63))
        }
        return removed
    }

    /// The claim script looks for the pause flag.
    public var claimsHonorPause: Bool { true }

    // MARK: One dead letter

    /// A dead letter's id: the first 16 hex digits of the SHA-1 of its record (the list
    /// holds no other handle; two identical records are the same letter twice).
    static func deadLetterID(_ record: [UInt8]) -> String { String(SHA1.hex(record).prefix(16)) }

    /// The record of dead letter `id`, if listed.
    private func deadRecord(_ id: String) throws -> [UInt8]? {
        let records = Self.bytes(
            try command(
                "list dead letters", Self.argument("LRANGE"), Self.argument(keys.dead), Self.argument(0),
                Self.argument(-1)))
        return records.first { Self.deadLetterID($0) == id }
    }

    /// In one script: removes the letter's record and queues its message with `priority`.
    /// - Throws: ``StorageError``.
    public func requeueDead(id: String, priority: Double) throws -> Bool {
        guard let record = try deadRecord(id) else { return false }
        let data = Self.parseDead(record)?.data ?? record
        let reply = try run(RedisScripts.requeueDead, "requeue a dead letter", [record, data, Self.argument(priority)])
        return reply.integer == 1
    }

    /// Removes the letter's record (`LREM`).
    /// - Throws: ``StorageError``.
    public func discardDead(id: String) throws -> Bool {
        guard let record = try deadRecord(id) else { return false }
        return try command("discard a dead letter", Self.argument("LREM"), Self.argument(keys.dead), Self.argument(1), record)
            .integer == 1
    }
}
