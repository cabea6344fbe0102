import Foundation
import HueyRedis
import HueyTestSupport

/// A Redis server for one connection test (the shared CI server that
/// `HUEY_TEST_REDIS_URL` names, else a private one) and a key prefix of the test's own,
/// since tests run in parallel against one server.
final class RedisConnectionFixture: Sendable {
    let url: String
    /// The private server, kept alive as long as the fixture (nil on CI).
    let server: RedisTestServer?
    let configuration: RedisConfiguration
    let prefix: String

    init() throws {
        (url, server) = try RedisTestTarget.url()
        configuration = try RedisConfiguration(url: url)
        prefix = "huey-test:\(UUID().uuidString.prefix(8)):"
    }

    deinit {
        // Removes the test's keys from a shared server.
        guard server == nil, let connection = try? RedisConnection(configuration),
            let keys = try? connection.command("KEYS", prefix + "*").array?.compactMap(\.bytes), !keys.isEmpty
        else { return }
        _ = try? connection.command([Array("DEL".utf8)] + keys)
    }

    /// A new connection to the server.
    func connect() throws -> RedisConnection { try RedisConnection(configuration) }

    /// The key `name` under the test's prefix, as text.
    func key(_ name: String) -> String { prefix + name }

    /// The key `name` under the test's prefix, as bytes.
    func keyBytes(_ name: String) -> [UInt8] { Array(key(name).utf8) }
}

/// Whether the Redis tests can run: a server is configured (then they must run) or
/// `redis-server` is installed. Otherwise they are skipped (visibly, as skipped tests).
let redisAvailable = RedisTestTarget.canProvide

/// Whether tests that need a private `redis-server` (restart, passwords) run: when the
/// binary is installed, and always on CI (a URL is configured), where a missing binary
/// must fail rather than skip.
let privateRedisAvailable = RedisTestServer.isAvailable || RedisTestTarget.configuredURL != nil

/// Text as bytes.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
