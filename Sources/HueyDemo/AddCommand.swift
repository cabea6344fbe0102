import Foundation
import Huey

/// `huey-demo add A B [--timeout S]`: the guide's shell session — enqueue `add(A, B)` from
/// a second terminal and print what a running consumer computed.
enum AddCommand {
    static func run(database: String, arguments: [String]) -> Int32 {
        var numbers: [Int] = []
        var timeout = 10.0
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--timeout", index + 1 < arguments.count, let value = Double(arguments[index + 1]), value > 0 {
                timeout = value
                index += 2
                continue
            }
            guard let number = Int(argument) else {
                FileHandle.standardError.write(Data("huey-demo add: \(argument.debugDescription) is not an integer\n".utf8))
                return 2
            }
            numbers.append(number)
            index += 1
        }
        guard numbers.count == 2 else {
            FileHandle.standardError.write(Data("usage: huey-demo add A B [--timeout SECONDS]\n".utf8))
            return 2
        }
        do {
            let huey = try SqliteHuey(name: "demo", filename: database)
            let tasks = DemoTasks(huey: huey)
            let result = try tasks.add(numbers[0], numbers[1])
            print("enqueued add(\(numbers[0]), \(numbers[1])) as \(result.id); waiting up to \(Int(timeout)) s…")
            print(try result(blocking: true, timeout: timeout))
            return 0
        } catch is ResultTimeout {
            FileHandle.standardError.write(
                Data(
                    """
                    No result after \(Int(timeout)) s — is a consumer running on \(database)?
                    Start one in another terminal: swift run huey-demo consume -w 2
                    (the call stays queued and runs when a consumer starts)

                    """.utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("huey-demo add: \(error)\n".utf8))
            return 1
        }
    }
}
