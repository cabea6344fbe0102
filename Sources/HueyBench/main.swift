// huey-bench: the benchmark driver (issue 7, DESIGN §8).
//
//   huey-bench [--quick] [--tasks N] [--fsync] [--storage sqlite|file|redis|priority-redis] [--json] ...
//   huey-bench consume --db PATH|URL [--storage S] [--fsync] [-- consumer flags]
//
// The driver enqueues, then launches this same binary as `consume` (the consumer master,
// which forks the workers) and measures drain rate, latency, idle CPU and memory.
// Tools/bench/compare.sh runs it side by side with Python huey (Tools/bench/huey_side.py).
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "consume" { ConsumeEntry.run(Array(arguments.dropFirst())) }

do {
    let options = try BenchOptions(arguments: arguments)
    let directory: String
    if let given = options.directory {
        try FileManager.default.createDirectory(atPath: given, withIntermediateDirectories: true)
        directory = given
    } else {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/huey-bench.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("cannot make a directory in \(base)") }
        directory = String(cString: made)
    }
    defer { if !options.keep && options.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }
    let report =
        options.scale
        ? try ScaleBench(options: options, directory: directory).run()
        : try BenchRunner(options: options, directory: directory).run()
    print(options.json ? report.json() : report.table())
} catch {
    FileHandle.standardError.write(Data("huey-bench: \(error)\n".utf8))
    exit(1)
}
