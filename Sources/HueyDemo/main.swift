// huey-demo: the guide's demo.py in Swift.
//
//   huey-demo tour                 walk the guide with a real consumer (forked workers)
//   huey-demo consume [flags]      run a consumer (huey_consumer.py demo.huey)
//   huey-demo add 1 2              enqueue add(1, 2) and print the result
//   huey-demo dashboard [--port N] serve the web dashboard on the demo's database
//   huey-demo pending|scheduled|results|dead|revoke|restore|flush|flush-locks
//
// Options before the command: --db PATH (default ./huey-demo.db).
import Foundation
import Huey
import HueyConsumer
import HueyDashboard

var arguments = Array(CommandLine.arguments.dropFirst())
var database = FileManager.default.currentDirectoryPath + "/huey-demo.db"
if arguments.first == "--db", arguments.count >= 2 {
    database = arguments[1]
    arguments.removeFirst(2)
}
let command = arguments.first ?? "help"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("huey-demo: \(message)\n".utf8))
    exit(2)
}

/// The demo's Huey on `database`, with the demo's tasks registered.
func openDemo(_ database: String) -> Huey {
    do {
        let huey = try SqliteHuey(name: "demo", filename: database)
        _ = DemoTasks(huey: huey)
        return huey
    } catch {
        fail("cannot open \(database): \(error)")
    }
}

switch command {
case "tour":
    exit(TourCommand.run(database: database, arguments: Array(arguments.dropFirst())))
case "add":
    exit(AddCommand.run(database: database, arguments: Array(arguments.dropFirst())))
case "dashboard":
    HueyDashboard.main(openDemo(database), arguments: Array(arguments.dropFirst()))
case "help", "-h", "--help":
    print(
        """
        usage: huey-demo [--db PATH] <command>
          tour                      walk Huey's guide with a real consumer
          consume [consumer flags]  run a consumer (see: huey-demo consume --help)
          add A B [--timeout S]     enqueue add(A, B) and wait for the result
          dashboard [--port N ...]  serve the web dashboard (see: huey-demo dashboard --help)
          pending | scheduled | results | dead | revoke ID | restore ID | flush | flush-locks
        """)
default:
    // `consume` and the admin subcommands belong to the consumer's command line.
    HueyCommand.main(openDemo(database), arguments: arguments)
}
