import Foundation
import Huey
import HueyPostgres
import HueyRedis

/// The queue every part of the benchmark uses, with its two tasks registered. The
/// driver and its consumer child (`huey-bench consume`) build it the same way, so the
/// consumer runs exactly the tasks the driver enqueues.
struct BenchQueue {
    /// The queue name.
    static let name = "bench"

    let huey: Huey
    /// A no-op that returns its argument (so a result is stored, as in Python huey's run).
    let noop: TaskWrapper<Int, Int>
    /// Returns the wall-clock time it started at: the latency probe.
    let stamp: TaskWrapper<Double>

    /// Opens the storage under `path` (a database file, a directory for `.file`, a server
    /// URL for the Redis storages, a database URL for `.postgres`).
    /// - Throws: ``StorageError`` when it cannot be opened, ``RedisError`` for a bad Redis URL.
    init(storage: BenchStorage, path: String, fsync: Bool) throws {
        switch storage {
        case .sqlite: huey = try SqliteHuey(name: Self.name, filename: path, fsync: fsync)
        case .file: huey = try FileHuey(name: Self.name, path: path, fsync: fsync)
        case .redis: huey = try RedisHuey(name: Self.name, url: path)
        case .priorityRedis: huey = try PriorityRedisHuey(name: Self.name, url: path)
        case .postgres: huey = try PostgresHuey(name: Self.name, url: path)
        }
        noop = huey.task("bench.noop") { (value: Int) -> Int in value }
        stamp = huey.task("bench.stamp") { () -> Double in BenchClock.wall() }
    }

    /// The size in bytes of the first queued message (what one enqueue writes).
    func firstMessageSize() -> Int {
        (try? huey.storage.enqueuedItems(limit: 1).first?.count) ?? 0
    }
}
