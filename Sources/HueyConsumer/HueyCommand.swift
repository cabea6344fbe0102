import ArgumentParser
import Foundation
import Logging

/// The command line of a program that serves a Huey: `consume` (the default) and the
/// admin subcommands `pending`, `scheduled`, `results`, `dead` (`dead requeue`, `dead discard`),
/// `revoke`, `restore`, `flush`, `flush-locks`, `stats`, `check`, `consumers`, `pause` and `resume`.
///
/// Call it from your executable's synchronous top-level code after registering tasks:
/// ```swift
/// import HueyConsumer
/// let huey = try SqliteHuey(name: "demo", filename: "/var/lib/demo/queue.db")
/// let add = huey.task("add") { (a: Int, b: Int) in a + b }
/// HueyCommand.main(huey)          // demo consume -w 4 -k process, demo pending, …
/// ```
/// Bad arguments print the error and the usage and exit with status 2; `--help` exits 0.
public enum HueyCommand {
    /// Parses `arguments` (default: the process's), runs the subcommand and exits the
    /// process with its status: 0 after a stop, 2 for bad arguments or configuration or a
    /// storage that is read-only or damaged (``StorageError`` `.readOnly`, `.open`,
    /// `.corrupt`), 1 for other errors. A SIGHUP restart re-executes the program with the same
    /// arguments.
    ///
    /// - Parameters:
    ///   - huey: the queue, with its tasks registered.
    ///   - arguments: the arguments after the program name; `nil` reads `CommandLine`.
    ///   - bootstrapLogging: route swift-log to the consumer's handler (stderr or
    ///     `--logfile`, level from `-v`/`-q`). Pass false when the program bootstraps
    ///     logging itself (`LoggingSystem.bootstrap` may run only once per process).
    public static func main(_ huey: Huey, arguments: [String]? = nil, bootstrapLogging: Bool = true) -> Never {
        CommandContext.huey = huey
        var command: any ParsableCommand
        do {
            command = try HueyRootCommand.parseAsRoot(arguments)
        } catch {
            HueyRootCommand.exitForParseError(error)
        }
        if bootstrapLogging {
            do {
                try bootstrap(for: command, huey: huey)
            } catch {
                HueyRootCommand.exitForParseError(ValidationError("cannot open the log file: \(error)"))
            }
        }
        do {
            try command.run()
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            exit(2)
        } catch let error as StorageError where [.readOnly, .open, .corrupt].contains(error.code) {
            // A read-only or damaged storage stays so until someone fixes it: starting again
            // would not help, so it exits as a configuration error does (a unit file can
            // say RestartPreventExitStatus=2).
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            exit(2)
        } catch {
            // `--help` parses to a help command whose run() throws the help request.
            if HueyRootCommand.exitCode(for: error) == .success { HueyRootCommand.exitForParseError(error) }
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            exit(1)
        }
        exit(0)
    }

    private static func bootstrap(for command: any ParsableCommand, huey: Huey) throws {
        guard let consume = command as? ConsumeCommand else {
            ConsumerLogging.bootstrap(output: ConsumerLogHandler.Output(utc: huey.utc), level: .warning)
            return
        }
        let logging = consume.logging
        let utc = logging.utc ? true : logging.localtime ? false : huey.utc
        let output =
            try logging.logfile.map { try ConsumerLogHandler.Output(logfile: $0, utc: utc, simple: logging.simple) }
            ?? ConsumerLogHandler.Output(utc: utc, simple: logging.simple)
        let level: Logger.Level = logging.verbose ? .debug : logging.quiet ? .warning : .info
        ConsumerLogging.bootstrap(output: output, level: level)
    }
}

/// The Huey the subcommands work on.
///
/// ArgumentParser instantiates the commands itself, so the Huey cannot be passed to
/// them; ``HueyCommand/main(_:arguments:bootstrapLogging:)`` stores it here before parsing.
enum CommandContext {
    // nonisolated(unsafe): written once, by `main`, before parsing and before the consumer
    // starts any thread or forks; only read after that.
    nonisolated(unsafe) static var huey: Huey?

    /// The Huey given to `main`.
    /// - Throws: ``ConfigurationError`` when a command runs without `main`.
    static func current() throws -> Huey {
        guard let huey else { throw ConfigurationError("no Huey: run commands through HueyCommand.main(huey)") }
        return huey
    }
}

/// The root command: subcommands only, `consume` by default.
struct HueyRootCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "huey") } ?? "huey"
        return CommandConfiguration(
            commandName: program,
            abstract: "Runs a Huey consumer, or inspects and administers its queue.",
            subcommands: [
                ConsumeCommand.self, PendingCommand.self, ScheduledCommand.self, ResultsCommand.self,
                DeadCommand.self, RevokeCommand.self, RestoreCommand.self, FlushCommand.self, FlushLocksCommand.self,
                StatsCommand.self, CheckCommand.self, ConsumersCommand.self, PauseCommand.self, ResumeCommand.self,
            ],
            defaultSubcommand: ConsumeCommand.self)
    }
}
