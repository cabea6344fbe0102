import Foundation
import Huey
import HueyTestSupport
import Testing

/// `huey-bench --quick` works end to end (issue 7: the benchmark tool runs in CI). This
/// checks that it runs and reports every figure — never how fast: speed is measured by
/// Tools/bench/compare.sh, not by a timed test.
@Suite("huey-bench", .serialized)
struct BenchToolTests {
    @Test("--quick --json runs a forked consumer and reports every figure", .timeLimit(.minutes(2)))
    func quick() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bench = try HelperProcess(
            ["--quick", "--json"], executable: HelperProcess.executablePath("huey-bench"),
            environment: ["TMPDIR": directory], outputDirectory: directory)
        let exit = bench.waitForExit(timeout: 100)
        #expect(exit == ProcessExit(reason: .exited, status: 0), "stderr: \(bench.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(bench.standardOutput.utf8)) as? [String: Any]
        for key in ["enqueue_per_s", "map_per_s", "drain_per_s", "latency_p50_ms", "latency_p99_ms", "worker_pss_kb"] {
            #expect((json?[key] as? NSNumber)?.doubleValue ?? 0 > 0, "missing \(key) in \(bench.standardOutput)")
        }
        #expect((json?["consumer_exit"] as? NSNumber)?.intValue == 0)
    }

    @Test(
        "--storage redis runs RedisHuey with a forked consumer; its messages are compact",
        .enabled(if: RedisTestTarget.canProvide, "no Redis server: set HUEY_TEST_REDIS_URL or install redis-server"),
        .timeLimit(.minutes(2)))
    func redis() throws {
        let target = try RedisTestTarget.url()
        defer { target.server?.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bench = try HelperProcess(
            ["--quick", "--json", "--storage", "redis", "--redis-url", target.url, "--only", "enqueue,map,drain,latency"],
            executable: HelperProcess.executablePath("huey-bench"), environment: ["TMPDIR": directory],
            outputDirectory: directory)
        let exit = bench.waitForExit(timeout: 100)
        #expect(exit == ProcessExit(reason: .exited, status: 0), "stderr: \(bench.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(bench.standardOutput.utf8)) as? [String: Any]
        #expect(json?["storage"] as? String == "redis")
        for key in ["enqueue_per_s", "map_per_s", "map_cpu_per_s", "drain_per_s", "latency_p50_ms", "latency_p99_ms"] {
            #expect((json?[key] as? NSNumber)?.doubleValue ?? 0 > 0, "missing \(key) in \(bench.standardOutput)")
        }
        // One Int argument, no options: id, name and args only.
        let bytes = (json?["message_bytes"] as? NSNumber)?.intValue ?? 0
        #expect(bytes > 40 && bytes <= 120, "message_bytes \(bytes)")
    }

    @Test("--storage file drains a FileHuey: consume gets its own --storage", .timeLimit(.minutes(2)))
    func fileStorage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bench = try HelperProcess(
            ["--quick", "--json", "--storage", "file", "--only", "drain", "--dir", directory + "/run", "--keep"],
            executable: HelperProcess.executablePath("huey-bench"), outputDirectory: directory)
        let exit = bench.waitForExit(timeout: 100)
        #expect(exit == ProcessExit(reason: .exited, status: 0), "stderr: \(bench.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(bench.standardOutput.utf8)) as? [String: Any]
        #expect(json?["storage"] as? String == "file")
        #expect((json?["drain_per_s"] as? NSNumber)?.doubleValue ?? 0 > 0, "\(bench.standardOutput)")
        #expect((json?["consumer_exit"] as? NSNumber)?.intValue == 0)
        // The consumer opened the same FileHuey folder, not a SQLite database at that path.
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: directory + "/run/bench-files", isDirectory: &isFolder) && isFolder.boolValue)
    }
}
