import ArgumentParser
import Foundation
import Huey
import HueyConsumer

/// The options every `huey-demo` command shares.
struct DemoOptions: ParsableArguments {
    @Option(help: "The demo's SQLite database.")
    var db: String = FileManager.default.currentDirectoryPath + "/huey-demo.db"
}

/// `huey-demo [--db PATH] <command>`: the demo's own commands (`tour`, `add`) are parsed
/// here; the consumer's (`consume`, `pending`, …) are handed to `HueyCommand.main`, which
/// parses them itself. Bad arguments print the error and the usage and exit with status 2.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "huey-demo",
        abstract: "Huey's guide (demo.py) in Swift.",
        discussion: """
            The consumer's commands work on the demo's queue too: consume [consumer flags] \
            (see huey-demo consume --help), pending, scheduled, results, dead, revoke ID, restore ID, \
            flush, flush-locks, stats, check.
            """,
        subcommands: [TourCommand.self, AddCommand.self])

    @OptionGroup var options: DemoOptions

    /// The demo's own command words; any other command word belongs to the consumer.
    static let ownCommands: Set<String> = ["tour", "add", "help", "-h", "--help"]

    /// Parses `arguments`, runs the command and exits with its status.
    static func main(arguments: [String]) -> Never {
        let (prefix, rest) = splitOptions(arguments)
        if let word = rest.first, !ownCommands.contains(word) {
            runConsumerCommand(options: prefix, arguments: rest)
        }
        runAndExit(arguments)
    }

    /// `--db PATH` / `--db=PATH` at the front, and the arguments after them.
    private static func splitOptions(_ arguments: [String]) -> (options: [String], rest: [String]) {
        var index = 0
        while index < arguments.count {
            if arguments[index] == "--db" {
                index += 2
            } else if arguments[index].hasPrefix("--db=") {
                index += 1
            } else {
                break
            }
        }
        let end = min(index, arguments.count)
        return (Array(arguments[..<end]), Array(arguments[end...]))
    }

    /// Opens the demo's queue and hands `arguments` to `HueyCommand.main`.
    private static func runConsumerCommand(options arguments: [String], arguments rest: [String]) -> Never {
        let options: DemoOptions
        do {
            options = try DemoOptions.parse(arguments)
        } catch {
            exitForParseError(error)
        }
        let huey: Huey
        do {
            huey = try SqliteHuey(name: "demo", filename: options.db)
        } catch {
            FileHandle.standardError.write(Data("huey-demo: cannot open \(options.db): \(error)\n".utf8))
            Foundation.exit(2)
        }
        _ = DemoTasks(huey: huey)
        HueyCommand.main(huey, arguments: rest)
    }
}
