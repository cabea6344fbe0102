import Foundation
import Huey
import HueyRedis
import HueyTestSupport
import Synchronization
import Testing

/// What only the Redis storages do: machines that share claims, expiring results and
/// locks, blocking waits, and a server that restarts. The primitives every storage shares
/// are in HueyTests' StorageConformanceTests (which runs all four variants).
@Suite("Redis storage", .enabled(if: RedisTestTarget.canProvide, "no Redis server: set HUEY_TEST_REDIS_URL or install redis-server"))
struct RedisStorageTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A storage on the CI server (or a private one kept alive by the returned server).
    private func makeStorage(
        priority: Bool = false, expireTime: Double? = nil, lockTimeout: Double = 600
    ) throws -> (RedisStorage, RedisTestServer?) {
        let target = try RedisTestTarget.url()
        let storage = RedisStorage(
            name: "redis-test-\(UUID().uuidString)", configuration: try RedisConfiguration(url: target.url),
            priority: priority, expireTime: expireTime, lockTimeout: lockTimeout)
        return (storage, target.server)
    }

    @Test("a claim of another machine is alive while that machine sends heartbeats")
    func otherMachineOwners() throws {
        let (storage, server) = try makeStorage()
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let elsewhere = ClaimOwner(pid: getpid(), startTime: 1, host: "another-machine/0000")
        #expect(!elsewhere.isLocal)
        #expect(!elsewhere.isAlive)  // /proc cannot tell
        try storage.enqueue(bytes("job"), priority: 0)
        let claim = try #require(try storage.claim(owner: elsewhere, now: 1))
        #expect(try storage.claims().first?.owner == elsewhere)
        #expect(try !storage.isAlive(elsewhere))

        // That machine's heartbeat key, as its storage writes it.
        let connection = try RedisConnection(storage.configuration)
        _ = try connection.command("SET", "huey.\(storage.name).host.another-machine/0000", "1", "PX", "60000")
        #expect(try storage.isAlive(elsewhere))
        _ = try connection.command("DEL", "huey.\(storage.name).host.another-machine/0000")
        #expect(try !storage.isAlive(elsewhere))
        #expect(try storage.release(claim))

        // Our own heartbeat makes our (local) host key; local owners are still read from /proc.
        try storage.heartbeat(now: Date().timeIntervalSince1970)
        let ttl = try connection.command("PTTL", "huey.\(storage.name).host.\(ClaimOwner.localHost)").integer ?? -2
        #expect(ttl > 0 && ttl <= 30_000)
        #expect(try storage.isAlive(ClaimOwner.current))
        _ = try connection.command("DEL", "huey.\(storage.name).host.\(ClaimOwner.localHost)")
    }

    @Test("results of the expire variants disappear after expireTime")
    func expiringResults() throws {
        let (storage, server) = try makeStorage(expireTime: 0.3)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        try storage.putData(key: "r1", value: bytes("v"))
        #expect(try storage.putIfEmpty(key: "r2", value: bytes("w")))
        #expect(try storage.resultStoreSize() == 2)
        #expect(try storage.resultItems() == ["r1": bytes("v"), "r2": bytes("w")])
        #expect(try waitUntil(timeout: 5) { try storage.resultStoreSize() == 0 })
        #expect(try storage.peekData(key: "r1") == nil)
        #expect(try storage.putIfEmpty(key: "r2", value: bytes("again")))
    }

    @Test("a lock whose holder never releases it frees itself after lockTimeout, and only the holder releases")
    func lockExpiry() throws {
        let (storage, server) = try makeStorage(lockTimeout: 0.3)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let crashed = try storage.lock(named: "nightly")
        let next = try storage.lock(named: "nightly")
        #expect(try crashed.tryAcquire())
        #expect(try !next.tryAcquire())
        next.release()  // not the holder: no effect
        #expect(try crashed.isHeld())
        #expect(try waitUntil(timeout: 5) { try !crashed.isHeld() })
        #expect(try next.tryAcquire())
        crashed.release()  // its token is stale: must not free next's lock
        #expect(try next.isHeld())
        next.release()
        #expect(try !next.isHeld())
    }

    @Test("flushLocks removes a Redis lock left by a holder that died; a flock lock is reported, not broken")
    func flushLocks() throws {
        let (storage, server) = try makeStorage()
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let huey = Huey(name: storage.name, storage: storage)
        let stale = try storage.lock(named: "nightly")
        #expect(try stale.tryAcquire())  // its holder "dies" without releasing
        #expect(try huey.flushLocks("nightly", "idle") == FlushedLocks(flushed: ["nightly"]))
        #expect(try !huey.isLocked("nightly"))

        let place = FileManager.default.temporaryDirectory.appendingPathComponent("flush-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: place) }
        let local = try FileHuey(name: "locks", path: place)
        let held = try local.storage.lock(named: "nightly")
        #expect(try held.tryAcquire())
        #expect(try local.flushLocks("nightly") == FlushedLocks(held: ["nightly"]))
        #expect(try local.isLocked("nightly"))
        held.release()
    }

    @Test("an idle waiter blocks until something is enqueued, then wakes at once")
    func blockingWait() throws {
        let (storage, server) = try makeStorage(priority: true)
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        let start = Date()
        #expect(try !storage.waitForWork(timeout: 0.2))
        #expect(Date().timeIntervalSince(start) >= 0.15)
        let woke = Mutex<Date?>(nil)
        let waiter = Thread {
            if (try? storage.waitForWork(timeout: 60)) == true { woke.withLock { $0 = Date() } }
        }
        waiter.start()
        let enqueued = Date()
        try storage.enqueue(bytes("job"), priority: 1)
        #expect(try waitUntil(timeout: 50) { woke.withLock { $0 != nil } })
        let latency = try #require(woke.withLock { $0 }).timeIntervalSince(enqueued)
        #expect(latency < 50, "woken \(latency) s after the enqueue: by the timeout, not the enqueue")
    }

    @Test("an unreadable claim record becomes a dead letter and does not hide the other claims")
    func corruptClaim() throws {
        let (storage, server) = try makeStorage()
        defer { server?.stop() }
        defer { try? storage.flushAll() }
        try storage.enqueue(bytes("good"), priority: 0)
        let good = try #require(try storage.claim(owner: ClaimOwner.current, now: 1))
        let connection = try RedisConnection(storage.configuration)
        _ = try connection.command("HSET", "huey.\(storage.name).claims", "999999", "garbage without a header")
        #expect(try storage.claims() == [good])
        let dead = try storage.deadItems()
        #expect(dead.map(\.data) == [bytes("garbage without a header")])
        #expect(dead.first?.reason.contains("unreadable claim record 999999") == true)
        // A dead-letter record that does not parse is listed whole.
        _ = try connection.command("RPUSH", "huey.\(storage.name).dead", "no header")
        #expect(try storage.deadItems().last?.data == bytes("no header"))
    }

    @Test("a restarted server is reconnected to, and its data is still there")
    func serverRestart() throws {
        let server = try RedisTestServer.start(persistent: true)
        defer { server.stop() }
        let storage = RedisStorage(name: "restart", configuration: try RedisConfiguration(url: server.url))
        try storage.enqueue(bytes("before"), priority: 0)
        try storage.putData(key: "k", value: bytes("v"))
        try server.restart()
        // The pooled connection broke with the restart: the first call may fail, and says why.
        var failures = 0
        var size: Int?
        while size == nil && failures < 3 {
            do { size = try storage.queueSize() } catch let error as StorageError {
                #expect(error.message.contains("redis queue restart"))
                failures += 1
            }
        }
        #expect(size == 1)
        #expect(failures <= 1)
        #expect(try storage.peekData(key: "k") == bytes("v"))
        #expect(try storage.dequeue() == bytes("before"))
    }
}
