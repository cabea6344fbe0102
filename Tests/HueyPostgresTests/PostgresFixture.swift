import Foundation
import HueyPostgres
import HueyTestSupport
import Testing

/// A PostgreSQL server for one test: the shared CI server that `HUEY_TEST_POSTGRES_URL`
/// names, else a private one. Tests run in parallel against one server, so they use
/// temporary tables and channels of their own.
final class PostgresFixture: Sendable {
    let url: String
    /// The private server, kept alive as long as the fixture (nil on CI).
    let server: PostgresTestServer?
    let configuration: PostgresConfiguration
    /// A name of the test's own, for channels.
    let tag = "t\(UUID().uuidString.prefix(8).lowercased())"

    init() throws {
        (url, server) = try PostgresTestTarget.url()
        configuration = try PostgresConfiguration(url: url)
    }

    /// A new connection to the server.
    func connect() throws -> PostgresConnection { try PostgresConnection(configuration) }
}

/// Whether the PostgreSQL tests can run: a server is configured (then they must run) or
/// PostgreSQL is installed. Otherwise they are skipped (visibly, as skipped tests).
let postgresAvailable = PostgresTestTarget.canProvide

/// Whether tests that need a private server (wrong password, restart) run: when
/// PostgreSQL is installed, and always on CI (a URL is configured), where a missing
/// installation must fail rather than skip.
let privatePostgresAvailable = PostgresTestServer.isAvailable || PostgresTestTarget.configuredURL != nil

/// The reason shown when the PostgreSQL tests are skipped.
let noPostgres: Comment = "no PostgreSQL: set HUEY_TEST_POSTGRES_URL or install postgresql"

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
