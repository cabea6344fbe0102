import Foundation
import Huey

/// A running `HueyTestHelper` (or other built executable) started by a test: Huey's
/// ``ChildProcess`` with its output in files of a scratch folder.
///
/// Tests are multithreaded and never fork to run Swift code; they launch this helper
/// instead. The process is killed (SIGKILL) and reaped when the value goes away, so a
/// failing test leaves nothing behind.
public final class HelperProcess: Sendable {
    private let child: ChildProcess
    /// Where the helper's standard output is written.
    public let stdoutPath: String
    /// Where the helper's standard error is written.
    public let stderrPath: String

    /// The helper's process id.
    public var pid: Int32 { child.pid }

    /// Starts the executable `executable` (default: the test helper) with `arguments`.
    /// - Throws: when the executable cannot be started.
    public init(
        _ arguments: [String], executable: String = HelperProcess.executablePath("HueyTestHelper"),
        environment: [String: String] = [:], outputDirectory: String? = nil
    ) throws {
        let directory = outputDirectory ?? NSTemporaryDirectory()
        let tag = "\(UUID().uuidString.prefix(8))"
        stdoutPath = "\(directory)/helper-\(tag).out"
        stderrPath = "\(directory)/helper-\(tag).err"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, standardOutput: stdoutPath,
            standardError: stderrPath)
    }

    /// The path of a product built beside the test runner (`.build/<config>/<name>`). The
    /// test targets depend on the helper executables (Package.swift), so `swift test` has
    /// built them fresh there; a missing one is a build problem, reported when launched.
    public static func executablePath(_ name: String) -> String {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var directory = runner.deletingLastPathComponent()
        // The runner may be inside `X.xctest/` (a bundle) on some layouts.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent(name).path
    }

    /// Whether the process is still running.
    public var isRunning: Bool { child.isRunning }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) { child.send(signal) }

    /// Waits up to `timeout` seconds for the process to exit.
    /// Returns its termination status (exit code, or signal number when killed), or
    /// `nil` if it is still running at the deadline.
    package func waitForExit(timeout: Double) -> ProcessExit? { child.waitForExit(timeout: timeout) }

    /// What the process wrote to standard output so far.
    public var standardOutput: String {
        (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
    }

    /// What the process wrote to standard error so far.
    public var standardError: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }
}

/// Polls `condition` every few milliseconds until it holds or `timeout` seconds pass.
/// Returns whether it held. Used to synchronise on files and storage state with a
/// deadline, never on a bare sleep.
public func waitUntil(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while true {
        if try condition() { return true }
        if Date() > deadline { return false }
        usleep(5_000)
    }
}
