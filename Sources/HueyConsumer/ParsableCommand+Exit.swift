import ArgumentParser
import Foundation

/// How the package's programs (the consumer's `HueyCommand`, `huey-demo`, `huey-bench`) end
/// on their command line: help on standard output with status 0, a usage error on
/// standard error with status 2 (the consumer's "configuration error" status).
extension ParsableCommand {
    /// Parses `arguments` (nil: the process's) as this root command, runs it and exits:
    /// 0 after it returns, the status of an `ExitCode` it throws, 2 for bad arguments.
    package static func runAndExit(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            exitForParseError(error)
        }
    }

    /// Help (`--help`) goes to standard output with status 0; anything else is an error:
    /// message and usage to standard error, status 2.
    package static func exitForParseError(_ error: any Error) -> Never {
        let message = fullMessage(for: error)
        if exitCode(for: error) == .success {
            print(message)
            Foundation.exit(0)
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(2)
    }
}
