import Foundation
import Huey
import HueyDashboard
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The dashboard's routes, served in-process by HummingbirdTesting (no socket), over a
/// real SQLite queue with a known content (``DashboardFixture``).
@Suite("Dashboard routes")
struct DashboardRouteTests {
    @Test("the overview shows the queue's figures, the running call and the next queued ones")
    func overview() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            #expect(html.contains("id=\"pending\" data-field=\"pending\">2<"))
            #expect(html.contains("id=\"scheduled\" data-field=\"scheduled\">2<"))
            #expect(html.contains("id=\"inFlight\" data-field=\"inFlight\">1<"))
            #expect(html.contains("id=\"results\" data-field=\"results\">1<"))
            #expect(html.contains("id=\"dead\" data-field=\"dead\">1<"))
            #expect(html.contains(fixture.claimedID))  // running now
            #expect(html.contains("pid \(getpid())"))
            for id in fixture.queuedIDs where id != fixture.claimedID { #expect(html.contains(id)) }
            #expect(html.contains("<svg"))  // the depth chart
            #expect(html.contains("id=\"no-statistics\""))  // the per-task hook, empty
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
            let periodic = String(buffer: try await client.execute(uri: "/periodic", method: .get).body)
            let next = try crontab(minute: "30", hour: "2").nextMatch(after: Date())!
            #expect(periodic.contains("<td>nightly</td><td>\(Self.utc(next))</td><td>no</td>"))
            let failures = String(buffer: try await client.execute(uri: "/failures", method: .get).body)
            #expect(failures.contains("FireError"))
            #expect(failures.contains("disk on fire"))
            #expect(failures.contains(fixture.failedID))
            let dead = String(buffer: try await client.execute(uri: "/dead", method: .get).body)
            #expect(dead.contains("undecodable message: test"))
            #expect(dead.contains("{not json"))
            let consumers = try await client.execute(uri: "/consumers", method: .get)
            #expect(consumers.status == .ok)
            #expect(String(buffer: consumers.body).contains("id=\"no-registry\""))
            let api = try await client.execute(uri: "/api", method: .get)
            #expect(String(buffer: api.body).contains("/api/summary"))
            let call = String(buffer: try await client.execute(uri: "/call?id=\(fixture.failedID)", method: .get).body)
            #expect(call.contains("not revoked; result store: error"))
        }
    }

    @Test("the JSON API returns the same figures")
    func jsonAPI() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let summary = try await Self.decode(QueueSummary.self, client, "/api/summary")
            #expect(summary.name == "test")
            #expect([summary.pending, summary.scheduled, summary.inFlight, summary.results, summary.dead] as [Int] == [2, 2, 1, 1, 1])
            #expect((summary.diskBytes ?? 0) > 0)
            let pending = try await Self.decode([CallSummary].self, client, "/api/pending")
            #expect(pending.map(\.id) == fixture.queuedIDs.filter { $0 != fixture.claimedID })
            #expect(pending.first?.name == "add")
            let limited = try await Self.decode([CallSummary].self, client, "/api/pending?limit=1")
            #expect(limited.count == 1)
            let scheduled = try await Self.decode([CallSummary].self, client, "/api/scheduled")
            #expect(Set(scheduled.map(\.id)) == Set(fixture.scheduledIDs))
            #expect(scheduled.allSatisfy { ($0.eta ?? 0) > Date().timeIntervalSince1970 + 3000 })
            let running = try await Self.decode([RunningCall].self, client, "/api/running")
            #expect(running.map(\.id) == [fixture.claimedID])
            #expect(running.first?.pid == getpid())
            let periodic = try await Self.decode([PeriodicSummary].self, client, "/api/periodic")
            let next = try crontab(minute: "30", hour: "2").nextMatch(after: Date())!
            #expect(periodic == [PeriodicSummary(name: "nightly", nextRun: next.timeIntervalSince1970, revoked: false)])
            let failures = try await Self.decode([FailureSummary].self, client, "/api/failures")
            #expect(failures == [FailureSummary(id: fixture.failedID, type: "FireError", error: "disk on fire", retries: 0, traceback: "add at step 2")])
            let dead = try await Self.decode([DeadSummary].self, client, "/api/dead")
            #expect(dead.map(\.reason) == ["undecodable message: test"])
            #expect(dead.first?.id == nil)
            let status = try await Self.decode(CallStatus.self, client, "/api/calls/\(fixture.failedID)")
            #expect(status == CallStatus(id: fixture.failedID, revoked: false, result: "error"))
            let consumers = try await client.execute(uri: "/api/consumers", method: .get)
            #expect(consumers.status == .notFound)
        }
    }

    @Test("/metrics parses back to the storage's figures")
    func metrics() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = PrometheusText.parse(String(buffer: response.body))
            #expect(samples["huey_queue_pending{queue=\"test\"}"] == 2)
            #expect(samples["huey_queue_scheduled{queue=\"test\"}"] == 2)
            #expect(samples["huey_queue_in_flight{queue=\"test\"}"] == 1)
            #expect(samples["huey_results_stored{queue=\"test\"}"] == 1)
            #expect(samples["huey_dead_letters{queue=\"test\"}"] == 1)
            #expect((samples["huey_storage_disk_bytes{queue=\"test\"}"] ?? 0) > 0)
            // A new call shows at the next scrape.
            _ = try fixture.add(7, 7)
            let again = PrometheusText.parse(String(buffer: try await client.execute(uri: "/metrics", method: .get).body))
            #expect(again["huey_queue_pending{queue=\"test\"}"] == 3)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ client: some TestClientProtocol, _ uri: String) async throws -> T {
        let response = try await client.execute(uri: uri, method: .get)
        #expect(response.status == .ok, "\(uri): \(response.status)")
        #expect(response.headers[.contentType] == "application/json")
        return try JSONDecoder().decode(T.self, from: Data(String(buffer: response.body).utf8))
    }

    static func utc(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// Reads Prometheus's text exposition format back: `name{labels} value` lines, comments skipped.
enum PrometheusText {
    static func parse(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
