import Foundation
import HueyTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A dashboard process started by a test (`huey-dashboard` or `huey-demo dashboard`) on
/// a free port, and a small HTTP client for it. The process is killed when the value goes.
final class LiveDashboard: @unchecked Sendable {
    // @unchecked Sendable: used from one test at a time.
    let process: HelperProcess
    /// `http://127.0.0.1:PORT` (no trailing slash).
    let base: String

    /// Starts `executable` with `arguments` (which must include `--port 0`) and waits up to
    /// 120 s for the URL line it prints once it listens.
    /// - Throws: ``LiveDashboardError`` when it does not print the URL in time.
    init(executable: String, arguments: [String], environment: [String: String] = [:], directory: String) throws {
        let process = try HelperProcess(arguments, executable: executable, environment: environment, outputDirectory: directory)
        self.process = process
        var found: String?
        let started = waitUntil(timeout: 120) {
            found = Self.url(in: process.standardOutput)
            return found != nil || !process.isRunning
        }
        guard started, let found else {
            throw LiveDashboardError(
                message: "no URL from \(executable): exit \(String(describing: process.waitForExit(timeout: 1))), "
                    + "stdout \(process.standardOutput) stderr \(process.standardError)")
        }
        base = found
    }

    /// The `http://host:port` in the start line `... : http://127.0.0.1:PORT/ (...)`.
    static func url(in output: String) -> String? {
        guard let start = output.range(of: "http://") else { return nil }
        let rest = output[start.lowerBound...]
        guard let end = rest.firstIndex(of: "/", after: 7) else { return nil }
        return String(rest[..<end])
    }

    /// Sends a request and returns the status and the body.
    /// - Throws: when the request fails at the transport level.
    func request(_ path: String, method: String = "GET", headers: [String: String] = [:]) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

struct LiveDashboardError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension StringProtocol {
    /// The first index of `character` at or after `offset` characters in.
    func firstIndex(of character: Character, after offset: Int) -> Index? {
        guard let from = index(startIndex, offsetBy: offset, limitedBy: endIndex) else { return nil }
        return self[from...].firstIndex(of: character)
    }
}
