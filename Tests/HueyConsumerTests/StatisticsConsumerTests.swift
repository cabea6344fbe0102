import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// The statistics a real consumer's worker processes record with their acks, read back
    /// through the `stats` admin command.
    @Suite("Statistics recorded by a consumer")
    struct Statistics {
        @Test("100 calls, 7 failing twice then succeeding: stats --json says completed 100, failed 14, retried 14",
              .timeLimit(.minutes(2)))
        func knownWorkload() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let results = try (0..<100).map { n in
                try fixture.tasks.flaky(n < 7 ? 2 : 0, fixture.file("flaky-\(n)"))
            }
            // Four bodies of a known duration: 1.2 s, in the run-time bucket (1, 2.5].
            let slow = try fixture.tasks.work.map((0..<4).map { ($0, 1200) })
            let master = try fixture.start(["consume", "-w", "2", "-k", "process"])
            _ = try slow.get(blocking: true, timeout: 60)
            // A failed attempt stores its error until the retry's value replaces it: wait for
            // the queue to drain, then read every value.
            let drained = try poll(timeout: 60) {
                try fixture.huey.pendingCount == 0 && fixture.huey.storage.claims().isEmpty
                    && fixture.huey.scheduledCount == 0
                    && (0..<7).allSatisfy { (try? String(contentsOfFile: fixture.file("flaky-\($0)"), encoding: .utf8))?
                        .split(separator: "\n").count == 3 }
            }
            #expect(drained, "\(fixture.log)")
            for (n, result) in results.enumerated() {
                #expect(try result(blocking: true, timeout: 30) == (n < 7 ? 2 : 0), "\(fixture.log)")
            }
            #expect(master.isRunning, "\(fixture.log)")

            let stats = try fixture.start(["stats", "--json"])
            #expect(exited(stats.waitForExit(timeout: 30), code: 0), "\(stats.standardError)")
            let object = try JSONSerialization.jsonObject(with: Data(stats.standardOutput.utf8)) as? [String: Any]
            let statistics = try #require(object?["statistics"] as? [String: Any], "\(stats.standardOutput)")
            let tasks = try #require(statistics["tasks"] as? [[String: Any]])
            let flaky = try #require(tasks.first { $0["name"] as? String == "flaky" }, "\(tasks)")
            #expect(flaky["completed"] as? Int == 100)
            #expect(flaky["failed"] as? Int == 14)
            #expect(flaky["retried"] as? Int == 14)
            for name in ["expired", "revoked", "crashed"] { #expect(flaky[name] as? Int == 0, "\(name)") }
            #expect((flaky["run_histogram"] as? [Int])?.reduce(0, +) == 114)
            #expect((flaky["wait_histogram"] as? [Int])?.reduce(0, +) == 114)
            let work = try #require(tasks.first { $0["name"] as? String == "work" }, "\(tasks)")
            #expect(work["completed"] as? Int == 4)
            #expect(work["run_p50"] as? Double == 2.5 && work["run_p99"] as? Double == 2.5, "\(work)")
            let total = try #require(statistics["total"] as? [String: Any])
            #expect(total["completed"] as? Int == 104)
            #expect(statistics["in_flight"] as? Int == 0 && statistics["waiting"] as? Int == 0)

            let table = try fixture.start(["stats"])
            #expect(exited(table.waitForExit(timeout: 30), code: 0), "\(table.standardError)")
            let flakyRow = table.standardOutput.split(separator: "\n").first { $0.hasPrefix("flaky ") }
            let cells = try #require(flakyRow, "\(table.standardOutput)").split(separator: " ", omittingEmptySubsequences: true)
            #expect(Array(cells.prefix(7)) == ["flaky", "100", "14", "14", "0", "0", "0"], "\(table.standardOutput)")
        }
    }
}
