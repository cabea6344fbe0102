import Foundation

/// A running `HueyTestHelper` (or other built executable) started by a test.
///
/// Tests are multithreaded and never fork to run Swift code; they launch this helper
/// instead. The process is killed (SIGKILL) and reaped when the value goes away, so a
/// failing test leaves nothing behind. Output goes to files in a scratch folder.
public final class HelperProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is a Foundation Process used from one test at a time.
    private let process: Process
    /// Where the helper's standard output is written.
    public let stdoutPath: String
    /// Where the helper's standard error is written.
    public let stderrPath: String

    /// The helper's process id.
    public var pid: Int32 { process.processIdentifier }

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
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The path of a product built beside the test bundle (`.build/<config>/<name>`).
    public static func executablePath(_ name: String) -> String {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var directory = runner.deletingLastPathComponent()
        // The runner may be inside `X.xctest/` (a bundle) on some layouts.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        let candidate = directory.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/\(name)"
        return fallback
    }

    /// Whether the process is still running.
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeout` seconds for the process to exit.
    /// Returns its termination status (exit code, or signal number when killed), or
    /// `nil` if it is still running at the deadline.
    public func waitForExit(timeout: Double) -> ProcessExit? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning {
            if Date() > deadline { return nil }
            usleep(5_000)
        }
        let reason: ProcessExit.Reason = process.terminationReason == .exit ? .exited : .signaled
        return ProcessExit(reason: reason, status: process.terminationStatus)
    }

    /// What the process wrote to standard output so far.
    public var standardOutput: String {
        (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
    }

    /// What the process wrote to standard error so far.
    public var standardError: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }
}

/// How a helper process ended.
public struct ProcessExit: Sendable, Equatable, CustomStringConvertible {
    /// Exited normally or was killed by a signal.
    public enum Reason: Sendable, Equatable { case exited, signaled }
    /// Exited or signaled.
    public var reason: Reason
    /// The exit code, or the signal number.
    public var status: Int32
    /// Makes an exit value.
    public init(reason: Reason, status: Int32) {
        self.reason = reason
        self.status = status
    }
    public var description: String { reason == .exited ? "exit \(status)" : "signal \(status)" }
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
