import Foundation
import Huey

/// Storage in a Redis server, shared by every process and machine that reaches it.
///
/// The four variants of Huey's guide are one class with two switches: `priority` keeps
/// the queue in a sorted set (priority desc, then FIFO) instead of a list (FIFO, priority
/// ignored, as in Huey's `RedisStorage`), and `expireTime` stores each result under a key
/// of its own that Redis deletes after that many seconds instead of in one hash.
///
/// Claims: a Lua script moves the next message atomically into the claims hash, recorded
/// with its owner (machine, pid, start time). A worker that dies leaves the claim there
/// and a consumer recovers it: on the same machine when /proc shows the process gone, from
/// another machine when the owner's machine stopped sending heartbeats for
/// `ownerTimeout` seconds (see ``heartbeat(now:)``). So a live claim is never stolen.
///
/// DESIGN §4 sketched per-consumer claim lists (RPOPLPUSH/LMOVE). A hash keyed by claim token
/// is used instead: an ack names its claim in O(1) (no LREM by value), the master's scans read
/// every claim with one HGETALL (no registry of per-owner keys to keep), and the record carries
/// what a list entry cannot (owner, time, priority). The script makes the move atomic, which
/// is what LMOVE gave.
///
/// Idle workers block in `BLPOP` on a wake-up list that every enqueue pushes to, so they
/// start the next task at once without polling.
///
/// Connections come from a per-process pool: opened lazily in the process that uses them,
/// dropped when broken (the next call reconnects, so a restarted server is picked up again),
/// abandoned after `fork()`.
public final class RedisStorage: Storage, Sendable {
    public let name: String
    /// Whether the queue honours priorities (a sorted set) rather than FIFO only (a list).
    public let priority: Bool
    /// Seconds after which a stored result expires; `nil`: results are kept until read.
    public let expireTime: Double?
    /// Seconds a task lock lives when its holder never releases it (the holder crashed):
    /// Redis locks are not tied to a process as flock locks are, so they expire.
    public let lockTimeout: Double
    /// Seconds without a heartbeat after which another machine's claims are recovered.
    public let ownerTimeout: Double

    /// The server this storage talks to.
    public var configuration: RedisConfiguration { pool.configuration }

    let keys: RedisKeys
    let pool: RedisConnectionPool
    /// The first three arguments of every script (see ``RedisScripts``).
    let scriptPrefix: [[UInt8]]
    /// When this process sends the machine's heartbeat.
    let heartbeats = HeartbeatSchedule()

    /// Makes a storage for the queue `name` on the server `configuration` names. Connects
    /// lazily: the first operation reports an unreachable server.
    /// - Parameters:
    ///   - priority: keep the queue in a sorted set so priorities are honoured.
    ///   - expireTime: seconds after which stored results expire (`nil`: never).
    ///   - lockTimeout: seconds after which an unreleased task lock frees itself.
    ///   - ownerTimeout: seconds without a heartbeat after which the claims of another
    ///     machine are taken back.
    public init(
        name: String, configuration: RedisConfiguration = RedisConfiguration(), priority: Bool = false,
        expireTime: Double? = nil, lockTimeout: Double = 600, ownerTimeout: Double = 30
    ) {
        self.name = name
        self.priority = priority
        self.expireTime = expireTime.flatMap { $0 > 0 ? $0 : nil }
        self.lockTimeout = lockTimeout
        self.ownerTimeout = ownerTimeout
        self.keys = RedisKeys(name: name)
        self.pool = RedisConnectionPool(configuration)
        self.scriptPrefix = [
            Array((priority ? "z" : "l").utf8), Self.argument(self.expireTime ?? 0), Array(keys.resultPrefix.utf8),
        ]
    }

    // MARK: Talking to the server

    /// Runs `body` with a pooled connection, turning Redis errors into ``StorageError``s
    /// that say what was being done.
    func redis<T>(_ doing: String, _ body: (RedisConnection) throws -> T) throws -> T {
        do {
            return try pool.withConnection(body)
        } catch let error as RedisError {
            throw StorageError(redis: error, doing: doing, name: name)
        }
    }

    /// One command.
    func command(_ doing: String, _ arguments: [UInt8]...) throws -> RedisReply {
        try redis(doing) { try $0.command(arguments) }
    }

    /// One of ``RedisScripts`` with this queue's keys and prefix arguments.
    func run(_ script: RedisScript, _ doing: String, extraKeys: [String] = [], _ arguments: [[UInt8]]) throws
        -> RedisReply
    {
        let allKeys = extraKeys.isEmpty ? keys.scriptKeys : keys.scriptKeys + extraKeys.map { Array($0.utf8) }
        return try redis(doing) { try $0.run(script, keys: allKeys, argumentParts: [scriptPrefix, arguments]) }
    }

    static func argument(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func argument(_ number: Double) -> [UInt8] { Array("\(number)".utf8) }
    static func argument(_ number: Int) -> [UInt8] { Array(String(number).utf8) }

    /// A sorted-set member without its sequence prefix.
    static func message(ofMember member: [UInt8]) -> [UInt8] {
        Array(member.dropFirst(RedisScripts.sequenceWidth))
    }

    /// The bulk strings of an array reply (`nil` elements kept as `nil`).
    static func optionalBytes(_ reply: RedisReply) -> [[UInt8]?] {
        (reply.array ?? []).map { $0.isNull ? nil : $0.bytes }
    }

    static func bytes(_ reply: RedisReply) -> [[UInt8]] { optionalBytes(reply).compactMap { $0 } }

    // MARK: Queue

    public func enqueue(_ data: [UInt8], priority: Double) throws {
        try enqueue(batch: [QueueItem(data: data, priority: priority)])
    }

    public func enqueue(batch: [QueueItem]) throws {
        guard !batch.isEmpty else { return }
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(batch.count * 2)
        for item in batch {
            arguments.append(item.data)
            arguments.append(Self.argument(item.priority))
        }
        _ = try run(RedisScripts.enqueue, "enqueue", arguments)
    }

    public func dequeue() throws -> [UInt8]? {
        if priority {
            let popped = try command("dequeue", Self.argument("ZPOPMIN"), Self.argument(keys.queue))
            return Self.bytes(popped).first.map(Self.message(ofMember:))
        }
        return try command("dequeue", Self.argument("RPOP"), Self.argument(keys.queue)).bytes
    }

    public func queueSize() throws -> Int {
        let reply = try command("count the queue", Self.argument(priority ? "ZCARD" : "LLEN"), Self.argument(keys.queue))
        return reply.integer ?? 0
    }

    public func enqueuedItems(limit: Int?) throws -> [[UInt8]] {
        if let limit, limit <= 0 { return [] }
        if priority {
            let reply = try command(
                "list the queue", Self.argument("ZRANGE"), Self.argument(keys.queue), Self.argument(0),
                Self.argument((limit ?? 0) - 1))
            return Self.bytes(reply).map(Self.message(ofMember:))
        }
        // LPUSH adds at the head and RPOP takes from the tail: the oldest are at the end.
        let reply = try command(
            "list the queue", Self.argument("LRANGE"), Self.argument(keys.queue), Self.argument(-(limit ?? 0)),
            Self.argument(-1))
        return Self.bytes(reply).reversed()
    }

    public func flushQueue() throws {
        _ = try command("flush the queue", Self.argument("DEL"), Self.argument(keys.queue))
    }

    // MARK: Schedule

    public func addToSchedule(_ data: [UInt8], timestamp: Double) throws {
        let writes = [StorageWrite.schedule(data: data, timestamp: timestamp)]
        _ = try run(RedisScripts.write, "schedule", [[], Self.argument(Date().timeIntervalSince1970)] + Self.encode(writes))
    }

    public func readSchedule(timestamp: Double) throws -> [[UInt8]] {
        let reply = try run(RedisScripts.readSchedule, "read the schedule", [Self.argument(timestamp)])
        return Self.bytes(reply).map(Self.message(ofMember:))
    }

    public func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int {
        let due = try command(
            "read the schedule", Self.argument("ZRANGEBYSCORE"), Self.argument(keys.schedule), Self.argument("-inf"),
            Self.argument(timestamp))
        let members = Self.bytes(due)
        guard !members.isEmpty else { return 0 }
        var arguments: [[UInt8]] = []
        for member in members {
            let item = prepare(Self.message(ofMember: member))
            arguments.append(member)
            arguments.append(Self.argument(item.priority))
            arguments.append(item.data)
        }
        return try run(RedisScripts.promote, "move due calls to the queue", arguments).integer ?? 0
    }

    public func scheduledItems(limit: Int?) throws -> [[UInt8]] {
        if let limit, limit <= 0 { return [] }
        let reply = try command(
            "list the schedule", Self.argument("ZRANGE"), Self.argument(keys.schedule), Self.argument(0),
            Self.argument((limit ?? 0) - 1))
        return Self.bytes(reply).map(Self.message(ofMember:))
    }

    public func scheduleSize() throws -> Int {
        try command("count the schedule", Self.argument("ZCARD"), Self.argument(keys.schedule)).integer ?? 0
    }

    public func flushSchedule() throws {
        _ = try command("flush the schedule", Self.argument("DEL"), Self.argument(keys.schedule))
    }

    // MARK: Everything

    public func flushAll() throws {
        // The sequence stays: claim tokens must never be reused while a worker may still ack one.
        let fixed = [keys.queue, keys.schedule, keys.wake, keys.results, keys.claims, keys.deadlines, keys.dead, keys.counters]
        _ = try redis("flush everything") { connection in
            try connection.command([Self.argument("DEL")] + fixed.map(Self.argument))
        }
        try deleteKeys(prefix: keys.resultPrefix, doing: "flush everything")
        try pruneStatistics(before: .max)
    }

    public func closeConnections() { pool.closeAll() }

    /// Writes as script arguments: triples of op, a, b.
    static func encode(_ writes: [StorageWrite]) -> [[UInt8]] {
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(writes.count * 3)
        for write in writes {
            switch write {
            case .put(let key, let value): arguments += [argument("p"), argument(key), value]
            case .enqueue(let data, let priority): arguments += [argument("e"), data, argument(priority)]
            case .schedule(let data, let timestamp): arguments += [argument("s"), data, argument(timestamp)]
            case .dead(let data, let reason): arguments += [argument("d"), data, argument(reason)]
            case .tally(let tally):
                let counts = tally.counters.values.enumerated().filter { $0.element != 0 }
                    .map { "\($0.offset):\($0.element)" }.joined(separator: ",")
                arguments += [argument("t"), argument(tally.minute), argument(tally.task), argument(counts)]
            case .completeChord(let completion):
                // A signed callback cannot be signed inside Redis: the caller completes it
                // after the script (see `ack`); never passed here.
                arguments += [argument("c"), argument(completion.memberKeys.count)]
                arguments += completion.memberKeys.map { argument($0) }
                arguments += [completion.placeholder, completion.template]
                if let timestamp = completion.scheduledAt {
                    arguments += [argument("s"), argument(timestamp)]
                } else {
                    arguments += [argument("e"), argument(completion.priority)]
                }
            }
        }
        return arguments
    }
}

extension StorageError {
    /// A Redis failure while `doing` something for queue `name`.
    init(redis error: RedisError, doing: String, name: String) {
        let code: StorageError.Code
        switch error.kind {
        case .configuration: code = .open
        case .connection: code = .io
        case .protocolError: code = .corrupt
        case .server:
            if error.message.hasPrefix("OOM") {
                code = .full
            } else if error.message.hasPrefix("READONLY") {
                code = .readOnly
            } else if error.message.hasPrefix("BUSY") || error.message.hasPrefix("LOADING") {
                code = .busy
            } else {
                code = .io
            }
        }
        self.init(code: code, message: "redis queue \(name): cannot \(doing): \(error.message)")
    }
}
