import HueyPostgres
import Testing

@Suite("PostgreSQL configuration")
struct PostgresConfigurationTests {
    @Test("a URL gives libpq's parameters; connect_timeout defaults to 10 s")
    func url() throws {
        let configuration = try PostgresConfiguration(url: "postgres://app:s%40cret@db.internal:6543/jobs?sslmode=disable")
        #expect(configuration.parameters["host"] == "db.internal")
        #expect(configuration.parameters["port"] == "6543")
        #expect(configuration.parameters["dbname"] == "jobs")
        #expect(configuration.parameters["user"] == "app")
        #expect(configuration.parameters["password"] == "s@cret")
        #expect(configuration.parameters["sslmode"] == "disable")
        #expect(configuration.connectTimeout == 10)
        #expect(configuration.address == "db.internal:6543/jobs as app")
        #expect(!configuration.description.contains("s@cret") && configuration.description.contains("password=***"))
    }

    @Test("postgresql:// and a Unix socket folder as ?host=")
    func socketURL() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://huey@/postgres?host=/run/postgresql&connect_timeout=3")
        #expect(configuration.parameters["host"] == "/run/postgresql")
        #expect(configuration.parameters["dbname"] == "postgres")
        #expect(configuration.connectTimeout == 3)
    }

    @Test("key/value conninfo")
    func keyValue() throws {
        let configuration = try PostgresConfiguration(url: "host=127.0.0.1 port=5432 dbname=app user=huey password='a b'")
        #expect(configuration.parameters["host"] == "127.0.0.1")
        #expect(configuration.parameters["password"] == "a b")
        #expect(configuration.address == "127.0.0.1:5432/app as huey")
    }

    @Test(
        "bad connection strings are refused with the reason, the password masked",
        arguments: [
            ("http://db/app", "unknown scheme \"http://\""),
            ("postgres://db:abc/app", "port \"abc\" is not a number from 1 to 65535"),
            ("postgres://db:70000/app", "port \"70000\" is not a number from 1 to 65535"),
            ("postgres://db/app?colour=blue", "invalid URI query parameter: \"colour\""),
            ("host=db bogus=1", "invalid connection option \"bogus\""),
            ("host=db connect_timeout=soon", "connect_timeout \"soon\" is not a whole number"),
            ("postgres://u:topsecret@db:0/app", "port \"0\""),
        ])
    func bad(url: String, reason: String) throws {
        let error = try #require(throws: PostgresError.self) { try PostgresConfiguration(url: url) }
        #expect(error.code == .configuration)
        #expect(error.message.contains(reason), "\(error.message)")
        #expect(!error.message.contains("topsecret"), "\(error.message)")
    }
}

/// Connect failures that need no server (only libpq).
@Suite("PostgreSQL connect failures")
struct PostgresConnectFailureTests {
    @Test("nothing listening: a connection error naming the address and libpq's reason")
    func nothingListening() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://huey@127.0.0.1:1/postgres?connect_timeout=5")
        let error = try #require(throws: PostgresError.self) { try PostgresConnection(configuration) }
        #expect(error.code == .connection)
        #expect(error.message.contains("cannot connect to PostgreSQL at 127.0.0.1:1/postgres as huey"), "\(error)")
        #expect(error.message.contains("Connection refused"), "\(error)")
    }

    @Test("an unknown host: a connection error saying the name does not resolve")
    func unknownHost() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://huey@no-such-host.invalid/postgres?connect_timeout=5")
        let error = try #require(throws: PostgresError.self) { try PostgresConnection(configuration) }
        #expect(error.code == .connection)
        #expect(error.message.contains("could not translate host name \"no-such-host.invalid\""), "\(error)")
    }
}
