import Foundation
import Synchronization
import HueyPostgres
import HueyTestSupport
import Testing

@Suite("PostgreSQL connection", .enabled(if: postgresAvailable, noPostgres))
struct PostgresConnectionTests {
    @Test("parameters round-trip: text, bytea with NUL bytes, integers, NULL; plain and prepared")
    func parameters() throws {
        let fixture = try PostgresFixture()
        let connection = try fixture.connect()
        let allBytes = (0...255).map(UInt8.init) + [0, 0, 1, 0]
        let values: [PostgresValue] = [.text("héllo ✓ 'quoted' \\ \"x\""), .bytes(allBytes), .integer(-9_000_000_000), .null, .bytes([])]
        let sql = "SELECT $1::text AS t, $2::bytea AS b, $3::bigint AS i, $4::text AS n, $5::bytea AS e, octet_length($2) AS l"
        let plain = try connection.query(sql, values)
        let statement = try connection.prepare(sql)
        #expect(statement.parameterCount == 5)
        #expect(try connection.prepare(sql) == statement)
        let prepared = try connection.query(statement, values)
        for rows in [plain, prepared] {
            #expect(rows.columns == ["t", "b", "i", "n", "e", "l"])
            let row = try #require(rows.first)
            #expect(row.string(0) == "héllo ✓ 'quoted' \\ \"x\"")
            #expect(row.bytes(1) == allBytes)
            #expect(row.int(2) == -9_000_000_000)
            #expect(row.isNull(3))
            #expect(row.bytes(4) == [])
            #expect(row.int(5) == allBytes.count)
        }
        let wrongCount = try #require(throws: PostgresError.self) { try connection.query(statement, [.null]) }
        #expect(wrongCount.code == .misuse)
    }

    @Test("the DocC overview example runs as written (on the test's server)")
    func doccExample() throws {
        let fixture = try PostgresFixture()
        // HueyPostgres.docc/HueyPostgres.md, the URL replaced by the test server's:
        let connection = try PostgresConnection(PostgresConfiguration(url: fixture.url))
        try connection.execute("CREATE TEMP TABLE items (id bigint PRIMARY KEY, body bytea)")
        let insert = try connection.prepare("INSERT INTO items (id, body) VALUES ($1, $2)")
        try connection.transaction {
            try connection.query(insert, [.integer(1), .bytes([0, 1, 2])])
        }
        #expect(try connection.query("SELECT body FROM items WHERE id = 1").first?.bytes(0) == [0, 1, 2])
    }

    @Test("a unique violation carries SQLSTATE 23505, the server's message and detail; the connection goes on")
    func uniqueViolation() throws {
        let fixture = try PostgresFixture()
        let connection = try fixture.connect()
        try connection.execute("CREATE TEMP TABLE items (id integer PRIMARY KEY, body bytea)")
        let insert = try connection.prepare("INSERT INTO items VALUES ($1, $2)")
        #expect(try connection.query(insert, [.integer(1), .bytes([0])]).affectedRows == 1)
        let error = try #require(throws: PostgresError.self) { try connection.query(insert, [.integer(1), .bytes([1])]) }
        #expect(error.code == .server)
        #expect(error.sqlState == .uniqueViolation && error.sqlState?.errorClass == "23")
        #expect(error.message.contains("duplicate key value violates unique constraint"), "\(error)")
        #expect(error.detail == "Key (id)=(1) already exists.", "\(error)")
        #expect(!connection.isBroken)
        #expect(try connection.query("SELECT count(*) FROM items").first?.int(0) == 1)
    }

    @Test("a syntax error carries SQLSTATE 42601 and the server's text")
    func syntaxError() throws {
        let fixture = try PostgresFixture()
        let connection = try fixture.connect()
        for attempt in [{ try connection.execute("SELEC 1") }, { _ = try connection.prepare("SELEC $1") }] {
            let error = try #require(throws: PostgresError.self) { try attempt() }
            #expect(error.code == .server && error.sqlState == .syntaxError)
            #expect(error.message == "syntax error at or near \"SELEC\"", "\(error)")
            #expect(error.description.hasPrefix("PostgreSQL server error 42601: syntax error"), "\(error)")
        }
        #expect(try connection.query("SELECT 1").first?.int(0) == 1)
    }

    @Test("a transaction commits; a throw rolls it back and is rethrown; a swallowed failure is not a commit")
    func transactions() throws {
        struct Refused: Error {}
        let fixture = try PostgresFixture()
        let connection = try fixture.connect()
        try connection.execute("CREATE TEMP TABLE items (id integer PRIMARY KEY)")
        let committed = try connection.transaction {
            try connection.query("INSERT INTO items VALUES (1)")
            #expect(connection.inTransaction)
            return 42
        }
        #expect(committed == 42 && !connection.inTransaction)
        #expect(throws: Refused.self) {
            try connection.transaction {
                try connection.query("INSERT INTO items VALUES (2)")
                throw Refused()
            }
        }
        #expect(!connection.inTransaction)
        let swallowed = try #require(throws: PostgresError.self) {
            try connection.transaction {
                try connection.query("INSERT INTO items VALUES (3)")
                _ = try? connection.query("INSERT INTO items VALUES (1)")  // fails: the transaction is aborted
            }
        }
        #expect(swallowed.code == .misuse && swallowed.message.contains("rolled back"), "\(swallowed)")
        #expect(!connection.inTransaction)
        let ids = try connection.query("SELECT id FROM items ORDER BY id").map { $0.int(0) }
        #expect(ids == [1])
    }

    @Test("waiting for a notification times out, and wakes at once when one is sent (latency measured)")
    func listenNotify() throws {
        let fixture = try PostgresFixture()
        let listener = try fixture.connect()
        let channel = "huey.q.\(fixture.tag)"
        try listener.listen(channel)

        let start = monotonicSeconds()
        #expect(try listener.waitForNotification(timeout: 0.2) == nil)
        let waited = monotonicSeconds() - start
        #expect(waited >= 0.2 && waited < 5, "waited \(waited) s")

        // Rounds: another thread sends once the listener is waiting (it sleeps a little
        // first only to let the listener block in poll; the wake-up is what is measured).
        var latencies: [Double] = []
        for round in 0..<20 {
            let sentAt = Mutex(0.0)
            let sender = Thread {
                usleep(20_000)
                guard let connection = try? fixture.connect() else { return }
                sentAt.withLock { $0 = monotonicSeconds() }
                try? connection.notify(channel, payload: "round \(round)")
            }
            sender.start()
            let notification = try #require(try listener.waitForNotification(timeout: 10))
            let wokeAt = monotonicSeconds()
            #expect(notification.channel == channel && notification.payload == "round \(round)")
            latencies.append(wokeAt - sentAt.withLock { $0 })
        }
        latencies.sort()
        let p50 = latencies[latencies.count / 2] * 1000
        let worst = latencies.last! * 1000
        print("LISTEN/NOTIFY wake-up (notify sent on another connection → listener returns), 20 rounds: "
            + "p50 \(String(format: "%.2f", p50)) ms, max \(String(format: "%.2f", worst)) ms")
        #expect(worst < 2000, "a wake-up took \(worst) ms")

        let long = String(repeating: "q", count: 64)
        for attempt in [{ try listener.listen(long) }, { try listener.notify(long) }, { try listener.listen("") }] {
            let error = try #require(throws: PostgresError.self) { try attempt() }
            #expect(error.code == .misuse && error.message.contains("PostgreSQL takes 1 to 63"), "\(error)")
        }
        try listener.listen(String(repeating: "q", count: 63))

        try listener.unlisten(channel)
        let other = try fixture.connect()
        try other.notify(channel, payload: "unheard")
        #expect(try listener.waitForNotification(timeout: 0.1) == nil)
    }
}
