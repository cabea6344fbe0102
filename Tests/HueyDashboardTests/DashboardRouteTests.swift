import Foundation
import Huey
import HueyDashboard
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The dashboard's pages and JSON API, served in-process by HummingbirdTesting (no socket),
/// over a real SQLite queue with a known history and content (``DashboardFixture``).
@Suite("Dashboard routes")
struct DashboardRouteTests {
    @Test("the overview shows the queue's counts, its figures, the consumer, the running call and the queue")
    func overview() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            for (field, value) in [
                ("pending", "2"), ("scheduled", "2"), ("inFlight", "1"), ("rate", "0.2"), ("errors", "26.3%"),
                ("oldest", "30.0 s"), ("results", "16"), ("dead", "1"),
            ] {
                #expect(html.contains("id=\"\(field)\" data-field=\"\(field)\">\(value)<"), "\(field) should be \(value)")
            }
            #expect(html.contains("<span id=\"paused\">Not paused</span>"))
            #expect(html.contains("id=\"task-statistics\""))
            #expect(html.contains(fixture.claimedID))  // running now
            #expect(html.contains("pid \(getpid())"))
            for id in fixture.queuedIDs where id != fixture.claimedID { #expect(html.contains(id)) }
            #expect(html.contains("<title>Queue depth</title>"))
            #expect(html.contains("<title>add: calls completed per minute</title>"))
            #expect(html.contains("<title>flaky: run time p95 per minute (s)</title>"))
            #expect(html.contains("<td>fixture 1.0</td>"))  // the registered consumer
            #expect(!html.contains("src=\"http"))  // no external asset
        }
    }

    @Test("each list page shows what the storage holds")
    func listPages() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let scheduled = String(buffer: try await client.execute(uri: "/scheduled", method: .get).body)
            for id in fixture.scheduledIDs { #expect(scheduled.contains(id)) }
            #expect(scheduled.contains("2 scheduled calls"))
            #expect(scheduled.contains("<td>\(Self.utc(fixture.now - 30 + 3600))</td>"))  // the eta: its next run
            let periodic = String(buffer: try await client.execute(uri: "/periodic", method: .get).body)
            let next = try crontab(minute: "30", hour: "2").nextMatch(after: fixture.date)!
            #expect(periodic.contains("<td>nightly</td><td>\(Self.utc(next.timeIntervalSince1970))</td><td>no</td>"))
            let failures = String(buffer: try await client.execute(uri: "/failures", method: .get).body)
            #expect(failures.contains("FireError"))
            #expect(failures.contains("disk on fire"))
            #expect(failures.contains(fixture.failedID))
            #expect(failures.contains(fixture.boomID))  // the real failure of the history
            #expect(failures.contains("boom as asked"))
            let dead = String(buffer: try await client.execute(uri: "/dead", method: .get).body)
            #expect(dead.contains("undecodable message: test"))
            #expect(dead.contains("{not json"))
            let api = try await client.execute(uri: "/api", method: .get)
            #expect(String(buffer: api.body).contains("/api/statistics"))
            let call = String(buffer: try await client.execute(uri: "/call?id=\(fixture.failedID)", method: .get).body)
            #expect(call.contains("not revoked; result store: error"))
        }
    }

    @Test("the consumers page and /api/consumers show the consumer, its worker and the call it runs")
    func consumers() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        let pid = getpid()
        try await app.test(.router) { client in
            let html = String(buffer: try await client.execute(uri: "/consumers", method: .get).body)
            let host = PageText.escaped(ClaimOwner.localHost)
            #expect(
                html.contains(
                    "<tr><td>\(host)</td><td>\(pid)</td><td>fixture 1.0</td><td>\(Self.utc(fixture.start))</td>"
                        + "<td>5.0 s ago</td><td>process × 1</td><td>\(pid)</td>"
                        + "<td>add \(PageText.callLink(fixture.claimedID))</td><td>30.0 s</td></tr>"),
                "\(html)")
            let response = try await client.execute(uri: "/api/consumers", method: .get)
            let consumers = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: response.body).utf8)).arrayValue)
            #expect(consumers.count == 1)
            let consumer = try #require(consumers.first?.objectValue)
            #expect(consumer["pid"] == .int(Int(pid)))
            #expect(consumer["version"] == .string("fixture 1.0"))
            #expect(consumer["heartbeat"]?.doubleValue == fixture.start + 175)
            let worker = try #require(consumer["workers"]?.arrayValue?.first?.objectValue)
            #expect(worker["pid"] == .int(Int(pid)))
            #expect(worker["task"] == .string("add"))
            #expect(worker["id"] == .string(fixture.claimedID))
            #expect(worker["running_seconds"]?.doubleValue == 30)
        }
    }

    @Test("the JSON API returns the same figures")
    func jsonAPI() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let summary = try await Self.decode(QueueSummary.self, client, "/api/summary")
            #expect(summary.name == "test")
            #expect([summary.pending, summary.scheduled, summary.inFlight, summary.results, summary.dead] as [Int] == [2, 2, 1, 16, 1])
            #expect(summary.paused == false && summary.pausedSince == nil)
            #expect(summary.time == fixture.now)
            #expect((summary.diskBytes ?? 0) > 0)
            let pending = try await Self.decode([CallSummary].self, client, "/api/pending")
            #expect(pending.map(\.id) == fixture.queuedIDs.filter { $0 != fixture.claimedID })
            #expect(pending.first?.name == "add")
            let limited = try await Self.decode([CallSummary].self, client, "/api/pending?limit=1")
            #expect(limited.count == 1)
            let scheduled = try await Self.decode([CallSummary].self, client, "/api/scheduled")
            #expect(Set(scheduled.map(\.id)) == Set(fixture.scheduledIDs))
            #expect(scheduled.allSatisfy { $0.eta == fixture.now - 30 + 3600 })  // scheduled at start + 150
            let running = try await Self.decode([RunningCall].self, client, "/api/running")
            #expect(running.map(\.id) == [fixture.claimedID])
            #expect(running.first?.pid == getpid())
            #expect(running.first?.runningFor == 30)
            let periodic = try await Self.decode([PeriodicSummary].self, client, "/api/periodic")
            let next = try crontab(minute: "30", hour: "2").nextMatch(after: fixture.date)!
            #expect(periodic == [PeriodicSummary(name: "nightly", nextRun: next.timeIntervalSince1970, revoked: false)])
            let failures = try await Self.decode([FailureSummary].self, client, "/api/failures")
            #expect(failures.map(\.id) == [fixture.boomID, fixture.failedID])  // by type: Boom, FireError
            #expect(failures.last == FailureSummary(id: fixture.failedID, type: "FireError", error: "disk on fire", retries: 0, traceback: "add at step 2"))
            #expect(failures.first?.type == "Boom" && failures.first?.error == "boom as asked")
            let dead = try await Self.decode([DeadSummary].self, client, "/api/dead")
            #expect(dead.map(\.reason) == ["undecodable message: test"])
            #expect(dead.map(\.letter) == (try fixture.huey.storage.deadItems()).map(\.id))
            #expect(dead.first?.id == nil)
            let status = try await Self.decode(CallStatus.self, client, "/api/calls/\(fixture.failedID)")
            #expect(status == CallStatus(id: fixture.failedID, revoked: false, result: "error"))
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ client: some TestClientProtocol, _ uri: String) async throws -> T {
        let response = try await client.execute(uri: uri, method: .get)
        #expect(response.status == .ok, "\(uri): \(response.status)")
        #expect(response.headers[.contentType] == "application/json")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return try decoder.decode(T.self, from: Data(String(buffer: response.body).utf8))
    }

    static func utc(_ seconds: Double) -> String { Date(timeIntervalSince1970: seconds).formatted(.iso8601) }
}

/// What the tests expect of the pages' text.
enum PageText {
    /// The link to the call page of `id`, as the pages write it.
    static func callLink(_ id: String) -> String {
        "<a href=\"/call?id=\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)\">\(escaped(id))</a>"
    }

    /// `text` as the pages escape it.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
