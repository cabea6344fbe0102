import HueyRedis
import Testing

/// Redis URLs, good and bad, and the SHA-1 that names scripts. No server needed.
@Suite("Redis configuration")
struct RedisConfigurationTests {
    @Test("defaults")
    func defaults() {
        let configuration = RedisConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(configuration.unixSocket == nil && configuration.username == nil && configuration.password == nil)
        #expect(configuration.connectTimeout == 5 && configuration.commandTimeout == 30)
        #expect(configuration.description == "redis://127.0.0.1:6379/0")
    }

    @Test("redis:// URLs")
    func tcpURLs() throws {
        let plain = try RedisConfiguration(url: "redis://localhost:6380/2")
        #expect(plain == RedisConfiguration(host: "localhost", port: 6380, database: 2))

        let bare = try RedisConfiguration(url: "redis://")
        #expect(bare == RedisConfiguration())
        #expect(try RedisConfiguration(url: "REDIS://example.com") == RedisConfiguration(host: "example.com"))
        #expect(try RedisConfiguration(url: "redis://example.com/") == RedisConfiguration(host: "example.com"))

        let password = try RedisConfiguration(url: "redis://:p%40ss%2Fw0rd@10.0.0.1/0")
        #expect(password.password == "p@ss/w0rd" && password.username == nil && password.host == "10.0.0.1")

        let user = try RedisConfiguration(url: "redis://al%69ce:s3cr:et@host:1234")
        #expect(user.username == "alice" && user.password == "s3cr:et" && user.port == 1234)

        let userOnly = try RedisConfiguration(url: "redis://alice@host")
        #expect(userOnly.username == "alice" && userOnly.password == nil)

        let ipv6 = try RedisConfiguration(url: "redis://[::1]:7000/3?timeout=2.5&connect_timeout=0.5")
        #expect(ipv6.host == "::1" && ipv6.port == 7000 && ipv6.database == 3)
        #expect(ipv6.commandTimeout == 2.5 && ipv6.connectTimeout == 0.5)
        #expect(ipv6.description == "redis://[::1]:7000/3?timeout=2.5&connect_timeout=0.5")

        let aliases = try RedisConfiguration(url: "redis://h?socket_timeout=3&socket_connect_timeout=4&db=5")
        #expect(aliases.commandTimeout == 3 && aliases.connectTimeout == 4 && aliases.database == 5)
    }

    @Test("unix:// URLs")
    func unixURLs() throws {
        let socket = try RedisConfiguration(url: "unix:///tmp/redis.sock")
        #expect(socket.unixSocket == "/tmp/redis.sock" && socket.database == 0 && socket.password == nil)
        #expect(socket.description == "unix:///tmp/redis.sock")

        let options = try RedisConfiguration(url: "unix:///var/run/my%20redis.sock?db=4&password=p%26w")
        #expect(options.unixSocket == "/var/run/my redis.sock" && options.database == 4 && options.password == "p&w")

        let credentials = try RedisConfiguration(url: "unix://bob:pw@/run/redis.sock")
        #expect(credentials.username == "bob" && credentials.password == "pw")
        #expect(credentials.unixSocket == "/run/redis.sock")
    }

    @Test("the description masks the password")
    func masked() throws {
        let configuration = try RedisConfiguration(url: "redis://alice:hunter2@host:1/2")
        #expect(configuration.description == "redis://alice:***@host:1/2")
        let socket = try RedisConfiguration(url: "unix:///s.sock?password=hunter2&db=3")
        #expect(socket.description == "unix://:***@/s.sock?db=3")
    }

    @Test(
        "bad URLs throw a configuration error that says what is wrong",
        arguments: [
            ("localhost:6379", "no scheme"),
            ("http://host", "unknown scheme \"http\""),
            ("rediss://host", "TLS (rediss://) is not supported"),
            ("redis://host:0", "port \"0\""),
            ("redis://host:abc", "port \"abc\""),
            ("redis://host:70000", "port \"70000\""),
            ("redis://host:", "port \"\""),
            ("redis://h:1:2", "too many colons"),
            ("redis://[::1", "lacks its \"]\""),
            ("redis://host/x", "database \"x\""),
            ("redis://host/-1", "database \"-1\""),
            ("redis://host/1/2", "database \"1/2\""),
            ("redis://host?timeout=0", "timeout \"0\""),
            ("redis://host?timeout=soon", "timeout \"soon\""),
            ("redis://host?foo=1", "unknown query parameter \"foo\""),
            ("redis://host?db", "has no value"),
            ("redis://host/1?db=2", "db is given twice"),
            ("redis://host#top", "fragment"),
            ("redis://:%zz@host", "bad percent escape"),
            ("redis://:%ff@host", "not UTF-8"),
            ("unix://host/tmp/x.sock", "takes no host"),
            ("unix://", "socket path is missing"),
        ])
    func badURLs(url: String, expected: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("expected redis://") == true)
    }

    @Test("an error about a URL does not show its password")
    func errorMasksPassword() {
        for url in ["redis://:hunter2@host:bad", "redis://u:hunter2@host/x", "unix:///s?password=hunter2&db=x"] {
            let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
            #expect(error?.message.contains("hunter2") == false, "\(error?.message ?? "")")
        }
    }

    @Test("invalid values are refused when connecting, before anything is sent")
    func invalidValues() {
        for configuration in [
            RedisConfiguration(port: 0), RedisConfiguration(host: ""), RedisConfiguration(database: -1),
            RedisConfiguration(connectTimeout: 0), RedisConfiguration(commandTimeout: .infinity),
            RedisConfiguration(unixSocket: "/" + String(repeating: "x", count: 120)),
        ] {
            let error = #expect(throws: RedisError.self) { try RedisConnection(configuration) }
            #expect(error?.kind == .configuration, "\(configuration)")
        }
    }

    @Test("script names are the SHA-1 of the source")
    func sha1() {
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            RedisScript("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").sha1
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // Lengths around the 64-byte block and its 56-byte padding limit (Python's hashlib).
        let expected = [
            55: "a617d006d1ca12671785098a19a87fe58443bde9", 56: "4ad5bb7ae3c4024768d364b77c52128ea3cffebe",
            63: "fc8a5ab77259625085ead3ec96515b3b8d933fad", 64: "93249d4c2f8903ebf41ac358473148ae6ddd7042",
            65: "cf2a63cc308225cf07b498d2309a01dd0df52f67", 119: "edd0f1133d0e4ca5f3e98bb7e0295f31d20d2cdb",
            120: "23a58eee587aa1f50d19a969ab36a3fe3e88c393", 1000: "0c1e754ad8a0130e18bf2d3b0a57e29ad95e75cd",
        ]
        for (length, digest) in expected {
            let source = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            #expect(RedisScript(source).sha1 == digest, "length \(length)")
        }
        #expect(RedisScript("héllo ✓").sha1 == "b7c2a1aa52961195ac19331417a20a8b4f202ddb")
    }
}
