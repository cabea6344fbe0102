import Foundation

/// A fixed-window rate limit counted in the storage, shared by every process using it
/// (Huey's `RateLimit`). Made by ``Huey/rateLimit(_:limit:per:retry:)``.
///
/// ```swift
/// let api = huey.rateLimit("api", limit: 10, per: 60)
/// let page = try api { "fetched" }   // throws RateLimitExceeded past 10 calls a minute
/// try api.reset()                     // a fresh window now
/// ```
public struct RateLimit: Sendable {
    /// The Huey whose storage counts the calls.
    public let huey: Huey
    /// The limit's name.
    public let name: String
    /// Calls allowed per window.
    public let limit: Int
    /// The window's length in seconds.
    public let per: Double
    /// Whether a task that hits the limit is retried after the window even without retries left.
    public let retry: Bool

    init(huey: Huey, name: String, limit: Int, per: Double, retry: Bool) {
        precondition(limit > 0 && per > 0, "huey: rate limit needs a positive limit and window")
        self.huey = huey
        self.name = name
        self.limit = limit
        self.per = per
        self.retry = retry
    }

    /// Counts one call in the current window.
    /// - Throws: ``RateLimitExceeded`` (with the seconds until the window ends) when the
    ///   window is full; ``StorageError``.
    public func acquire() throws {
        let now = huey.clock().timeIntervalSince1970
        let window = self.window(at: now)
        let count = try huey.storage.increment(key: key(window), by: 1)
        if count == 1 { try? huey.storage.deleteCounter(key: key(window - 1)) }
        guard count <= limit else {
            throw RateLimitExceeded(name: name, delay: Double(window + 1) * per - now, retry: retry)
        }
    }

    /// Runs `body` after ``acquire()``.
    /// - Throws: what ``acquire()`` throws; whatever `body` throws.
    public func callAsFunction<T>(_ body: () throws -> T) throws -> T {
        try acquire()
        return try body()
    }

    /// Forgets the calls counted in the current window (Huey's `RateLimit.reset`).
    /// - Throws: ``StorageError``.
    public func reset() throws {
        let window = self.window(at: huey.clock().timeIntervalSince1970)
        try huey.storage.deleteCounter(key: key(window))
        try huey.storage.deleteCounter(key: key(window - 1))
    }

    /// How many calls the current window has counted.
    /// - Throws: ``StorageError``.
    public var currentUsage: Int {
        get throws {
            try huey.storage.increment(key: key(window(at: huey.clock().timeIntervalSince1970)), by: 0)
        }
    }

    private func window(at now: Double) -> Int { Int((now / per).rounded(.down)) }
    private func key(_ window: Int) -> String { "rl:\(name):\(window)" }
}
