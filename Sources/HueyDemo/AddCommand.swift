import ArgumentParser
import Foundation
import Huey

/// `huey-demo add A B [--timeout S]`: the guide's shell session — enqueue `add(A, B)` from
/// a second terminal and print what a running consumer computed. Exit status 1 when no
/// result came within the timeout (the call stays queued) or on an error.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Enqueue add(A, B) and wait for a consumer's result.")

    @OptionGroup var options: DemoOptions

    @Option(help: "Seconds to wait for the result.")
    var timeout: Double = 10

    /// The two integers; taken raw so that negative numbers are not read as options.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The two integers A and B.", valueName: "A B"))
    var numbers: [String] = []

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
        guard numbers.count == 2 else { throw ValidationError("add needs two integers, A and B") }
        for number in numbers where Int(number) == nil {
            throw ValidationError("\(number.debugDescription) is not an integer")
        }
    }

    func run() throws {
        let a = Int(numbers[0])!
        let b = Int(numbers[1])!
        let database = options.db
        do {
            let huey = try SqliteHuey(name: "demo", filename: database)
            let tasks = DemoTasks(huey: huey)
            let result = try tasks.add(a, b)
            print("enqueued add(\(a), \(b)) as \(result.id); waiting up to \(Int(timeout)) s…")
            print(try result(blocking: true, timeout: timeout))
        } catch is ResultTimeout {
            FileHandle.standardError.write(
                Data(
                    """
                    No result after \(Int(timeout)) s — is a consumer running on \(database)?
                    Start one in another terminal: swift run huey-demo consume -w 2
                    (the call stays queued and runs when a consumer starts)

                    """.utf8))
            throw ExitCode(1)
        } catch {
            FileHandle.standardError.write(Data("huey-demo add: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
