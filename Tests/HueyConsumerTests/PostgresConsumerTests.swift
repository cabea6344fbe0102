import Foundation
import Huey
import HueyPostgres
import HueyTestSupport
import Testing

/// Consumers on PostgreSQL: separate masters sharing one queue, claims of other machines,
/// a server restart, the chaos run.
@Suite(
    "Consumers on PostgreSQL", .serialized,
    .enabled(if: PostgresTestTarget.canProvide, "no PostgreSQL: set HUEY_TEST_POSTGRES_URL or install postgresql"))
struct PostgresConsumerTests {
    /// Consumers on one PostgreSQL queue with a name of its own, and their clean-up.
    final class PostgresFixture: ServerQueueFixture {
        let url: String
        /// A private server of this test's own (one it restarts), stopped with the fixture.
        let server: PostgresTestServer?

        /// On `server` when given, else on the server the tests share.
        init(server: PostgresTestServer? = nil) throws {
            let url = try server?.url ?? PostgresTestTarget.sharedURL()
            (self.url, self.server) = (url, server)
            try super.init(
                makeHuey: { try PostgresHuey(name: $0, url: url) }, storageArguments: { ["--postgres", url, $0] })
        }

        override func stop() {
            super.stop()
            server?.stop()
        }
    }

    @Test("two consumers (separate masters, -w 2 -k process each) on one queue: 5,000 tasks, each run exactly once", .timeLimit(.minutes(3)))
    func twoConsumers() throws {
        let fixture = try PostgresFixture()
        defer { fixture.stop() }
        let environment = ["HUEY_TEST_TALLY": fixture.file("tally")]
        let one = try fixture.start(["consume", "-w", "2", "-k", "process"], environment: environment)
        let two = try fixture.start(["consume", "-w", "2", "-k", "process"], environment: environment)
        #expect(poll(timeout: 20) {
            ProcessTable.children(of: one.pid).count == 2 && ProcessTable.children(of: two.pid).count == 2
        }, "\(fixture.log)")
        let workersOne = Set(ProcessTable.children(of: one.pid).map(\.pid))
        let workersTwo = Set(ProcessTable.children(of: two.pid).map(\.pid))

        let count = 5000
        let results = try fixture.tasks.tally.map((0..<count).map { $0 })
        #expect(poll(timeout: 150) { (try? fixture.huey.storage.resultStoreSize()) == count }, "\(fixture.log)")

        #expect(try results.get(blocking: true, timeout: 10) == Array(0..<count))
        let (runs, pids) = fixture.tally()
        #expect(runs.count == count)
        #expect(runs.values.allSatisfy { $0 == 1 }, "run twice: \(runs.filter { $0.value > 1 }.keys.sorted().prefix(20))")
        #expect(!pids.isDisjoint(with: workersOne) && !pids.isDisjoint(with: workersTwo), "both consumers must have worked: \(pids)")
        #expect(try fixture.huey.storage.queueSize() == 0)
        #expect(try fixture.huey.storage.claims().isEmpty)
        note("postgres two consumers: \(pids.intersection(workersOne).count)+\(pids.intersection(workersTwo).count) workers ran \(count) tasks")

        one.send(SIGINT)
        two.send(SIGINT)
        #expect(exited(one.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
        #expect(exited(two.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
    }

    @Test("claims of another machine are left alone while its heartbeat lives, recovered once it expires", .timeLimit(.minutes(1)))
    func otherMachines() throws {
        let fixture = try PostgresFixture()
        defer { fixture.stop() }
        let storage = try #require(fixture.huey.storage as? PostgresStorage)
        let alive = ClaimOwner(pid: 4242, startTime: 1, host: "machine-alive/0")
        let gone = ClaimOwner(pid: 4242, startTime: 1, host: "machine-gone/0")
        #expect(try storage.queueSize() == 0)  // connects: the tables exist from here on
        let database = try PostgresConnection(storage.configuration)
        let heartbeat = "insert into huey_host (queue, host, expires_at) values ($1, $2, clock_timestamp() + interval '60 s')"
        try database.query(heartbeat, [.text(fixture.name), .text(alive.host)])
        let first = try fixture.tasks.tally(1)
        _ = try #require(try storage.claim(owner: alive, now: now()))
        let second = try fixture.tasks.tally(2)
        _ = try #require(try storage.claim(owner: gone, now: now()))
        #expect(try storage.isAlive(alive) && !storage.isAlive(gone))

        let consumer = try fixture.start(["consume", "-w", "1", "-k", "process", "-c", "1"])
        // One health-check pass looks at both claims: once the dead machine's call has run,
        // the live machine's claim has been seen and must still be there.
        #expect(try second.get(blocking: true, timeout: 20) == 2, "\(fixture.log)")
        #expect(try storage.claims().map(\.owner) == [alive])
        #expect(try first.get() == nil)
        #expect(consumer.standardError.contains("left by dead process 4242 on machine-gone/0"), "\(fixture.log)")

        // That machine stops: its heartbeat expires.
        try database.query(
            "update huey_host set expires_at = clock_timestamp() where queue = $1 and host = $2",
            [.text(fixture.name), .text(alive.host)])
        #expect(try first.get(blocking: true, timeout: 20) == 1, "\(fixture.log)")
        #expect(try storage.claims().isEmpty)
        // The consumer's own machine keeps its heartbeat fresh.
        let own = try database.query(
            "select 1 from huey_host where queue = $1 and host = $2 and expires_at > clock_timestamp()",
            [.text(fixture.name), .text(ClaimOwner.localHost)])
        #expect(own.count == 1, "the consumer sent no heartbeat")
        consumer.send(SIGINT)
        #expect(exited(consumer.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
    }

    @Test(
        "the server restarts mid-run under -w 2: the consumer logs, reconnects and every task gets its result",
        .enabled(if: PostgresTestServer.isAvailable || PostgresTestTarget.configuredURL != nil), .timeLimit(.minutes(3)))
    func serverRestart() throws {
        let fixture = try PostgresFixture(server: try PostgresTestServer.start())
        defer { fixture.stop() }
        let consumer = try fixture.start(
            ["consume", "-w", "2", "-k", "process", "-d", "0.05", "-m", "0.5"],
            environment: ["HUEY_TEST_TALLY": fixture.file("tally")])
        let count = 1500
        let results = try fixture.tasks.tally.map((0..<count).map { $0 })
        #expect(poll(timeout: 30) { fixture.tally().runs.count >= 100 }, "\(fixture.log)")
        try fixture.server?.restart()
        #expect(poll(timeout: 120) { (try? fixture.huey.storage.resultStoreSize()) == count }, "\(fixture.log)")
        #expect(try results.get(blocking: true, timeout: 10) == Array(0..<count))
        let (runs, _) = fixture.tally()
        #expect(runs.count == count, "\(fixture.log)")
        #expect(try fixture.huey.storage.queueSize() == 0)
        #expect(try fixture.huey.storage.claims().isEmpty)
        #expect(consumer.isRunning, "the master must survive the restart:\n\(fixture.log)")
        let lost = consumer.standardError.components(separatedBy: "lost the connection to").count - 1
        #expect(lost >= 1, "the lost connection was not logged:\n\(fixture.log)")
        // Once per process (master, two workers), not once per retry.
        #expect(lost <= 3, "logged \(lost) times:\n\(fixture.log)")
        note("postgres restart: \(runs.values.filter { $0 > 1 }.count) of \(count) tasks ran twice; \(lost) processes logged the loss")
        consumer.send(SIGINT)
        #expect(exited(consumer.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
    }

    @Test("chaos on PostgreSQL: 600 tasks, workers and masters SIGKILLed: every id has exactly one outcome", .timeLimit(.minutes(3)))
    func chaos() throws {
        try ConsumerProcessTests.Chaos.runAndCheck(
            storage: "postgres", extraArguments: ["--postgres-url", try PostgresTestTarget.sharedURL()])
    }
}
