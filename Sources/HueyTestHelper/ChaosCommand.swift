import Foundation
import Huey
import HueyTestSupport

/// `chaos <sqlite|file|redis|postgres> <dir> [--tasks N] [--workers W] [--seed S] [--deadline SECONDS]
/// [--redis-url URL] [--postgres-url URL]`: the chaos run of Tools/chaos/run.sh and of `ChaosTests`.
///
/// In `dir` (created when missing): the storage (`queue.db` or `queue/`; for Redis, a queue
/// named `<dir>/queue` on the server `--redis-url` names, so runs sharing a server, and
/// their consumer processes, are told apart), the chaos
/// tasks' marker files (`markers/`), their journal (`journal.log`) and each master's
/// log (`consumer-<n>.log`). The driver:
/// 1. enqueues `N` calls (default 2000), shuffled with `seed`: 85% `chaos.ok`, 5% each
///    of `chaos.crashFirst`, `chaos.slow` and `chaos.fail` (see ``ChaosTasks``);
/// 2. starts `consumer … consume -w W -k process -c 1 -s 1` (W default 4);
/// 3. every 50–200 ms SIGKILLs a random worker (sparing workers that hold a
///    `chaos.slow` call, so its timeout fires), and SIGKILLs the master when a third and
///    when two thirds of the calls have a result, starting a new master each time;
/// 4. stops killing at 95% (or half the deadline) and waits until every call has a result
///    and queue, schedule and claims are empty, or until the deadline (default 300 s);
/// 5. stops the master with SIGINT, kills anything left, and checks (``ChaosReport``).
///
/// Prints the counts, then one `chaos-result key=value …` line, and exits 0 when no rule
/// was broken, 1 when one was (each is printed as `VIOLATION: …`), 2 on bad arguments.
enum ChaosCommand {
    static func run(options: ChaosOptions) -> Int32 {
        let run: ChaosRun
        do {
            run = try ChaosRun(options: options)
        } catch {
            FileHandle.standardError.write(Data("chaos: cannot set up: \(error)\n".utf8))
            return 1
        }
        defer { run.killEverything() }
        let report: ChaosReport
        do {
            report = try run.execute()
        } catch {
            FileHandle.standardError.write(Data("chaos: \(error)\n".utf8))
            return 1
        }
        report.print()
        return report.violations.isEmpty ? 0 : 1
    }
}

/// The chaos driver's command line.
struct ChaosOptions {
    /// `sqlite`, `file`, `redis` or `postgres`.
    var kind: String
    /// The Redis server, for `redis`.
    var redisURL = "redis://127.0.0.1:6379/0"
    /// The PostgreSQL database, for `postgres` (a queue named `<dir>/queue` in it).
    var postgresURL = "postgresql://127.0.0.1:5432/postgres"
    /// The run's folder.
    var directory: String
    var tasks = 2000
    var workers = 4
    var seed: UInt64 = 1
    /// Seconds the whole run may take before the driver gives up (a violation).
    var deadline = 300.0

    /// The storage inside ``directory``.
    var storage: HelperHuey {
        switch kind {
        case "sqlite": return .sqlite(path: directory + "/queue.db")
        case "redis": return .redis(url: redisURL, name: directory + "/queue")
        case "postgres": return .postgres(url: postgresURL, name: directory + "/queue")
        default: return .file(directory: directory + "/queue")
        }
    }
}

/// SplitMix64: a small seeded generator, so a seed gives the same task mix and kill plan.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
