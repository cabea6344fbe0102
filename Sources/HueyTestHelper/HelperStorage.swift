import Huey
import HueyPostgres
import HueyRedis

/// Opens the storage a test names on the helper's command line.
enum HelperStorage {
    /// `kind` is `memory`, `sqlite` (path = database file), `file` (path = directory) or a
    /// Redis variant — `redis`, `priorityRedis`, `redisExpire`, `priorityRedisExpire` — whose
    /// path is the server's URL with the queue name as its fragment (`redis://host:6379/0#name`),
    /// or `postgres` with a PostgreSQL URL and the queue name the same way.
    static func open(kind: String, path: String, name: String = "test") throws -> any Storage {
        switch kind {
        case "memory": return MemoryStorage(name: name)
        case "sqlite": return try SqliteStorage(name: name, filename: path)
        case "file": return try FileStorage(name: name, path: path)
        case "redis", "priorityRedis", "redisExpire", "priorityRedisExpire":
            let parts = path.split(separator: "#", maxSplits: 1).map(String.init)
            return RedisStorage(
                name: parts.count == 2 ? parts[1] : name, configuration: try RedisConfiguration(url: parts[0]),
                priority: kind.hasPrefix("priority"), expireTime: kind.hasSuffix("Expire") ? 86400 : nil)
        case "postgres":
            let parts = path.split(separator: "#", maxSplits: 1).map(String.init)
            return try PostgresStorage(name: parts.count == 2 ? parts[1] : name, url: parts[0])
        default: throw StorageError(code: .unsupported, message: "unknown storage kind \(kind)")
        }
    }
}
