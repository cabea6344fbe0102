import Foundation
import Huey
import HueyPostgres
import HueyRedis
import HueyTestSupport
import Synchronization

/// The storages every conformance test runs against.
enum StorageBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case memory
    case sqlite
    case file
    case redis
    case priorityRedis
    case redisExpire
    case priorityRedisExpire
    case postgres

    var description: String { rawValue }

    /// The backends to test: the Redis ones and PostgreSQL only when a server can be had (CI
    /// always has both; ``StorageAvailabilityTests`` says so visibly when not).
    static var testable: [StorageBackend] {
        allCases.filter { $0.isRedis ? RedisTestTarget.canProvide : $0 == .postgres ? PostgresTestTarget.canProvide : true }
    }

    var isRedis: Bool { [.redis, .priorityRedis, .redisExpire, .priorityRedisExpire].contains(self) }

    /// Whether the queue dequeues by priority (else FIFO only, as Huey's RedisStorage).
    var honorsPriority: Bool { self != .redis && self != .redisExpire }

    /// Makes a fresh, empty storage named `name`; `place` is a private scratch folder (and,
    /// for Redis, a private namespace on the server the place holds).
    func make(name: String, in place: ScratchDirectory) throws -> any Storage {
        switch self {
        case .memory: return MemoryStorage(name: name)
        case .sqlite: return try SqliteStorage(name: name, filename: place.file("huey.db"))
        case .file: return try FileStorage(name: name, path: place.file("files"))
        case .redis, .priorityRedis, .redisExpire, .priorityRedisExpire:
            return RedisStorage(
                name: "\(name)-\(place.uniqueName)", configuration: try RedisConfiguration(url: place.redisURL()),
                priority: honorsPriority, expireTime: self == .redisExpire || self == .priorityRedisExpire ? 3600 : nil)
        case .postgres:
            // One server for the whole test process; each place has a queue name of its own.
            return try PostgresStorage(name: "\(name)-\(place.uniqueName)", url: try PostgresTestTarget.sharedURL())
        }
    }

    /// Whether two storages made with the same `place` share data (same file or folder).
    var sharesPlace: Bool { self != .memory }
}

/// A temporary directory removed when the value is deinitialised; it also keeps the
/// private Redis server of the test that uses it, if one was started.
final class ScratchDirectory: Sendable {
    let path: String
    private let redis = Mutex<(url: String, server: RedisTestServer?)?>(nil)

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/huey-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// A name no other test uses (the directory's unique part), for shared servers.
    var uniqueName: String { String(path.split(separator: "/").last ?? "x") }

    /// The Redis server for this test: the CI one, or a private one started on first use.
    func redisURL() throws -> String {
        try redis.withLock { redis in
            if let redis { return redis.url }
            let target = try RedisTestTarget.url()
            redis = (target.url, target.server)
            return target.url
        }
    }

    deinit {
        redis.withLock { $0?.server?.stop() }
        try? FileManager.default.removeItem(atPath: path)
    }
}
