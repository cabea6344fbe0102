import Huey

/// Results and other key/value data: one hash, or (with `expireTime`) a key per value
/// that Redis deletes when it expires. Counters: one hash.
extension RedisStorage {
    private var arg: (String) -> [UInt8] { Self.argument }

    /// The Redis key of an expiring value.
    private func resultKey(_ key: String) -> [UInt8] { arg(keys.resultPrefix + key) }

    private var expiry: [[UInt8]] {
        guard let expireTime else { return [] }
        return [arg("PX"), Self.argument(Int((expireTime * 1000).rounded()))]
    }

    public func putData(key: String, value: [UInt8]) throws {
        if expireTime != nil {
            _ = try redis("store \(key)") { try $0.command([arg("SET"), resultKey(key), value] + expiry) }
        } else {
            _ = try command("store \(key)", arg("HSET"), arg(keys.results), arg(key), value)
        }
    }

    public func peekData(key: String) throws -> [UInt8]? {
        let reply =
            expireTime != nil
            ? try command("read \(key)", arg("GET"), resultKey(key))
            : try command("read \(key)", arg("HGET"), arg(keys.results), arg(key))
        return reply.isNull ? nil : reply.bytes
    }

    public func popData(key: String) throws -> [UInt8]? {
        let reply = try run(RedisScripts.popResult, "take \(key)", [arg(key)])
        return reply.isNull ? nil : reply.bytes
    }

    public func deleteData(key: String) throws -> Bool {
        let reply =
            expireTime != nil
            ? try command("delete \(key)", arg("DEL"), resultKey(key))
            : try command("delete \(key)", arg("HDEL"), arg(keys.results), arg(key))
        return (reply.integer ?? 0) > 0
    }

    public func hasData(key: String) throws -> Bool {
        let reply =
            expireTime != nil
            ? try command("look up \(key)", arg("EXISTS"), resultKey(key))
            : try command("look up \(key)", arg("HEXISTS"), arg(keys.results), arg(key))
        return (reply.integer ?? 0) > 0
    }

    public func putIfEmpty(key: String, value: [UInt8]) throws -> Bool {
        if expireTime != nil {
            let reply = try redis("store \(key)") {
                try $0.command([arg("SET"), resultKey(key), value, arg("NX")] + expiry)
            }
            return !reply.isNull
        }
        return try command("store \(key)", arg("HSETNX"), arg(keys.results), arg(key), value).integer == 1
    }

    public func peekMany(keys names: [String]) throws -> [[UInt8]?] {
        guard !names.isEmpty else { return [] }
        let reply = try redis("read \(names.count) keys") { connection in
            expireTime != nil
                ? try connection.command([arg("MGET")] + names.map(resultKey))
                : try connection.command([arg("HMGET"), arg(keys.results)] + names.map(arg))
        }
        return Self.optionalBytes(reply)
    }

    public func resultStoreSize() throws -> Int {
        if expireTime != nil { return try scanKeys(prefix: keys.resultPrefix, doing: "count results").count }
        return try command("count results", arg("HLEN"), arg(keys.results)).integer ?? 0
    }

    public func resultItems() throws -> [String: [UInt8]] {
        var items: [String: [UInt8]] = [:]
        if expireTime != nil {
            let found = try scanKeys(prefix: keys.resultPrefix, doing: "list results")
            guard !found.isEmpty else { return [:] }
            let values = Self.optionalBytes(
                try redis("list results") { try $0.command([arg("MGET")] + found.map { Array($0.utf8) }) })
            for (key, value) in zip(found, values) {
                guard let value else { continue }  // expired between SCAN and MGET
                items[String(key.dropFirst(keys.resultPrefix.count))] = value
            }
            return items
        }
        let pairs = Self.optionalBytes(try command("list results", arg("HGETALL"), arg(keys.results)))
        var index = 0
        while index + 1 < pairs.count {
            if let key = pairs[index], let value = pairs[index + 1] {
                items[String(decoding: key, as: UTF8.self)] = value
            }
            index += 2
        }
        return items
    }

    public func flushResults() throws {
        _ = try command("flush results", arg("DEL"), arg(keys.results))
        try deleteKeys(prefix: keys.resultPrefix, doing: "flush results")
    }

    public func increment(key: String, by amount: Int) throws -> Int {
        let reply = try command("count \(key)", arg("HINCRBY"), arg(keys.counters), arg(key), Self.argument(amount))
        guard let value = reply.integer else {
            throw StorageError(code: .corrupt, message: "redis queue \(name): counter \(key) is not a number")
        }
        return value
    }

    public func deleteCounter(key: String) throws {
        _ = try command("delete counter \(key)", arg("HDEL"), arg(keys.counters), arg(key))
    }

    /// Every key starting with `prefix` (SCAN, so the server is never blocked by KEYS).
    func scanKeys(prefix: String, doing: String) throws -> [String] {
        var found: [String] = []
        var cursor = "0"
        repeat {
            let reply = try command(
                doing, arg("SCAN"), arg(cursor), arg("MATCH"), arg(RedisKeys.pattern(prefix: prefix)), arg("COUNT"),
                arg("1000"))
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else {
                throw StorageError(code: .corrupt, message: "redis queue \(name): unexpected SCAN reply")
            }
            cursor = next
            found += Self.bytes(parts[1]).map { String(decoding: $0, as: UTF8.self) }
        } while cursor != "0"
        return Array(Set(found)).sorted()  // SCAN may return a key twice
    }

    /// Deletes every key starting with `prefix`.
    func deleteKeys(prefix: String, doing: String) throws {
        let found = try scanKeys(prefix: prefix, doing: doing)
        var start = 0
        while start < found.count {
            let chunk = found[start..<min(start + 500, found.count)]
            _ = try redis(doing) { try $0.command([arg("UNLINK")] + chunk.map(arg)) }
            start += 500
        }
    }
}
