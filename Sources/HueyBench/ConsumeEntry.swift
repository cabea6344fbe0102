import ArgumentParser
import Foundation
import Huey
import HueyConsumer

/// `huey-bench consume --db PATH|URL [--storage sqlite|file|redis|priority-redis|postgres] [--fsync] [-- consumer flags]`:
/// this binary as the consumer the driver starts. It registers the same tasks as the
/// driver, then hands the consumer flags to ``HueyCommand/main(_:arguments:bootstrapLogging:)``
/// (`consume -w 2 -k process` by default). Nothing here touches threads before the
/// consumer forks.
struct ConsumeEntry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume", abstract: "Run the consumer the driver measures (this binary's tasks).")

    @Option(help: "The queue's database file (folder with --storage file, server or database URL for redis and postgres).")
    var db: String
    @Option(help: "sqlite, file, redis, priority-redis or postgres.")
    var storage: BenchStorage = .sqlite
    @Flag(help: "synchronous=FULL (default NORMAL).")
    var fsync = false
    @Argument(parsing: .remaining, help: "The consumer's flags, after --.")
    var consumerFlags: [String] = []

    func run() throws {
        let queue: BenchQueue
        do {
            queue = try BenchQueue(storage: storage, path: db, fsync: fsync)
        } catch {
            FileHandle.standardError.write(Data("huey-bench consume: cannot open \(db): \(error)\n".utf8))
            throw ExitCode(1)
        }
        HueyCommand.main(queue.huey, arguments: ["consume"] + consumerFlags)
    }
}
