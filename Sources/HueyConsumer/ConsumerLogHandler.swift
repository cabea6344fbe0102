import Foundation
import Huey
import Logging
import Synchronization

/// The consumer's log handler: one line per message, `time level [process] message`,
/// written with a single `write(2)` (so lines from several worker processes never
/// interleave) to standard error or the `--logfile`.
///
/// `[process]` is `master 1234` or `worker 1240`. With `simple` (`-S`) a line is
/// `HH:MM:SS message`, as Huey's simple format. Metadata is appended only at debug level.
public struct ConsumerLogHandler: LogHandler {
    /// Where and how lines are written; shared by every handler of the process.
    public final class Output: Sendable {
        /// The descriptor written to (2 = standard error).
        let descriptor: Int32
        /// Timestamps in UTC (`true`) or local time.
        let utc: Bool
        /// Huey's simple format: `HH:MM:SS message`.
        let simple: Bool
        /// The pid of the process that bootstrapped logging (the master).
        let masterPID: pid_t

        /// Writes to `descriptor`.
        public init(descriptor: Int32 = 2, utc: Bool = true, simple: Bool = false) {
            self.descriptor = descriptor
            self.utc = utc
            self.simple = simple
            self.masterPID = getpid()
        }

        /// Appends to the file at `path` (created if missing; close-on-exec).
        /// - Throws: ``SystemError`` when it cannot be opened.
        public convenience init(logfile path: String, utc: Bool = true, simple: Bool = false) throws {
            let descriptor = try System.call("open \(path)") {
                open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            }
            self.init(descriptor: descriptor, utc: utc, simple: simple)
        }

        func write(_ line: String) {
            var bytes = Array(line.utf8)
            bytes.append(UInt8(ascii: "\n"))
            // A log line that cannot be written is dropped: there is nowhere to report it.
            try? System.writeAll(descriptor, bytes, name: "write(log)")
        }

        func timestamp() -> String {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            var seconds = now.tv_sec
            var parts = tm()
            if utc { gmtime_r(&seconds, &parts) } else { localtime_r(&seconds, &parts) }
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let time = "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
            if simple { return time }
            let millis = Int(now.tv_nsec / 1_000_000)
            let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
            return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(time).\(fraction)"
                + (utc ? "Z" : "")
        }
    }

    /// Messages below this level are dropped.
    public var logLevel: Logger.Level
    /// Metadata attached to every message of this handler.
    public var metadata: Logger.Metadata = [:]
    private let output: Output

    /// Makes a handler writing to `output` at `level`.
    public init(output: Output, level: Logger.Level) {
        self.output = output
        self.logLevel = level
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line.
    public func log(event: LogEvent) {
        let text = event.message.description
        if output.simple {
            output.write("\(output.timestamp()) \(text)")
            return
        }
        let pid = getpid()
        let process = pid == output.masterPID ? "master \(pid)" : "worker \(pid)"
        var line = "\(output.timestamp()) \(event.level.rawValue.uppercased()) [\(process)] \(text)"
        if logLevel <= .debug {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            if !all.isEmpty { line += " " + all.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ") }
        }
        output.write(line)
    }
}

/// Bootstraps swift-log once per process.
enum ConsumerLogging {
    private static let bootstrapped = Mutex(false)

    /// Routes every logger (`huey`, `huey.consumer`, the user's) to `output` at `level`.
    /// Does nothing after the first call: `LoggingSystem.bootstrap` may run only once.
    static func bootstrap(output: ConsumerLogHandler.Output, level: Logger.Level) {
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { _ in ConsumerLogHandler(output: output, level: level) }
    }
}
