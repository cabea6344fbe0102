import Foundation
import Huey
import HueyDashboard
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The statistics the dashboard shows — the per-task table, the charts' series,
/// `/api/statistics` and `/metrics` — against the fixture's known history: add 10 completed;
/// flaky 4 completed, 4 failed, 4 retried; boom 1 failed; waits 4 s (add), 20 s (flaky's first
/// attempts) and 0 s (retries, boom).
@Suite("Dashboard statistics")
struct DashboardStatisticsTests {
    @Test("the overview's task table has each task's counts, rate, error ratio and wait percentiles, then the total")
    func table() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        // Run times are real (this machine's); the table must show the library's buckets for them.
        let run = Dictionary(
            uniqueKeysWithValues: try fixture.huey.statistics().tasks.map { task in
                (task.name, [0.5, 0.95, 0.99].map { TaskCounters.label(bound: task.runTime($0)!) }.joined(separator: "/"))
            })
        try await app.test(.router) { client in
            let html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            let expected: [[String]] = [
                ["add", "10", "0", "0", "0", "0", "0", "0.2", "0.0%", run["add"]!, "≤5s/≤5s/≤5s"],
                ["boom", "0", "1", "0", "0", "0", "0", "0.0", "100.0%", run["boom"]!, "≤1ms/≤1ms/≤1ms"],
                ["flaky", "4", "4", "4", "0", "0", "0", "0.1", "50.0%", run["flaky"]!, "≤1ms/≤30s/≤30s"],
            ]
            for row in expected {
                let cells = "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>"
                #expect(html.contains(cells), "\(cells) not in the table")
            }
            #expect(html.contains("<tr><td>test</td><td>14</td><td>5</td><td>4</td><td>0</td><td>0</td><td>0</td><td>0.2</td><td>26.3%</td>"))
            #expect(html.contains("<td>≤5s/≤30s/≤30s</td></tr>"))  // the queue's waits
            #expect(html.contains("In flight 1, waiting 2, oldest waiting 30.0 s."))
        }
    }

    @Test("/api/charts: completed and run-time p95 per minute, a point per minute of the window")
    func charts() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        let report = try fixture.huey.statistics()
        try await app.test(.router) { client in
            let charts = try await DashboardRouteTests.decode([TaskChart].self, client, "/api/charts")
            #expect(charts.map(\.name) == ["add", "boom", "flaky"])
            let minutes = Array(stride(from: fixture.now - 3600, through: fixture.now, by: 60))  // 61 whole minutes
            for chart in charts {
                #expect(chart.throughput.map(\.time) == minutes)
            }
            func busy(_ name: String) -> [ChartPoint] { charts.first { $0.name == name }!.throughput.filter { $0.value > 0 } }
            #expect(busy("add") == [ChartPoint(time: fixture.start, value: 10)])
            #expect(busy("flaky") == [ChartPoint(time: fixture.start + 60, value: 4)])
            #expect(busy("boom").isEmpty)
            // One latency point per minute in which bodies ran: the p95 bucket of that minute.
            let add = try #require(report.tasks.first { $0.name == "add" })
            #expect(charts[0].runP95 == [ChartPoint(time: fixture.start, value: add.runTime(0.95)!)])
            #expect(charts[1].runP95.map(\.time) == [fixture.start + 60])
            #expect(charts[2].runP95.map(\.time) == [fixture.start + 60])
        }
    }

    @Test("/api/statistics is the library's report as JSON, as `stats --json` prints it")
    func statisticsJSON() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let report = try await DashboardRouteTests.decode(JSONValue.self, client, "/api/statistics")
            let object = try #require(report.objectValue)
            #expect(object["window"]?.doubleValue == 3600)
            #expect(object["in_flight"] == .int(1) && object["waiting"] == .int(2))
            #expect(object["oldest_waiting_age"]?.doubleValue == 30)
            let total = try #require(object["total"]?.objectValue)
            #expect(total["completed"] == .int(14) && total["failed"] == .int(5) && total["retried"] == .int(4))
            #expect(total["wait_p95"]?.doubleValue == 30)
            let flaky = try #require(object["tasks"]?.arrayValue?.first { $0.objectValue?["name"] == .string("flaky") }?.objectValue)
            #expect(flaky["error_ratio"]?.doubleValue == 0.5)
            #expect(flaky["wait_p50"]?.doubleValue == 0.001)
        }
    }

    @Test("/metrics parses back to the storage's figures and the window's per-task counts")
    func metrics() async throws {
        let fixture = try DashboardFixture()
        let app = fixture.dashboard().makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            let metrics = PrometheusText(text)
            #expect(metrics["huey_queue_pending", ["queue": "test"]] == 2)
            #expect(metrics["huey_queue_scheduled", ["queue": "test"]] == 2)
            #expect(metrics["huey_queue_in_flight", ["queue": "test"]] == 1)
            #expect(metrics["huey_queue_paused", ["queue": "test"]] == 0)
            #expect(metrics["huey_results_stored", ["queue": "test"]] == 16)
            #expect(metrics["huey_dead_letters", ["queue": "test"]] == 1)
            #expect((metrics["huey_storage_disk_bytes", ["queue": "test"]] ?? 0) > 0)
            #expect(metrics["huey_queue_oldest_waiting_seconds", ["queue": "test"]] == 30)
            #expect(metrics["huey_statistics_window_seconds", ["queue": "test"]] == 3600)
            let counts: [(String, String, Double)] = [
                ("add", "completed", 10), ("add", "failed", 0), ("flaky", "completed", 4), ("flaky", "failed", 4),
                ("flaky", "retried", 4), ("flaky", "crashed", 0), ("boom", "failed", 1), ("boom", "completed", 0),
            ]
            for (task, outcome, value) in counts {
                #expect(metrics["huey_task_calls", ["queue": "test", "task": task, "outcome": outcome]] == value, "\(task) \(outcome)")
            }
            #expect(metrics["huey_task_wait_seconds", ["queue": "test", "task": "flaky", "quantile": "0.95"]] == 30)
            #expect(metrics["huey_task_wait_seconds", ["queue": "test", "task": "add", "quantile": "0.5"]] == 5)
            #expect(text.contains("# TYPE huey_task_calls gauge"))

            // A new call and a pause show at the next scrape.
            _ = try fixture.add(7, 7)
            try fixture.huey.pause()
            let again = PrometheusText(String(buffer: try await client.execute(uri: "/metrics", method: .get).body))
            #expect(again["huey_queue_pending", ["queue": "test"]] == 3)
            #expect(again["huey_queue_paused", ["queue": "test"]] == 1)
        }
    }
}

/// Prometheus's text exposition format read back: `name{label="value",…} number` lines,
/// comments skipped, looked up by name and label set (in any order).
struct PrometheusText {
    private var samples: [String: Double] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                samples[String(series)] = value
                continue
            }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            samples[Self.key(String(series[..<brace]), labels)] = value
        }
    }

    subscript(_ name: String, _ labels: [String: String]) -> Double? { samples[Self.key(name, labels)] }

    private static func key(_ name: String, _ labels: [String: String]) -> String {
        name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
    }
}
