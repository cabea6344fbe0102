import Foundation
import Huey
import HueyPostgres
import HueyTestSupport
import Testing

/// Tests that need a private server of their own: a wrong password, a restart.
@Suite("PostgreSQL private server", .serialized, .enabled(if: privatePostgresAvailable, noPostgres))
struct PostgresServerTests {
    @Test("a wrong password is refused with the server's reason")
    func wrongPassword() throws {
        let server = try PostgresTestServer.start()
        let configuration = try PostgresConfiguration(url: server.url(password: "wrong"))
        let error = try #require(throws: PostgresError.self) { try PostgresConnection(configuration) }
        #expect(error.code == .connection)
        #expect(error.message.contains("password authentication failed for user \"huey\""), "\(error)")
        #expect(!error.message.contains("wrong"), "\(error)")
        _ = try PostgresConnection(try PostgresConfiguration(url: server.url))
    }

    @Test("after a server restart old connections (one waiting for a notification) break with a clear error; a new one sees committed data")
    func restart() throws {
        let server = try PostgresTestServer.start()
        let configuration = try PostgresConfiguration(url: server.url)
        let connection = try PostgresConnection(configuration)
        try connection.execute("CREATE TABLE kept (id integer)")
        try connection.transaction { try connection.query("INSERT INTO kept VALUES (7)") }
        let listener = try PostgresConnection(configuration)
        try listener.listen("huey.q.restart")
        try server.restart()
        let waitStart = monotonicSeconds()
        let lost = try #require(throws: PostgresError.self) { try listener.waitForNotification(timeout: 30) }
        #expect(lost.code == .connection && listener.isBroken, "\(lost)")
        #expect(monotonicSeconds() - waitStart < 10, "noticed the lost connection only after the wait")
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(error.code == .connection, "\(error)")
        #expect(connection.isBroken)
        let again = try #require(throws: PostgresError.self) { try connection.query("SELECT 1") }
        #expect(again.code == .connection && again.message.contains("open a new connection"), "\(again)")
        let reconnected = try PostgresConnection(configuration)
        #expect(try reconnected.query("SELECT id FROM kept").map { $0.int(0) } == [7])
    }
}

@Suite("PostgreSQL connection across fork", .serialized, .enabled(if: postgresAvailable, noPostgres))
struct PostgresForkTests {
    @Test("a connection inherited by a forked child refuses use there and leaves the parent's session alone")
    func forkedChild() throws {
        let fixture = try PostgresFixture()
        let helper = try HelperProcess(["postgres-fork", fixture.url])
        let exit = helper.waitForExit(timeout: 60)
        #expect(helper.standardOutput == "child=refused parent=ok\n", "\(helper.standardOutput)\(helper.standardError)")
        #expect(exit == ProcessExit(reason: .exited, status: 0))
    }
}
