import Foundation

/// A program this process launched and owns: the one child-launching helper of the
/// tools and tests (the bench's and the demo's consumer, every helper process a test starts).
///
/// Launched with Foundation's `Process` (posix_spawn), so nothing forks Swift code; never
/// used by the consumer master, which forks its workers itself. Standard input is
/// `/dev/null`; standard output and error are appended to the files given (else
/// `/dev/null`; one file may take both, and the child may append to it too). The
/// child is killed (SIGKILL) and reaped when the value goes away, so a failing caller
/// leaves nothing behind.
package final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is a Foundation Process, used by one caller at a time.
    private let process = Process()

    /// Starts `executable` with `arguments`.
    /// - Parameters:
    ///   - environment: variables added to (or replacing those of) this process's environment.
    ///   - standardOutput: a file that receives the child's standard output (created if missing).
    ///   - standardError: a file that receives its standard error (created if missing).
    /// - Throws: when the program cannot be started.
    package init(
        executable: String, arguments: [String], environment: [String: String] = [:],
        standardOutput: String? = nil, standardError: String? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        let output = Self.handle(appendingTo: standardOutput)
        process.standardOutput = output
        process.standardError = standardError == standardOutput ? output : Self.handle(appendingTo: standardError)
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// This program's own executable (`/proc/self/exe`, links resolved): for a tool that
    /// runs itself as a child (the bench's and the demo's consumer).
    package static var currentExecutable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }

    /// The child's process id.
    package var pid: Int32 { process.processIdentifier }

    /// Whether the child is still running (not yet reaped).
    package var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the child while it runs.
    package func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeout` seconds for the child to exit: how it ended, or nil when it
    /// still runs at the deadline.
    package func waitForExit(timeout: Double) -> ProcessExit? {
        let deadline = ContinuousClock.now + .seconds(max(0, timeout))
        while process.isRunning {
            if ContinuousClock.now > deadline { return nil }
            System.sleep(0.005)
        }
        return ProcessExit(reason: process.terminationReason == .exit ? .exited : .signaled, status: process.terminationStatus)
    }

    /// A graceful stop: SIGINT, then SIGKILL when the child still runs after `timeout`
    /// seconds. Returns its exit status, or nil when it had to be killed or ended by a signal.
    @discardableResult
    package func stop(timeout: Double) -> Int32? {
        send(SIGINT)
        if let exit = waitForExit(timeout: timeout) { return exit.reason == .exited ? exit.status : nil }
        send(SIGKILL)
        process.waitUntilExit()
        return nil
    }

    /// A handle appending to `path` (created if missing), or `/dev/null` without a path.
    private static func handle(appendingTo path: String?) -> FileHandle {
        guard let path,
            let fd = try? System.call("open \(path)", { open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644) })
        else { return FileHandle.nullDevice }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }
}

/// How a child process ended.
package struct ProcessExit: Sendable, Equatable, CustomStringConvertible {
    /// Exited normally or was killed by a signal.
    package enum Reason: Sendable, Equatable { case exited, signaled }
    /// Exited or signaled.
    package var reason: Reason
    /// The exit code, or the signal number.
    package var status: Int32
    /// Makes an exit value.
    package init(reason: Reason, status: Int32) {
        self.reason = reason
        self.status = status
    }
    package var description: String { reason == .exited ? "exit \(status)" : "signal \(status)" }
}
