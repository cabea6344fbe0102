import Huey

/// A Huey whose storage is a Redis server (``RedisStorage``): the queue is a list (FIFO;
/// priorities are ignored, as in Huey's `RedisHuey`), results are kept in a hash until read.
/// Several consumers, on one machine or many, can share it.
///
/// ```swift
/// let huey = try RedisHuey(name: "app", url: "redis://127.0.0.1:6379/0")
/// ```
public class RedisHuey: Huey, @unchecked Sendable {
    // @unchecked Sendable: adds no state to Huey, whose mutable state is in a Mutex.

    /// Uses the server `configuration` names. Connects lazily.
    /// - Parameters:
    ///   - lockTimeout: seconds after which a task lock whose holder died frees itself.
    ///   - ownerTimeout: seconds without a heartbeat after which another machine's claims are recovered.
    public convenience init(
        name: String = "huey", configuration: RedisConfiguration = RedisConfiguration(), results: Bool = true,
        storeNone: Bool = false, utc: Bool = true, immediate: Bool = false, lockTimeout: Double = 600,
        ownerTimeout: Double = 30
    ) {
        self.init(
            storage: RedisStorage(
                name: name, configuration: configuration, priority: false, lockTimeout: lockTimeout,
                ownerTimeout: ownerTimeout),
            results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }

    /// Uses the server at `url` (`redis://[[user]:password@]host[:port][/db]` or `unix:///path`).
    /// - Throws: ``RedisError`` when the URL is malformed.
    public convenience init(
        name: String = "huey", url: String, results: Bool = true, storeNone: Bool = false, utc: Bool = true,
        immediate: Bool = false, lockTimeout: Double = 600, ownerTimeout: Double = 30
    ) throws {
        self.init(
            name: name, configuration: try RedisConfiguration(url: url), results: results, storeNone: storeNone,
            utc: utc, immediate: immediate, lockTimeout: lockTimeout, ownerTimeout: ownerTimeout)
    }

    /// Uses `storage` (one of the four variants).
    init(storage: RedisStorage, results: Bool, storeNone: Bool, utc: Bool, immediate: Bool) {
        super.init(
            name: storage.name, storage: storage, results: results, storeNone: storeNone, utc: utc,
            immediate: immediate)
    }
}

/// A ``RedisHuey`` whose queue is a sorted set, so higher priorities run first (FIFO among
/// equals), as Huey's `PriorityRedisHuey`.
public final class PriorityRedisHuey: RedisHuey, @unchecked Sendable {
    /// A designated initializer of its own, so this class does not inherit RedisHuey's
    /// convenience initializers (which would make the wrong variant).
    init(variant storage: RedisStorage, results: Bool, storeNone: Bool, utc: Bool, immediate: Bool) {
        super.init(storage: storage, results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }

    /// Uses the server `configuration` names. Connects lazily.
    public convenience init(
        name: String = "huey", configuration: RedisConfiguration = RedisConfiguration(), results: Bool = true,
        storeNone: Bool = false, utc: Bool = true, immediate: Bool = false, lockTimeout: Double = 600,
        ownerTimeout: Double = 30
    ) {
        self.init(
            variant: RedisStorage(
                name: name, configuration: configuration, priority: true, lockTimeout: lockTimeout,
                ownerTimeout: ownerTimeout),
            results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }

    /// Uses the server at `url`.
    /// - Throws: ``RedisError`` when the URL is malformed.
    public convenience init(
        name: String = "huey", url: String, results: Bool = true, storeNone: Bool = false, utc: Bool = true,
        immediate: Bool = false, lockTimeout: Double = 600, ownerTimeout: Double = 30
    ) throws {
        self.init(
            name: name, configuration: try RedisConfiguration(url: url), results: results, storeNone: storeNone,
            utc: utc, immediate: immediate, lockTimeout: lockTimeout, ownerTimeout: ownerTimeout)
    }
}

/// A ``RedisHuey`` whose results expire `expireTime` seconds after they are stored (each in
/// a key of its own), as Huey's `RedisExpireHuey`; unread results never pile up.
public final class RedisExpireHuey: RedisHuey, @unchecked Sendable {
    /// A designated initializer of its own, so this class does not inherit RedisHuey's
    /// convenience initializers (which would make the wrong variant).
    init(variant storage: RedisStorage, results: Bool, storeNone: Bool, utc: Bool, immediate: Bool) {
        super.init(storage: storage, results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }

    /// Uses the server `configuration` names. Connects lazily.
    public convenience init(
        name: String = "huey", configuration: RedisConfiguration = RedisConfiguration(), expireTime: Double = 86400,
        results: Bool = true, storeNone: Bool = false, utc: Bool = true, immediate: Bool = false,
        lockTimeout: Double = 600, ownerTimeout: Double = 30
    ) {
        self.init(
            variant: RedisStorage(
                name: name, configuration: configuration, priority: false, expireTime: expireTime,
                lockTimeout: lockTimeout, ownerTimeout: ownerTimeout),
            results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }

    /// Uses the server at `url`.
    /// - Throws: ``RedisError`` when the URL is malformed.
    public convenience init(
        name: String = "huey", url: String, expireTime: Double = 86400, results: Bool = true, storeNone: Bool = false,
        utc: Bool = true, immediate: Bool = false, lockTimeout: Double = 600, ownerTimeout: Double = 30
    ) throws {
        self.init(
            name: name, configuration: try RedisConfiguration(url: url), expireTime: expireTime, results: results,
            storeNone: storeNone, utc: utc, immediate: immediate, lockTimeout: lockTimeout, ownerTimeout: ownerTimeout)
    }
}

/// Both: a priority queue and expiring results, as Huey's `PriorityRedisExpireHuey`.
public final class PriorityRedisExpireHuey: RedisHuey, @unchecked Sendable {
    /// A designated initializer of its own, so this class does not inherit RedisHuey's
    /// convenience initializers (which would make the wrong variant).
    init(variant storage: RedisStorage, results: Bool, storeNone: Bool, utc: Bool, immediate: Bool) {
        super.init(storage: storage, results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }

    /// Uses the server `configuration` names. Connects lazily.
    public convenience init(
        name: String = "huey", configuration: RedisConfiguration = RedisConfiguration(), expireTime: Double = 86400,
        results: Bool = true, storeNone: Bool = false, utc: Bool = true, immediate: Bool = false,
        lockTimeout: Double = 600, ownerTimeout: Double = 30
    ) {
        self.init(
            variant: RedisStorage(
                name: name, configuration: configuration, priority: true, expireTime: expireTime,
                lockTimeout: lockTimeout, ownerTimeout: ownerTimeout),
            results: results, storeNone: storeNone, utc: utc, immediate: immediate)
    }

    /// Uses the server at `url`.
    /// - Throws: ``RedisError`` when the URL is malformed.
    public convenience init(
        name: String = "huey", url: String, expireTime: Double = 86400, results: Bool = true, storeNone: Bool = false,
        utc: Bool = true, immediate: Bool = false, lockTimeout: Double = 600, ownerTimeout: Double = 30
    ) throws {
        self.init(
            name: name, configuration: try RedisConfiguration(url: url), expireTime: expireTime, results: results,
            storeNone: storeNone, utc: utc, immediate: immediate, lockTimeout: lockTimeout, ownerTimeout: ownerTimeout)
    }
}
