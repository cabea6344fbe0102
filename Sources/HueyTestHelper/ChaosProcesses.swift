import Foundation
import Huey

/// The chaos driver's view of the process table (Huey's ``ProcessTable``, shared with the tests).
enum ChaosProcesses {
    /// The live children of `pid`.
    static func children(of pid: Int32) -> [ProcessEntry] { ProcessTable.children(of: pid) }

    /// Live processes with an argument equal to `argument` on their command line (a
    /// consumer master and its forked workers all carry their storage path).
    static func running(withArgument argument: String) -> [ProcessEntry] {
        ProcessTable.running(withArgument: argument)
    }

    /// The path of this executable.
    static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
