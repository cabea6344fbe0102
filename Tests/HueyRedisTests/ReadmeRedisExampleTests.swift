import Foundation
import Huey
import HueyRedis
import HueyTestSupport
import Testing

/// README.md's Redis block, compiled here so the README cannot rot.
@Suite("README Redis example")
struct ReadmeRedisExampleTests {
    @Test("the README's PriorityRedisHuey line makes a Huey on that server, connecting lazily")
    func readmeBlock() throws {
        // README: Storages (the Redis block), verbatim:
        let huey = try PriorityRedisHuey(name: "app", url: "redis://127.0.0.1:6379/0")
        // also: redis://:password@host:6379/2, redis://user:password@host, unix:///run/redis.sock?db=1
        #expect(huey.name == "app")
        let storage = try #require(huey.storage as? RedisStorage)
        #expect(storage.priority && storage.expireTime == nil)
        #expect(storage.configuration.host == "127.0.0.1" && storage.configuration.port == 6379)
        for url in ["redis://:password@host:6379/2", "redis://user:password@host", "unix:///run/redis.sock?db=1"] {
            _ = try RedisConfiguration(url: url)
        }
    }

    @Test("the four variants and their switches", arguments: [false, true])
    func variants(expire: Bool) throws {
        let plain: RedisHuey = expire ? try RedisExpireHuey(url: "redis://localhost") : try RedisHuey(url: "redis://localhost")
        let priority: RedisHuey =
            expire ? try PriorityRedisExpireHuey(url: "redis://localhost", expireTime: 60) : try PriorityRedisHuey(url: "redis://localhost")
        let plainStorage = try #require(plain.storage as? RedisStorage)
        let priorityStorage = try #require(priority.storage as? RedisStorage)
        #expect(!plainStorage.priority && priorityStorage.priority)
        #expect(plainStorage.expireTime == (expire ? 86400 : nil))
        #expect(priorityStorage.expireTime == (expire ? 60 : nil))
    }
}
