import Foundation
import Huey
import HueyConsumer
import HueyPostgres
import HueyRedis
import HueyTestSupport

/// `consumer <db-path> [huey command arguments...]`,
/// `consumer --file <dir> [huey command arguments...]` or
/// `consumer --redis <url> <queue-name> [huey command arguments...]` or
/// `consumer --postgres <url> <queue-name> [huey command arguments...]`: the consumer process
/// tests' program.
///
/// Opens `SqliteHuey(name: "test", filename: <db-path>)` — or, with `--file`,
/// `FileHuey(name: "test", path: <dir>)`, with `--redis`, `RedisHuey(name: <queue-name>,
/// url: <url>)`, with `--postgres`, `PostgresHuey(name: <queue-name>, url: <url>)` — registers ``ConsumerTasks`` and ``ChaosTasks``,
/// and hands the rest of the arguments to `HueyCommand.main` — `consume -w 2 ...` or an
/// admin subcommand. A SIGHUP restart re-executes this same command line.
///
/// Environment:
/// - `HUEY_TEST_TIME_SCALE=k`: `huey.clock` runs `k` times faster than real time from
///   the moment the process starts (simulated = start + (now - start) * k), so with
///   `k = 60` every real second is a simulated minute.
/// - `HUEY_TEST_CLOCK_ORIGIN=t`: with `HUEY_TEST_TIME_SCALE`, the scaled clock starts at real
///   Unix time `t` instead of this process's start, so several consumers share one clock.
/// - `HUEY_TEST_PERIODIC_FILE=path`: registers the periodic task `record`, which logs to `path`.
/// - `HUEY_TEST_BOOT_LOG=path`: appends `<pid>` to `path` each time this command starts,
///   so a test can see that a SIGHUP re-executed the master in the same process.
/// - `HUEY_TEST_SIGNALS=path`: appends `<signal> <task> <id> <pid>` for every signal.
/// - `HUEY_TEST_TALLY=path`: where `tally` and dynamic periodic tasks write.
/// - `HUEY_TEST_URGENT_PERIODIC=1`: registers the periodic task `urgent` (priority 100).
/// - `HUEY_TEST_SIGNER=1`: sets `huey.messageSigner` to ``PrefixSigner``.
/// - `HUEY_CHAOS_JOURNAL=path`: the chaos tasks' journal (see ``ChaosTasks``).
/// - `HUEY_TEST_TRACE_DIR=dir`: workers trace their calls and write the spans there (``SpanFile``).
enum ConsumerCommand {
    static func run(storage: HelperHuey, commandArguments rest: [String]) -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        if let bootLog = environment["HUEY_TEST_BOOT_LOG"] {
            ConsumerTasks.appendLine(bootLog, "\(getpid())")
        }
        let huey: Huey
        do {
            huey = try storage.open()
            if environment["HUEY_TEST_SIGNER"] == "1" { huey.messageSigner = PrefixSigner() }
            try ConsumerTasks.register(on: huey, environment: environment)
            ChaosTasks.register(on: huey, journal: environment[ChaosTasks.journalVariable])
            if let directory = environment["HUEY_TEST_TRACE_DIR"] { SpanFile.register(on: huey, directory: directory) }
        } catch {
            FileHandle.standardError.write(Data("consumer: \(error)\n".utf8))
            return 1
        }
        if let text = environment["HUEY_TEST_TIME_SCALE"], let scale = Double(text), scale > 0 {
            let start = environment["HUEY_TEST_CLOCK_ORIGIN"].flatMap(Double.init) ?? Date().timeIntervalSince1970
            huey.clock = {
                let now = Date().timeIntervalSince1970
                return Date(timeIntervalSince1970: start + (now - start) * scale)
            }
        }
        HueyCommand.main(huey, arguments: rest)
    }
}

/// The queue a helper command works on: `SqliteHuey` or `FileHuey` named `test`, or a
/// `RedisHuey` with a queue name of its own (tests share one Redis server).
enum HelperHuey {
    /// A SQLite database file.
    case sqlite(path: String)
    /// A ``FileStorage`` base directory.
    case file(directory: String)
    /// A Redis server and a queue name unique to the test.
    case redis(url: String, name: String)
    /// A PostgreSQL database and a queue name unique to the test.
    case postgres(url: String, name: String)

    /// Opens the Huey.
    /// - Throws: ``StorageError`` when the storage cannot be opened.
    func open() throws -> Huey {
        switch self {
        case .sqlite(let path): return try SqliteHuey(name: "test", filename: path)
        case .file(let directory): return try FileHuey(name: "test", path: directory)
        case .redis(let url, let name): return try RedisHuey(name: name, url: url)
        case .postgres(let url, let name): return try PostgresHuey(name: name, url: url)
        }
    }

    /// The arguments that name this storage on `consumer`'s command line.
    var consumerArguments: [String] {
        switch self {
        case .sqlite(let path): return [path]
        case .file(let directory): return ["--file", directory]
        case .redis(let url, let name): return ["--redis", url, name]
        case .postgres(let url, let name): return ["--postgres", url, name]
        }
    }

    /// The path (for Redis: the unique queue name) every process on this storage carries on
    /// its command line.
    var path: String {
        switch self {
        case .sqlite(let path): return path
        case .file(let directory): return directory
        case .redis(_, let name), .postgres(_, let name): return name
        }
    }
}
