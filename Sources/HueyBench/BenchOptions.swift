import Foundation

/// Which storage a run measures.
enum BenchStorage: String {
    case sqlite
    case file
    /// `RedisHuey` (a list: FIFO) on the server `--redis-url` names.
    case redis
    /// `PriorityRedisHuey` (a sorted set) on the same server.
    case priorityRedis = "priority-redis"

    /// Whether the figures depend on SQLite's `synchronous` setting.
    var hasSyncMode: Bool { self == .sqlite }

    /// Whether the storage is a Redis server (`path` is then its URL).
    var isRedis: Bool { self == .redis || self == .priorityRedis }
}

/// The driver's command line (see `BenchOptions.usage`).
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
    /// The Redis server of `--storage redis|priority-redis` (the bench queue's keys are flushed).
    var redisURL = ProcessInfo.processInfo.environment["HUEY_BENCH_REDIS_URL"] ?? "redis://127.0.0.1:6379/0"
    var keep = false
    /// Parts to run: enqueue, map, drain, latency, idle.
    var parts: Set<String> = ["enqueue", "map", "drain", "latency", "idle"]

    static let usage = """
        usage: huey-bench [options]
               huey-bench consume --db PATH|URL [--storage S] [--fsync] [-- consumer flags]

        Measures enqueue rate (single calls and map), drain rate with a real forked consumer
        (-w 2 -k process, this binary's `consume`), idle enqueue-to-start latency, idle CPU and
        RSS/PSS of the consumer's master and workers.

          --tasks N            tasks per figure (default 20000)
          --quick              500 tasks, 20 latency samples, 1 s idle window (CI)
          --fsync              synchronous=FULL (default NORMAL)
          --storage S          sqlite (default), file, redis or priority-redis
          --redis-url URL      the Redis server (default $HUEY_BENCH_REDIS_URL or
                               redis://127.0.0.1:6379/0); the keys of queue "bench" are flushed
          --workers N          consumer workers (default 2)
          --latency-samples N  sequential tasks for the latency figure (default 200)
          --idle-seconds S     window for the idle CPU figure (default 3)
          --only LIST          comma-separated parts: enqueue,map,drain,latency,idle
          --scale              1,000,000 queued tasks: rates at the start vs the end
                               (--tasks sets the queue size for --scale)
          --dir PATH           where databases go (default: a new directory in $TMPDIR or /tmp)
          --keep               keep the directory
          --json               one JSON object instead of the table
        """

    /// Parses the arguments after the program name.
    /// - Throws: ``BenchError`` for an unknown flag or a bad value.
    init(arguments: [String]) throws {
        var explicitTasks: Int?
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            return next
        }
        func number(_ flag: String) throws -> Int {
            guard let parsed = Int(try value(flag)), parsed > 0 else { throw BenchError("\(flag) needs a positive integer") }
            return parsed
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--tasks": explicitTasks = try number(flag)
            case "--quick": quick = true
            case "--fsync": fsync = true
            case "--storage":
                guard let parsed = BenchStorage(rawValue: try value(flag)) else {
                    throw BenchError("--storage is sqlite, file, redis or priority-redis")
                }
                storage = parsed
            case "--workers": workers = try number(flag)
            case "--latency-samples": latencySamples = try number(flag)
            case "--idle-seconds":
                guard let parsed = Double(try value(flag)), parsed > 0 else { throw BenchError("bad --idle-seconds") }
                idleSeconds = parsed
            case "--only": parts = Set(try value(flag).split(separator: ",").map(String.init))
            case "--scale": scale = true
            case "--redis-url": redisURL = try value(flag)
            case "--dir": directory = try value(flag)
            case "--keep": keep = true
            case "--json": json = true
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default: throw BenchError("unknown option \(flag)")
            }
        }
        if quick {
            tasks = 500
            latencySamples = min(latencySamples, 20)
            idleSeconds = 1
        }
        if scale { tasks = 1_000_000 }
        if let explicitTasks { tasks = explicitTasks }
    }
}

/// A usage or set-up problem of the driver.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
