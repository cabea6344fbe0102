// huey-demo: the guide's demo.py in Swift (see DemoCommand for the commands).
//
//   huey-demo tour                 walk the guide with a real consumer (forked workers)
//   huey-demo consume [flags]      run a consumer (huey_consumer.py demo.huey)
//   huey-demo add 1 2              enqueue add(1, 2) and print the result
//   huey-demo pending|scheduled|results|dead|revoke|restore|flush|flush-locks|stats|check
//
// Options before the command: --db PATH (default ./huey-demo.db).
DemoCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
