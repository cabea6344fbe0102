import Foundation
import Huey
import HueyConsumer

/// `consumer <db-path> [huey command arguments...]`: the consumer process tests' program.
///
/// Opens `SqliteHuey(name: "test", filename: <db-path>)`, registers ``ConsumerTasks``, and
/// hands the rest of the arguments to `HueyCommand.main` — `consume -w 2 ...` or an admin
/// subcommand. A SIGHUP restart re-executes this same command line.
///
/// Environment:
/// - `HUEY_TEST_TIME_SCALE=k`: `huey.clock` runs `k` times faster than real time from
///   the moment the process starts (simulated = start + (now - start) * k), so with
///   `k = 60` every real second is a simulated minute.
/// - `HUEY_TEST_PERIODIC_FILE=path`: registers the periodic task `record`, which logs to `path`.
/// - `HUEY_TEST_BOOT_LOG=path`: appends `<pid>` to `path` each time this command starts,
///   so a test can see that a SIGHUP re-executed the master in the same process.
enum ConsumerCommand {
    static func run(_ arguments: [String]) -> Int32 {
        guard let database = arguments.first else {
            FileHandle.standardError.write(Data("usage: consumer <db-path> [consume|pending|... args]\n".utf8))
            return 2
        }
        let environment = ProcessInfo.processInfo.environment
        if let bootLog = environment["HUEY_TEST_BOOT_LOG"] {
            ConsumerTasks.appendLine(bootLog, "\(getpid())")
        }
        let huey: Huey
        do {
            huey = try SqliteHuey(name: "test", filename: database)
            try ConsumerTasks.register(on: huey, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("consumer: \(error)\n".utf8))
            return 1
        }
        if let text = environment["HUEY_TEST_TIME_SCALE"], let scale = Double(text), scale > 0 {
            let start = Date().timeIntervalSince1970
            huey.clock = {
                let now = Date().timeIntervalSince1970
                return Date(timeIntervalSince1970: start + (now - start) * scale)
            }
        }
        HueyCommand.main(huey, arguments: Array(arguments.dropFirst()))
    }
}
