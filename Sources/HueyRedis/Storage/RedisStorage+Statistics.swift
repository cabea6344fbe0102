import Foundation
import Huey

/// The statistics of a ``RedisStorage``: the ack script adds each tally to the hash of its
/// minute (`huey.<name>.stats.<minute>`, fields `task\tcounter index`) and notes the minute
/// in the sorted set `huey.<name>.stats`; reading and pruning go through that set.
extension RedisStorage {
    public func statistics(since minute: Int) throws -> [StatsTally] {
        let minutes = try command(
            "read the statistics", Self.argument("ZRANGEBYSCORE"), Self.argument(keys.stats), Self.argument(minute),
            Self.argument("+inf"))
        var tallies: [StatsTally] = []
        for case let minuteText? in (minutes.array ?? []).map(\.string) {
            guard let minute = Int(minuteText) else { continue }
            let fields = try command(
                "read the statistics", Self.argument("HGETALL"), Self.argument(keys.stats(minute: minute)))
            var tasks: [String: [Int]] = [:]
            let items = fields.array ?? []
            for pair in stride(from: 0, to: items.count - 1, by: 2) {
                guard let field = items[pair].string, let amount = items[pair + 1].string.flatMap({ Int($0) }),
                    let tab = field.lastIndex(of: "\t"), let index = Int(field[field.index(after: tab)...]),
                    index < TaskCounters.fieldCount
                else { continue }
                tasks[String(field[..<tab]), default: Array(repeating: 0, count: TaskCounters.fieldCount)][index] += amount
            }
            tallies += tasks.map { StatsTally(minute: minute, task: $0.key, counters: TaskCounters(values: $0.value)) }
        }
        return tallies.merged()
    }

    public func addStatistics(_ tallies: [StatsTally]) throws {
        guard !tallies.isEmpty else { return }
        // The write script without a claim token applies its writes unconditionally.
        let arguments = [Self.argument(""), Self.argument(Date().timeIntervalSince1970)]
            + Self.encode(tallies.map { .tally($0) })
        _ = try run(RedisScripts.write, "add statistics", arguments)
    }

    public func pruneStatistics(before minute: Int) throws {
        let old = try command(
            "prune the statistics", Self.argument("ZRANGEBYSCORE"), Self.argument(keys.stats), Self.argument("-inf"),
            Self.argument("(\(minute)"))
        let minutes = (old.array ?? []).compactMap { $0.string.flatMap { Int($0) } }
        guard !minutes.isEmpty else { return }
        _ = try redis("prune the statistics") { connection in
            try connection.command([Self.argument("UNLINK")] + minutes.map { Self.argument(keys.stats(minute: $0)) })
        }
        _ = try command(
            "prune the statistics", Self.argument("ZREMRANGEBYSCORE"), Self.argument(keys.stats), Self.argument("-inf"),
            Self.argument("(\(minute)"))
    }
}
