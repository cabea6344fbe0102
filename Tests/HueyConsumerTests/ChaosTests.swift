import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// The short version of Tools/chaos/run.sh: `HueyTestHelper chaos` with 600 tasks.
    @Suite("Chaos")
    struct Chaos {
        /// Tasks per run; 5% each of crashFirst, slow and fail.
        static let tasks = 600

        @Test(
            "600 tasks, -w 4 -k process, a worker SIGKILLed every 50–200 ms, the master twice: every id has exactly one outcome, nothing left",
            .timeLimit(.minutes(3)), arguments: ["sqlite", "file"])
        func chaos(storage: String) throws {
            try Self.runAndCheck(storage: storage)
        }

        /// Runs the driver on `storage` (with `extraArguments`, e.g. `--redis-url`) and checks
        /// its counts; shared with the Redis chaos test.
        static func runAndCheck(storage: String, extraArguments: [String] = []) throws {
            let run = try ChaosRunFolder()
            defer { run.stop() }
            let driver = try HelperProcess(
                ["chaos", storage, run.path("run"), "--tasks", "\(Self.tasks)", "--seed", "5", "--deadline", "100"]
                    + extraArguments,
                outputDirectory: run.directory)
            run.driver = driver
            let exit = driver.waitForExit(timeout: 150)
            let output = driver.standardOutput
            let context = "\(output)\n--- driver stderr ---\n\(driver.standardError.suffix(4000))"
            #expect(exited(exit, code: 0), "chaos driver ended with \(exit.map(\.description) ?? "no exit"):\n\(context)")
            let counts = try #require(ChaosCounts(output), "no chaos-result line:\n\(context)")
            note("chaos \(storage): \(counts.line)")

            let share = Self.tasks * 5 / 100
            #expect(counts["tasks"] == Self.tasks)
            // Every id has exactly one final outcome: a value or an error result.
            #expect(counts["results"] == Self.tasks, "\(context)")
            #expect(counts["values"] + counts["errors"] == Self.tasks, "\(context)")
            #expect(counts["missing"] == 0 && counts["wrong"] == 0 && counts["stray"] == 0, "\(context)")
            // fail → ChaosFailure (or WorkerCrashed when the chaos killed its last try);
            // anything else → its value, or WorkerCrashed / TaskTimeout when the chaos used up its retries.
            #expect(counts["error-ChaosFailure"] <= share, "\(context)")
            #expect(
                counts["error-ChaosFailure"] + counts["error-WorkerCrashed"] + counts["error-TaskTimeout"]
                    == counts["errors"], "\(context)")
            // Nothing left anywhere, nothing run twice after its ack.
            for place in ["queue", "schedule", "claims", "dead", "unexplained-reruns", "violations"] {
                #expect(counts[place] == 0, "\(place) = \(counts[place]):\n\(context)")
            }
            // The chaos happened.
            #expect(counts["master-kills"] == 2, "\(context)")
            #expect(counts["worker-kills"] >= 5, "\(context)")
            #expect(counts["crash-first-fired"] == share, "\(context)")
            #expect(counts["timeouts-fired"] > 0, "\(context)")
        }
    }
}

/// The `key=value` counts of the driver's `chaos-result` line.
struct ChaosCounts {
    /// The line, for the test log.
    let line: String
    private let values: [String: String]

    /// Finds the `chaos-result` line in `output`; nil when there is none.
    init?(_ output: String) {
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("chaos-result ") }) else {
            return nil
        }
        self.line = String(line.dropFirst("chaos-result ".count))
        var values: [String: String] = [:]
        for pair in self.line.split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        self.values = values
    }

    /// The count `key`, or -1 when missing or not a number (so a check fails visibly).
    subscript(key: String) -> Int { values[key].flatMap { Int($0) } ?? -1 }
}

/// A scratch folder for one chaos run, and the clean-up of every process started in it:
/// the driver (a ``HelperProcess``) and the consumers it started, found in `/proc` by the
/// folder on their command line (the driver may be killed before it cleans up).
final class ChaosRunFolder {
    let directory: String
    /// The driver, killed by ``stop()``.
    var driver: HelperProcess?

    init() throws {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-chaos-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
    }

    /// A path in the folder.
    func path(_ name: String) -> String { "\(directory)/\(name)" }

    /// Kills the driver and every process with an argument inside the folder, then
    /// removes the folder.
    func stop() {
        driver?.send(SIGKILL)
        _ = driver?.waitForExit(timeout: 5)
        for _ in 0..<3 {
            let left = processesInFolder()
            if left.isEmpty { break }
            for process in left { kill(process.pid, SIGKILL) }
            _ = poll(timeout: 2) { left.allSatisfy { !$0.isRunning } }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Running processes with an argument inside the folder.
    private func processesInFolder() -> [ProcessEntry] {
        ProcessTable.running { $0.hasPrefix(directory + "/") }
    }
}
