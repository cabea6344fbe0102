import ArgumentParser
import Foundation
import HueyConsumer

/// A small executable the process tests launch: tests are multithreaded and never fork
/// to run Swift code, so anything that needs its own process runs here.
///
/// `HueyTestHelper <command> [arguments...]`; each command's file says what it does. Bad
/// arguments print the error and the usage and exit with status 2.
@main
struct HelperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "HueyTestHelper",
        abstract: "The process tests' program.",
        subcommands: [
            HoldLock.self, StorageStress.self, Consumer.self, Chaos.self, InteropConsumer.self, DiskFull.self,
            WaitForWork.self, PostgresFork.self, Notify.self, FleetSlots.self,
        ])

    static func main() { runAndExit() }
}

/// Runs a command's body and turns a non-zero status into the process's exit status.
private func finish(_ status: Int32) throws {
    if status != 0 { throw ExitCode(status) }
}

extension HelperCommand {
    /// `hold-lock <kind> <path> <lock> <ready-file>` (``LockHolderCommand``).
    struct HoldLock: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hold-lock", abstract: "Take a storage lock, write the ready file, sleep until killed.")
        @Argument(help: "sqlite, file, memory or a Redis kind.") var kind: String
        @Argument(help: "The storage's path.") var path: String
        @Argument(help: "The lock's name.") var lock: String
        @Argument(help: "Written once the lock is held.") var readyFile: String

        func run() throws {
            try finish(LockHolderCommand.run(kind: kind, path: path, lockName: lock, readyFile: readyFile))
        }
    }

    /// `storage-stress <kind> <path> <worker-index> <items-per-worker> <workers> <out-file>`
    /// (``StorageStressCommand``).
    struct StorageStress: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "storage-stress", abstract: "One of several processes hammering one storage.")
        @Argument var kind: String
        @Argument var path: String
        @Argument var workerIndex: Int
        @Argument var itemsPerWorker: Int
        @Argument var workers: Int
        @Argument var outFile: String

        func run() throws {
            try finish(
                StorageStressCommand.run(
                    kind: kind, path: path, index: workerIndex, perWorker: itemsPerWorker, workers: workers,
                    outFile: outFile))
        }
    }

    /// `consumer <db-path> | --file <dir> | --redis <url> <name> | --postgres <url> <name>
    /// [huey command arguments...]`
    /// (``ConsumerCommand``).
    struct Consumer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "consumer", abstract: "Open the test queue and hand the rest to HueyCommand.main.")
        @Option(help: "A FileHuey base directory instead of a database.") var file: String?
        @Option(help: "A Redis URL; the queue's name is then the first argument.") var redis: String?
        @Option(help: "A PostgreSQL URL; the queue's name is then the first argument.") var postgres: String?
        @Argument(
            parsing: .captureForPassthrough,
            help: "The database path (or Redis queue name), then HueyCommand's arguments (consume -w 2, pending, …).")
        var words: [String] = []

        func validate() throws {
            if [file, redis, postgres].compactMap({ $0 }).count > 1 {
                throw ValidationError("give one of --file, --redis and --postgres")
            }
            if file == nil && words.isEmpty {
                throw ValidationError(redis == nil && postgres == nil ? "missing the database path" : "missing the queue name")
            }
        }

        func run() throws {
            let storage: HelperHuey
            var rest = words
            if let file {
                storage = .file(directory: file)
            } else if let redis {
                storage = .redis(url: redis, name: rest.removeFirst())
            } else if let postgres {
                storage = .postgres(url: postgres, name: rest.removeFirst())
            } else {
                storage = .sqlite(path: rest.removeFirst())
            }
            try finish(ConsumerCommand.run(storage: storage, commandArguments: rest))
        }
    }

    /// `chaos <sqlite|file|redis|postgres> <dir> [--tasks N] [--workers W] [--seed S] [--deadline SECONDS]
    /// [--redis-url URL] [--postgres-url URL]` (``ChaosCommand``).
    struct Chaos: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chaos", abstract: "Kill workers and masters under load; check that nothing is lost.")
        @Argument(help: "sqlite, file, redis or postgres.") var kind: String
        @Argument(help: "The run's folder.") var directory: String
        @Option(help: "Calls to enqueue (at least 20).") var tasks = 2000
        @Option(help: "Consumer workers.") var workers = 4
        @Option(help: "The seed of the task mix and kill plan.") var seed: UInt64 = 1
        @Option(help: "Seconds the run may take.") var deadline = 300.0
        @Option(name: .customLong("redis-url"), help: "The Redis server, for redis.")
        var redisURL = "redis://127.0.0.1:6379/0"
        @Option(name: .customLong("postgres-url"), help: "The PostgreSQL database, for postgres.")
        var postgresURL = "postgresql://127.0.0.1:5432/postgres"

        func validate() throws {
            guard ["sqlite", "file", "redis", "postgres"].contains(kind) else {
                throw ValidationError("kind is sqlite, file, redis or postgres")
            }
            guard tasks >= 20 else { throw ValidationError("--tasks needs at least 20") }
            guard workers >= 1 else { throw ValidationError("--workers needs at least 1") }
            guard deadline > 0 else { throw ValidationError("--deadline needs a positive number of seconds") }
        }

        func run() throws {
            try finish(
                ChaosCommand.run(
                    options: ChaosOptions(
                        kind: kind, redisURL: redisURL, postgresURL: postgresURL, directory: directory, tasks: tasks, workers: workers, seed: seed,
                        deadline: deadline)))
        }
    }

    /// `interop-consumer <db-path> <queue-name> [huey command arguments...]` (``InteropCommand``).
    struct InteropConsumer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "interop-consumer", abstract: "The Swift side of the Python interop tests.")
        @Argument var database: String
        @Argument var queue: String
        @Argument(parsing: .captureForPassthrough, help: "HueyCommand's arguments.") var commandArguments: [String] = []

        func run() throws {
            try finish(InteropCommand.run(database: database, queue: queue, commandArguments: commandArguments))
        }
    }

    /// `disk-full <sqlite|file> <dir> [options]` (``DiskFullCommand``, which reads its own
    /// options: they are changing on main while this is written).
    struct DiskFull: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disk-full", abstract: "A consumer meets a full tmpfs and carries on when space returns.")
        @Argument(parsing: .captureForPassthrough, help: "<sqlite|file> <dir> [--tasks N] …") var arguments: [String] = []

        func run() throws { try finish(DiskFullCommand.run(arguments)) }
    }

    /// `wait-for-work <kind> <path> <queue> <ready-file>` (``WaitForWorkCommand``).
    struct WaitForWork: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wait-for-work", abstract: "Block in waitForWork until another process enqueues.")
        @Argument var kind: String
        @Argument var path: String
        @Argument var queue: String
        @Argument var readyFile: String

        func run() throws {
            try finish(WaitForWorkCommand.run(kind: kind, path: path, queue: queue, readyFile: readyFile))
        }
    }

    /// `postgres-fork <url>` (``PostgresForkCommand``).
    struct PostgresFork: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "postgres-fork", abstract: "A PostgreSQL connection inherited across fork leaves the parent's alone.")
        @Argument var url: String

        func run() throws { try finish(PostgresForkCommand.run(url: url)) }
    }

    /// `notify` (``NotifyCommand``): sends systemd notifications to `$NOTIFY_SOCKET`.
    struct Notify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notify", abstract: "Send READY, RELOADING, STOPPING and MAINPID to $NOTIFY_SOCKET.")

        func run() throws { try finish(NotifyCommand.run([])) }
    }

    /// `fleet-slots <kind> <path> <first-minute> <count> <skew> <tick-dir> <index>`
    /// (``FleetSlotsCommand``, which reads its own arguments).
    struct FleetSlots: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fleet-slots", abstract: "Race other processes for periodic slots, minute by minute.")
        @Argument(parsing: .captureForPassthrough, help: "<kind> <path> <first-minute> <count> <skew> <tick-dir> <index>")
        var arguments: [String] = []

        func run() throws { try finish(FleetSlotsCommand.run(arguments)) }
    }
}
