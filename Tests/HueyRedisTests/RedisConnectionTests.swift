import Foundation
import HueyRedis
import HueyTestSupport
import Testing

/// `RedisConnection` against a real server: the shared CI server (`HUEY_TEST_REDIS_URL`)
/// or a private `redis-server`. Skipped only when neither exists (not on CI and no
/// `redis-server` installed); with `HUEY_TEST_REDIS_URL` set they always run.
@Suite("Redis connection", .enabled(if: redisAvailable, "no Redis: set HUEY_TEST_REDIS_URL or install redis-server"))
struct RedisConnectionTests {
    @Test("binary values round-trip, zero bytes included")
    func binaryRoundTrip() throws {
        let fixture = try RedisConnectionFixture()
        let connection = try fixture.connect()
        let values: [[UInt8]] = [
            [0, 1, 2, 0, 255, 254, 0], [], [0], Array("plain".utf8), (0..<1_000_000).map { UInt8($0 % 256) },
        ]
        for (index, value) in values.enumerated() {
            let key = fixture.keyBytes("bin\0\(index)")  // keys are binary-safe too
            #expect(try connection.command([bytes("SET"), key, value]) == .status("OK"))
            #expect(try connection.command([bytes("GET"), key]) == .bulk(value))
            #expect(try connection.command([bytes("STRLEN"), key]).integer == value.count)
        }
        #expect(connection.isBroken == false)
    }

    @Test("integer, array, null and status replies")
    func replyKinds() throws {
        let fixture = try RedisConnectionFixture()
        let connection = try fixture.connect()
        let list = fixture.key("list")
        #expect(try connection.command("PING") == .status("PONG"))
        #expect(try connection.command("PING").string == "PONG")
        #expect(try connection.command("INCRBY", fixture.key("n"), "41") == .integer(41))
        #expect(try connection.command("INCR", fixture.key("n")).integer == 42)
        // A counter read back with GET is a bulk string that `integer` parses.
        let counter = try connection.command("GET", fixture.key("n"))
        #expect(counter == .bulk(bytes("42")) && counter.integer == 42 && counter.string == "42")
        #expect(try connection.command("RPUSH", list, "a", "", "c") == .integer(3))
        let range = try connection.command("LRANGE", list, "0", "-1")
        #expect(range == .array([.bulk(bytes("a")), .bulk([]), .bulk(bytes("c"))]))
        #expect(range.array?.compactMap(\.string) == ["a", "", "c"])
        #expect(try connection.command("LRANGE", fixture.key("none"), "0", "-1") == .array([]))
        let missing = try connection.command("GET", fixture.key("none"))
        #expect(missing == .null && missing.isNull && missing.bytes == nil && missing.array == nil)
        // Nested arrays with nulls: a Lua table with a hole ends there; use MGET for nulls.
        let nested = try connection.command("MGET", fixture.key("n"), fixture.key("none"))
        #expect(nested == .array([.bulk(bytes("42")), .null]))
        #expect(
            try connection.command("EVAL", "return {1, {'x', 2}}", "0")
                == .array([.integer(1), .array([.bulk(bytes("x")), .integer(2)])]))
        #expect(RedisReply.bulk([0xFF]).string == nil)
        #expect(RedisReply.status("OK").bytes == bytes("OK"))
    }

    @Test("an error reply is thrown with the server's text, and the connection stays usable")
    func serverError() throws {
        let fixture = try RedisConnectionFixture()
        let connection = try fixture.connect()
        _ = try connection.command("RPUSH", fixture.key("list"), "x")
        let wrongType = #expect(throws: RedisError.self) { try connection.command("INCR", fixture.key("list")) }
        #expect(wrongType?.kind == .server)
        #expect(wrongType?.message == "WRONGTYPE Operation against a key holding the wrong kind of value")
        #expect(wrongType?.serverCode == "WRONGTYPE")
        let unknown = #expect(throws: RedisError.self) { try connection.command("NOSUCHCOMMAND", "a") }
        #expect(unknown?.kind == .server && unknown?.message.hasPrefix("ERR unknown command") == true)
        let scriptError = #expect(throws: RedisError.self) {
            try connection.command("EVAL", "return redis.error_reply('MYERR boom')", "0")
        }
        #expect(scriptError?.message == "MYERR boom")
        #expect(connection.isBroken == false)
        #expect(try connection.command("PING") == .status("PONG"))
        #expect(throws: RedisError.self) { try connection.command([]) }
    }

    @Test("a pipeline returns every reply in order, error replies in place")
    func pipeline() throws {
        let fixture = try RedisConnectionFixture()
        let connection = try fixture.connect()
        let key = fixture.keyBytes("p")
        let results = try connection.pipeline([
            [bytes("SET"), key, bytes("1")], [bytes("INCR"), key], [bytes("LPUSH"), key, bytes("x")],
            [bytes("GET"), key], [bytes("GET"), fixture.keyBytes("none")],
        ])
        #expect(results.count == 5)
        #expect(try results[0].get() == .status("OK"))
        #expect(try results[1].get() == .integer(2))
        #expect(throws: RedisError.self) { try results[2].get() }
        if case .failure(let error) = results[2] { #expect(error.kind == .server && error.serverCode == "WRONGTYPE") }
        #expect(try results[3].get() == .bulk(bytes("2")))
        #expect(try results[4].get() == .null)

        let many = try connection.pipeline((0..<1000).map { _ in [bytes("INCR"), fixture.keyBytes("many")] })
        #expect(try many.map { try $0.get().integer } == Array(1...1000))
        #expect(try connection.pipeline([]).isEmpty)
        #expect(throws: RedisError.self) { try connection.pipeline([[bytes("PING")], []]) }
        #expect(try connection.command("PING") == .status("PONG"))
    }

    @Test("scripts run by SHA-1, and are loaded again after SCRIPT FLUSH")
    func scripts() throws {
        let fixture = try RedisConnectionFixture()
        let connection = try fixture.connect()
        // The prefix makes the script (and its SHA-1) this test's own.
        let script = RedisScript("-- \(fixture.prefix)\nreturn {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}")
        #expect(try connection.command("SCRIPT", "LOAD", script.source).string == script.sha1)
        _ = try connection.command("SCRIPT", "FLUSH")
        #expect(try connection.command("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))
        let key = fixture.keyBytes("s\0")
        let first = try connection.run(script, keys: [key], arguments: [[0, 1]])
        #expect(first == .array([.bulk(key), .bulk([0, 1]), .integer(1)]))
        #expect(try connection.command("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))
        #expect(try connection.run(script, keys: [key], arguments: [[]]).array?.last == .integer(2))
        _ = try connection.command("SCRIPT", "FLUSH")
        #expect(try connection.run(script, keys: [key], arguments: [[]]).array?.last == .integer(3))

        let failing = RedisScript("-- \(fixture.prefix)\nreturn redis.call('NOSUCH')")
        let error = #expect(throws: RedisError.self) { try connection.run(failing, keys: [], arguments: []) }
        #expect(
            error?.kind == .server && error?.message.contains("Unknown Redis command") == true,
            "\(error?.message ?? "")")
        #expect(connection.isBroken == false)
    }

    @Test("a wrong user or password fails with the server's answer")
    func authFailure() throws {
        let fixture = try RedisConnectionFixture()
        var configuration = fixture.configuration
        configuration.username = "huey-nobody-\(UUID().uuidString.prefix(8))"
        configuration.password = "hunter2-\(UUID().uuidString.prefix(8))"
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration) }
        #expect(error?.kind == .connection)
        #expect(
            error?.message.contains("AUTH failed on Redis at \(configuration.address)") == true,
            "\(error?.message ?? "")")
        #expect(error?.message.contains("WRONGPASS invalid username-password pair") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("hunter2") == false)  // the server's text, never the password
    }

    @Test("SELECT picks the database; a bad one fails the connection")
    func database() throws {
        let fixture = try RedisConnectionFixture()
        var other = fixture.configuration
        other.database = fixture.configuration.database == 1 ? 2 : 1
        let inOther = try RedisConnection(other)
        let inFirst = try fixture.connect()
        let key = fixture.key("db")
        _ = try inOther.command("SET", key, "x")
        defer { _ = try? inOther.command("DEL", key) }
        #expect(try inFirst.command("GET", key) == .null)
        #expect(try inOther.command("GET", key) == .bulk(bytes("x")))

        var outOfRange = fixture.configuration
        outOfRange.database = 1_000_000
        let error = #expect(throws: RedisError.self) { try RedisConnection(outOfRange) }
        #expect(error?.kind == .connection)
        #expect(
            error?.message.contains("SELECT 1000000 failed") == true && error?.message.contains("out of range") == true,
            "\(error?.message ?? "")")
    }

    @Test("connecting to nothing names the address and the reason")
    func connectFailure() throws {
        let missing = "/tmp/huey-no-such-\(UUID().uuidString.prefix(8)).sock"
        let socketError = #expect(throws: RedisError.self) {
            try RedisConnection(RedisConfiguration(unixSocket: missing))
        }
        #expect(socketError?.kind == .connection)
        #expect(socketError?.message == "cannot connect to Redis at \(missing): No such file or directory")
        // Port 1 on loopback: nothing listens there.
        let tcpError = #expect(throws: RedisError.self) { try RedisConnection(RedisConfiguration(port: 1)) }
        #expect(tcpError?.message == "cannot connect to Redis at 127.0.0.1:1: Connection refused")
    }

    @Test("a connection the server closed breaks, without SIGPIPE killing the process")
    func closedByServer() throws {
        let fixture = try RedisConnectionFixture()
        let victim = try fixture.connect()
        let killer = try fixture.connect()
        let id = try #require(try victim.command("CLIENT", "ID").integer)
        #expect(try killer.command("CLIENT", "KILL", "ID", String(id)) == .integer(1))
        // A large write to a closed socket fails with EPIPE, which raises SIGPIPE.
        let big = [UInt8](repeating: 7, count: 4_000_000)
        let error = #expect(throws: RedisError.self) {
            try victim.command([bytes("SET"), fixture.keyBytes("big"), big])
        }
        #expect(error?.kind == .connection, "\(String(describing: error))")
        #expect(victim.isBroken)
        #expect(throws: RedisError.self) { try victim.pipeline([[bytes("PING")]]) }
        #expect(try killer.command("PING") == .status("PONG"))
    }

    @Test("a command timeout breaks the connection for good")
    func commandTimeout() throws {
        let fixture = try RedisConnectionFixture()
        let connection = try fixture.connect()
        connection.setCommandTimeout(0.2)
        #expect(connection.commandTimeout == 0.2)
        let started = Date()
        let error = #expect(throws: RedisError.self) { try connection.command("BLPOP", fixture.key("never"), "5") }
        #expect(Date().timeIntervalSince(started) < 4)
        #expect(error?.kind == .connection)
        #expect(
            error?.message.contains("no reply within the command timeout of 0.2 s") == true, "\(error?.message ?? "")")
        #expect(connection.isBroken)
        let again = #expect(throws: RedisError.self) { try connection.command("PING") }
        #expect(again?.kind == .connection && again?.message.contains("is broken") == true)

        // A blocking command within a longer timeout is fine.
        let patient = try fixture.connect()
        patient.setCommandTimeout(3)
        #expect(try patient.command("BLPOP", fixture.key("never"), "0.1") == .null)
        #expect(patient.isBroken == false)
    }
}
