import Foundation
import Huey
import HueyConsumer
import HueyPostgres

/// `interop-consumer <db-path> <queue-name> [huey command arguments...]`: the Swift side of
/// the Python interop tests (Tests/HueyConsumerTests/PythonInteropTests.swift).
///
/// Opens `SqliteHuey(name: <queue-name>, filename: <db-path>)` (or, when `<db-path>` is a
/// `postgres://`/`postgresql://` URL, `PostgresHuey(name: <queue-name>, url: <db-path>)`)
/// and registers the tasks a
/// Python module `tasks` calls (python/tests/interop/), named by huey's rule
/// `module.function`:
/// - `tasks.add(a, b)` and `tasks.mul(a, b)`, with argument names so Python keywords bind;
/// - `tasks.stamp(tag)`: appends `tag` to `$HUEY_TEST_STAMPS` and returns it, so a test
///   sees the order calls ran in.
enum InteropCommand {
    static func run(database: String, queue: String, commandArguments: [String]) -> Int32 {
        let huey: Huey
        do {
            huey =
                database.hasPrefix("postgres")
                ? try PostgresHuey(name: queue, url: database)
                : try SqliteHuey(name: queue, filename: database)
        } catch {
            FileHandle.standardError.write(Data("interop-consumer: \(error)\n".utf8))
            return 1
        }
        // README "Sharing a queue with Python huey": the Swift side.
        huey.task("tasks.add", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a + b }
        huey.task("tasks.mul", argumentNames: ["a", "b"]) { (a: Int, b: Int) in a * b }
        let stamps = ProcessInfo.processInfo.environment["HUEY_TEST_STAMPS"]
        huey.task("tasks.stamp", argumentNames: ["tag"]) { (tag: String) -> String in
            if let stamps { ConsumerTasks.appendLine(stamps, tag) }
            return tag
        }
        HueyCommand.main(huey, arguments: commandArguments)
    }
}
