// The dashboard's users write `import HueyDashboard` alone, as consumers write `import HueyConsumer`.
@_exported import Huey
import ArgumentParser
import Foundation
import Synchronization

/// The dashboard's command-line options: `--host`, `--port`, `--token`, `--sample-interval`,
/// `--window`.
public struct DashboardOptions: ParsableArguments {
    /// The address to listen on.
    @Option(help: "The address to listen on; 0.0.0.0 opens the dashboard to the network.")
    public var host = "127.0.0.1"
    /// The port.
    @Option(help: "The port (0: any free port; the URL printed at start names it).")
    public var port = 8080
    /// The token that enables actions.
    @Option(help: "The token that enables actions (revoke, restore, pause, resume, dead letters); default $HUEY_DASHBOARD_TOKEN; none: read-only.")
    public var token: String?
    /// Seconds between queue-depth samples.
    @Option(help: "Seconds between the queue-depth samples the overview charts.")
    public var sampleInterval = 10.0
    /// Seconds of history shown.
    @Option(help: "Seconds of history the statistics and charts cover (at most what the consumers keep, 24 h by default).")
    public var window = 3600.0

    /// Default options.
    public init() {}

    /// Checks the port and the interval.
    /// - Throws: `ValidationError` naming the bad value.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535, not \(port)") }
        guard sampleInterval >= 0.1 else { throw ValidationError("--sample-interval must be at least 0.1 s") }
        guard window >= 60, window.isFinite else { throw ValidationError("--window must be at least 60 s") }
        if let token, token.isEmpty { throw ValidationError("--token must not be empty (leave it out for read-only)") }
    }

    /// The configuration these options describe; the token falls back to
    /// `HUEY_DASHBOARD_TOKEN` in `environment` (an empty variable counts as none).
    public func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) -> DashboardConfiguration {
        let fromEnvironment = environment["HUEY_DASHBOARD_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return DashboardConfiguration(host: host, port: port, token: token ?? fromEnvironment, sampleInterval: sampleInterval,
            window: window)
    }
}

/// The dashboard as a command of your own program, beside ``HueyCommand``:
/// ```swift
/// import HueyDashboard
/// let huey = try SqliteHuey(name: "demo", filename: "/var/lib/demo/queue.db")
/// // register tasks (periodic ones show with their next run)
/// HueyDashboard.main(huey, arguments: ["--port", "8080"])
/// ```
/// Call it from synchronous top-level code (like `HueyCommand.main`); it serves until
/// SIGINT or SIGTERM in this process — never in a consumer's master.
public enum HueyDashboard {
    /// Parses `arguments` (default: the process's) as ``DashboardOptions``, serves until
    /// SIGINT or SIGTERM and exits the process: 0 after a signal, 2 for bad arguments, 1
    /// when the server cannot start (e.g. the port is taken). `--help` prints the usage.
    /// - Parameters:
    ///   - huey: the queue to show; its registered periodic tasks appear with their next run.
    ///   - arguments: the arguments after the program name; nil reads `CommandLine`.
    ///   - configure: changes the configuration before the server starts.
    public static func main(
        _ huey: Huey, arguments: [String]? = nil, configure: (inout DashboardConfiguration) -> Void = { _ in }
    ) -> Never {
        let options: DashboardOptions
        do {
            options = try DashboardOptions.parse(arguments)
        } catch {
            exitForParseError(error, of: DashboardOptions.self)
        }
        var configuration = options.configuration()
        configure(&configuration)
        exit(serve(huey, configuration: configuration))
    }

    /// Serves `huey` with `configuration` until SIGINT or SIGTERM, blocking the calling
    /// thread; prints the URL once the server listens. Returns 0 after a signal, 1 when the
    /// server failed (the error is printed to standard error).
    public static func serve(_ huey: Huey, configuration: DashboardConfiguration) -> Int32 {
        let dashboard = Dashboard(huey: huey, configuration: configuration)
        let status = ExitStatus()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await dashboard.run { port in
                    print(startLine(huey: huey, configuration: configuration, port: port))
                    fflush(nil)  // the URL line reaches a pipe at once
                }
            } catch {
                FileHandle.standardError.write(Data("huey-dashboard: \(error)\n".utf8))
                status.value.withLock { $0 = 1 }
            }
            done.signal()
        }
        done.wait()
        return status.value.withLock { $0 }
    }

    /// The server task's outcome, read by the thread that waits for it.
    private final class ExitStatus: Sendable {
        let value = Mutex<Int32>(0)
    }

    /// Exits as ``HueyCommand`` does for `error` from parsing `type`: help to standard output
    /// with status 0; anything else (message and usage) to standard error with status 2.
    public static func exitForParseError(_ error: any Error, of type: any ParsableArguments.Type) -> Never {
        let message = type.fullMessage(for: error)
        if type.exitCode(for: error) == .success {
            print(message)
            exit(0)
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }

    /// `Huey dashboard for queue "demo": http://127.0.0.1:8080/ (read-only)`.
    static func startLine(huey: Huey, configuration: DashboardConfiguration, port: Int) -> String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let mode = configuration.token == nil ? "read-only" : "actions need the token"
        return "Huey dashboard for queue \"\(huey.name)\": http://\(host):\(port)/ (\(mode))"
    }
}
