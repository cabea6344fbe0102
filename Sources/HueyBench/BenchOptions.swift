import ArgumentParser
import Foundation

/// Which storage a run measures.
enum BenchStorage: String, ExpressibleByArgument {
    case sqlite
    case file
    /// `RedisHuey` (a list: FIFO) on the server ``BenchOptions/redisURL`` names.
    case redis
    /// `PriorityRedisHuey` (a sorted set) on the same server.
    case priorityRedis = "priority-redis"
    /// PostgreSQL (`PostgresHuey`) at ``BenchOptions/postgresURL``.
    case postgres

    /// Whether the figures depend on SQLite's `synchronous` setting.
    var hasSyncMode: Bool { self == .sqlite }

    /// Whether the storage is a Redis server (`path` is then its URL).
    var isRedis: Bool { self == .redis || self == .priorityRedis }
}

/// The figures a run makes and how: the driver's options (``BenchCommand``) with
/// `--quick` and `--scale` applied.
struct BenchOptions {
    var tasks = 20_000
    var quick = false
    var fsync = false
    var storage = BenchStorage.sqlite
    var json = false
    var scale = false
    var workers = 2
    var latencySamples = 200
    var idleSeconds = 3.0
    var directory: String?
    /// The Redis server of `--storage redis|priority-redis` (`--redis-url`, else
    /// `HUEY_BENCH_REDIS_URL`, else the local default; the bench queue's keys are flushed).
    var redisURL = ProcessInfo.processInfo.environment["HUEY_BENCH_REDIS_URL"] ?? "redis://127.0.0.1:6379/0"
    /// The database for `--storage postgres` (`--url`, else `HUEY_BENCH_POSTGRES_URL`).
    var postgresURL = ProcessInfo.processInfo.environment["HUEY_BENCH_POSTGRES_URL"] ?? ""
    var keep = false
    /// Parts to run: enqueue, map, drain, latency, idle.
    var parts: Set<String> = ["enqueue", "map", "drain", "latency", "idle"]

    /// The options `command` was given; `--quick` shortens, `--scale` makes the queue
    /// 1,000,000 tasks, and an explicit `--tasks` wins over both.
    init(_ command: BenchCommand) {
        quick = command.quick
        fsync = command.fsync
        storage = command.storage
        json = command.json
        scale = command.scale
        workers = command.workers
        latencySamples = command.latencySamples
        idleSeconds = command.idleSeconds
        directory = command.dir
        keep = command.keep
        if let only = command.only { parts = Set(only.split(separator: ",").map(String.init)) }
        if let url = command.url { postgresURL = url }
        if let url = command.redisURL { redisURL = url }
        if quick {
            tasks = 500
            latencySamples = min(latencySamples, 20)
            idleSeconds = 1
        }
        if scale { tasks = 1_000_000 }
        if let explicit = command.tasks { tasks = explicit }
    }
}

/// A usage or set-up problem of the driver.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
