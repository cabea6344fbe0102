import Foundation
import HueyRedis
import HueyTestSupport
import Synchronization
import Testing

/// `RedisConnectionPool`, and what needs a private `redis-server` (restarts, passwords).
/// Not tested: a pool forgetting its connections after fork() (that needs a forked Swift
/// process, which tests never make).
@Suite(
    "Redis connection pool", .enabled(if: redisAvailable, "no Redis: set HUEY_TEST_REDIS_URL or install redis-server"))
struct RedisConnectionPoolTests {
    @Test("threads share a few connections")
    func concurrentUse() throws {
        let fixture = try RedisConnectionFixture()
        let pool = RedisConnectionPool(fixture.configuration, maxIdle: 3)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<50 {
                do {
                    _ = try pool.withConnection { try $0.command("INCR", fixture.key("n")) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(try pool.withConnection { try $0.command("GET", fixture.key("n")).integer } == 400)
        #expect((1...3).contains(pool.idleCount))
        pool.closeAll()
        #expect(pool.idleCount == 0)
        #expect(try pool.withConnection { try $0.command("PING") } == .status("PONG"))
        #expect(pool.idleCount == 1)
    }

    @Test("a server error keeps the connection; a broken one is dropped")
    func dropsBroken() throws {
        let fixture = try RedisConnectionFixture()
        let pool = RedisConnectionPool(fixture.configuration)
        #expect(throws: RedisError.self) { try pool.withConnection { try $0.command("NOSUCHCOMMAND") } }
        #expect(pool.idleCount == 1)
        // A timed-out blocking command breaks its connection; the pool opens a new one.
        #expect(throws: RedisError.self) {
            try pool.withConnection { connection in
                connection.setCommandTimeout(0.1)
                return try connection.command("BLPOP", fixture.key("never"), "5")
            }
        }
        #expect(pool.idleCount == 0)
        #expect(try pool.withConnection { try $0.command("PING") } == .status("PONG"))
        // A connection given back gets the configured timeout again.
        try pool.withConnection { $0.setCommandTimeout(1) }
        #expect(try pool.withConnection { $0.commandTimeout } == fixture.configuration.commandTimeout)
        // Errors that are not about the connection go through and keep it.
        struct Oops: Error {}
        #expect(throws: Oops.self) { try pool.withConnection { _ in throw Oops() } }
        #expect(pool.idleCount == 1)
    }

    @Test("an idle connection the server closed is replaced without an error")
    func idleClosedByServer() throws {
        let fixture = try RedisConnectionFixture()
        let pool = RedisConnectionPool(fixture.configuration)
        let id = try #require(try pool.withConnection { try $0.command("CLIENT", "ID").integer })
        #expect(pool.idleCount == 1)
        let killer = try fixture.connect()
        #expect(try killer.command("CLIENT", "KILL", "ID", String(id)) == .integer(1))
        let next = try #require(try pool.withConnection { try $0.command("CLIENT", "ID").integer })
        #expect(next != id)
        #expect(pool.idleCount == 1)
    }

    @Test("opening fails with the connection error")
    func connectFailure() {
        let pool = RedisConnectionPool(
            RedisConfiguration(unixSocket: "/tmp/huey-no-such-\(UUID().uuidString.prefix(8)).sock"))
        let error = #expect(throws: RedisError.self) { try pool.withConnection { try $0.command("PING") } }
        #expect(error?.kind == .connection)
    }

    @Test("the pool reconnects after the server restarted, and data persists", .enabled(if: privateRedisAvailable))
    func restart() throws {
        let server = try RedisTestServer.start(persistent: true)
        let pool = RedisConnectionPool(try RedisConfiguration(url: server.url))
        _ = try pool.withConnection { try $0.command("SET", "k", "before") }
        #expect(pool.idleCount == 1)
        let firstPid = server.pid

        try server.restart()
        #expect(server.pid != firstPid)
        // The idle connection saw the server go away: dropped when taken, no error.
        #expect(try pool.withConnection { try $0.command("GET", "k") } == .bulk(bytes("before")))

        // A connection in use while the server restarts fails once; the next call reconnects.
        let error = #expect(throws: RedisError.self) {
            try pool.withConnection { connection in
                try server.restart()
                return try connection.command("GET", "k")
            }
        }
        #expect(error?.kind == .connection, "\(String(describing: error))")
        #expect(try pool.withConnection { try $0.command("GET", "k") } == .bulk(bytes("before")))

        // While the server is down, calls fail with a connection error.
        server.stop()
        #expect(throws: RedisError.self) { try pool.withConnection { try $0.command("PING") } }
    }

    @Test("AUTH with a password, and with an ACL user", .enabled(if: privateRedisAvailable))
    func passwords() throws {
        let server = try RedisTestServer.start(arguments: ["--requirepass", "s3cret"])
        let open = try RedisConfiguration(url: server.url)
        // No password: connecting works, commands are refused by the server.
        let anonymous = try RedisConnection(open)
        let refused = #expect(throws: RedisError.self) { try anonymous.command("PING") }
        #expect(refused?.kind == .server && refused?.serverCode == "NOAUTH", "\(String(describing: refused))")

        var wrong = open
        wrong.password = "guess"
        let error = #expect(throws: RedisError.self) { try RedisConnection(wrong) }
        #expect(
            error?.kind == .connection && error?.message.contains("WRONGPASS") == true, "\(String(describing: error))")

        let admin = try RedisConnection(try RedisConfiguration(url: server.url + "?password=s3cret"))
        #expect(try admin.command("PING") == .status("PONG"))
        _ = try admin.command("ACL", "SETUSER", "worker", "on", ">p@ss:word", "~*", "+@all")
        let user = try RedisConnection(try RedisConfiguration(url: "unix://worker:p%40ss%3Aword@" + server.socketPath))
        #expect(try user.command("ACL", "WHOAMI") == .bulk(bytes("worker")))
    }
}
