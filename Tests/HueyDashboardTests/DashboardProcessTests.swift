import Foundation
import Huey
import HueyDashboard
import HueyTestSupport
import Testing

/// The dashboard as a process on a real port: `huey-dashboard` over a SQLite file and
/// `huey-demo dashboard`.
@Suite("Dashboard process", .serialized)
struct DashboardProcessTests {
    @Test("huey-dashboard serves the storage, samples it, acts with the token and stops on SIGTERM", .timeLimit(.minutes(5)))
    func standalone() async throws {
        let fixture = try DashboardFixture()
        let live = try LiveDashboard(
            executable: HelperProcess.executablePath("huey-dashboard"),
            arguments: ["--sqlite", fixture.database, "--name", "test", "--port", "0", "--sample-interval", "0.2"],
            environment: ["HUEY_DASHBOARD_TOKEN": "from-env"], directory: fixture.directory)
        #expect(live.base.hasPrefix("http://127.0.0.1:"))  // loopback unless told otherwise
        #expect(live.process.standardOutput.contains("Huey dashboard for queue \"test\""))

        let (status, body) = try await live.request("/api/summary")
        #expect(status == 200)
        let summary = try JSONDecoder().decode(QueueSummary.self, from: Data(body.utf8))
        #expect([summary.pending, summary.scheduled, summary.inFlight, summary.results, summary.dead] as [Int] == [2, 2, 1, 16, 1])
        // The process reads the statistics and the registry on the real clock: the fixture's
        // history is five minutes old, inside the hour shown.
        let statistics = try JSONDecoder().decode(JSONValue.self, from: Data(try await live.request("/api/statistics").1.utf8))
        let total = statistics.objectValue?["total"]?.objectValue
        #expect(total?["completed"] == .int(14) && total?["failed"] == .int(5) && total?["retried"] == .int(4))
        let consumers = try JSONDecoder().decode(JSONValue.self, from: Data(try await live.request("/api/consumers").1.utf8))
        #expect(consumers.arrayValue?.first?.objectValue?["version"] == .string("fixture 1.0"))
        let (pageStatus, page) = try await live.request("/")
        #expect(pageStatus == 200)
        #expect(page.contains("id=\"pending\" data-field=\"pending\">2<"))
        #expect(page.contains("Actions need the token"))

        // The process samples the depth by itself.
        var samples: [DepthSample] = []
        let deadline = Date().addingTimeInterval(60)
        while samples.count < 3 && Date() < deadline {
            samples = try JSONDecoder().decode([DepthSample].self, from: Data(try await live.request("/api/depth").1.utf8))
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(samples.count >= 3)
        #expect(samples.last?.pending == 2)

        let id = fixture.queuedIDs[2]
        let refused = try await live.request("/api/calls/\(id)/revoke", method: "POST")
        #expect(refused.0 == 401)
        #expect(try fixture.huey.isRevoked(id: id) == false)
        let accepted = try await live.request(
            "/api/calls/\(id)/revoke", method: "POST", headers: ["Authorization": "Bearer from-env"])
        #expect(accepted.0 == 200)
        #expect(try fixture.huey.isRevoked(id: id))  // written to the shared storage

        live.process.send(SIGTERM)
        #expect(live.process.waitForExit(timeout: 60) == ProcessExit(reason: .exited, status: 0))
    }

    @Test("huey-dashboard rejects bad arguments with status 2", .timeLimit(.minutes(2)))
    func badArguments() throws {
        let fixture = try DashboardFixture()
        let cases: [([String], String)] = [
            (["--sqlite", fixture.database, "--port", "70000"], "--port must be 0...65535"),
            (["--sqlite", fixture.directory + "/missing.db"], "no storage at"),
            (["--port", "0"], "exactly one of --sqlite"),
            (["--sqlite", fixture.database, "--sample-interval", "0"], "--sample-interval"),
            (["--sqlite", fixture.database, "--window", "10"], "--window must be at least 60 s"),
        ]
        for (arguments, message) in cases {
            let process = try HelperProcess(
                arguments, executable: HelperProcess.executablePath("huey-dashboard"), outputDirectory: fixture.directory)
            #expect(process.waitForExit(timeout: 60) == ProcessExit(reason: .exited, status: 2), "\(arguments)")
            #expect(process.standardError.contains(message), "\(arguments): \(process.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/missing.db"))
    }

    @Test("huey-demo dashboard shows the demo's periodic task with its next run", .timeLimit(.minutes(5)))
    func demoDashboard() async throws {
        let fixture = try DashboardFixture()
        let database = fixture.directory + "/huey-demo.db"
        let live = try LiveDashboard(
            executable: HelperProcess.executablePath("huey-demo"), arguments: ["--db", database, "dashboard", "--port", "0"],
            directory: fixture.directory)
        #expect(live.process.standardOutput.contains("queue \"demo\""))
        let asked = Date().timeIntervalSince1970
        let (status, body) = try await live.request("/api/periodic")
        let answered = Date().timeIntervalSince1970
        #expect(status == 200)
        let periodic = try JSONDecoder().decode([PeriodicSummary].self, from: Data(body.utf8))
        let task = try #require(periodic.first { $0.name == "demo.every_three_minutes" })
        let next = try #require(task.nextRun)
        #expect(Int(next) % 180 == 0)  // */3 minutes
        // Computed at some moment between asking and the answer (a 3-minute mark may pass meanwhile).
        #expect(next > asked && next <= answered + 180, "next \(next), asked \(asked), answered \(answered)")
        let page = try await live.request("/periodic").1
        #expect(page.contains("demo.every_three_minutes"))
        live.process.send(SIGINT)
        #expect(live.process.waitForExit(timeout: 60) == ProcessExit(reason: .exited, status: 0))
    }
}
