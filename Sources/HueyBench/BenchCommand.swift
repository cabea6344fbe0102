import ArgumentParser
import Foundation
import HueyConsumer

/// `huey-bench`: the benchmark driver (``BenchCommand``, run when no subcommand is named) and
/// `huey-bench consume …` (``ConsumeEntry``), the consumer the driver launches.
///
/// The driver is a subcommand rather than the root's own options because a root command's
/// options are matched after a subcommand's name too: the driver's `--storage` and `--fsync`
/// took `consume`'s, so its consumer opened SQLite at NORMAL whatever it was told.
/// Bad arguments print the error and the usage and exit with status 2; a failed run exits 1.
@main
struct BenchMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huey-bench",
        abstract: "Measures swift-huey: enqueue and map rates, drain rate, latency, idle CPU and memory.",
        subcommands: [BenchCommand.self, ConsumeEntry.self],
        defaultSubcommand: BenchCommand.self)

    /// Parses the process's arguments and runs; usage errors exit with status 2.
    static func main() { runAndExit() }
}

/// `huey-bench [run] [options]`: the benchmark driver (issue 7, DESIGN §8).
///
/// The driver enqueues, then launches this same binary as `consume` (the consumer master,
/// which forks the workers) and measures drain rate, latency, idle CPU and memory.
/// Tools/bench/compare.sh runs it side by side with Python huey (Tools/bench/huey_side.py).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Measures swift-huey: enqueue and map rates, drain rate, latency, idle CPU and memory (the default).",
        discussion: """
            Drain rate is measured with a real forked consumer (-w 2 -k process, this binary's `consume`); \
            latency is idle enqueue-to-start; idle CPU and RSS/PSS are the consumer master's and workers'.
            """)

    @Option(help: "Tasks per figure (default 20000; the queue size with --scale).")
    var tasks: Int?
    @Flag(help: "500 tasks, 20 latency samples, 1 s idle window (CI).")
    var quick = false
    @Flag(help: "synchronous=FULL (default NORMAL).")
    var fsync = false
    @Option(help: "sqlite, file, redis, priority-redis or postgres.")
    var storage: BenchStorage = .sqlite
    @Option(
        name: .customLong("redis-url"),
        help: "The Redis server for --storage redis|priority-redis (default: $HUEY_BENCH_REDIS_URL or redis://127.0.0.1:6379/0); the keys of queue \"bench\" are flushed.")
    var redisURL: String?
    @Option(help: "The PostgreSQL database for --storage postgres (default: $HUEY_BENCH_POSTGRES_URL).")
    var url: String?
    @Option(help: "Consumer workers.")
    var workers = 2
    @Option(name: .customLong("latency-samples"), help: "Sequential tasks for the latency figure.")
    var latencySamples = 200
    @Option(name: .customLong("idle-seconds"), help: "Window for the idle CPU figure, in seconds.")
    var idleSeconds = 3.0
    @Option(help: "Comma-separated parts: enqueue,map,drain,latency,idle.")
    var only: String?
    @Flag(help: "1,000,000 queued tasks: rates at the start vs the end (--tasks sets the queue size).")
    var scale = false
    @Option(help: "Where databases go (default: a new directory in $TMPDIR or /tmp).")
    var dir: String?
    @Flag(help: "Keep the directory.")
    var keep = false
    @Flag(help: "One JSON object instead of the table.")
    var json = false

    func validate() throws {
        for (flag, value) in [("--tasks", tasks ?? 1), ("--workers", workers), ("--latency-samples", latencySamples)]
        where value <= 0 {
            throw ValidationError("\(flag) needs a positive integer")
        }
        guard idleSeconds > 0 else { throw ValidationError("bad --idle-seconds") }
        if storage == .postgres {
            let environment = ProcessInfo.processInfo.environment["HUEY_BENCH_POSTGRES_URL"] ?? ""
            if (url ?? environment).isEmpty {
                throw ValidationError("--storage postgres needs --url or HUEY_BENCH_POSTGRES_URL")
            }
            if scale { throw ValidationError("--scale measures sqlite or file storage") }
        }
    }

    func run() throws {
        let options = BenchOptions(self)
        do {
            let directory: String
            if let given = options.directory {
                try FileManager.default.createDirectory(atPath: given, withIntermediateDirectories: true)
                directory = given
            } else {
                let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
                var template = Array("\(base)/huey-bench.XXXXXX".utf8CString)
                guard let made = mkdtemp(&template) else { throw BenchError("cannot make a directory in \(base)") }
                directory = String(cString: made)
            }
            defer { if !options.keep && options.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }
            let report =
                options.scale
                ? try ScaleBench(options: options, directory: directory).run()
                : try BenchRunner(options: options, directory: directory).run()
            print(options.json ? report.json() : report.table())
        } catch {
            FileHandle.standardError.write(Data("huey-bench: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
