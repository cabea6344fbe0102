import Foundation
import Huey
import HueyTestSupport

/// Headless Chromium (Debian's `chromium`), for the tests that load the dashboard in a
/// real browser. `HUEY_TEST_CHROMIUM` names another binary.
enum Chromium {
    /// The browser's path, or nil when none is installed.
    static let path: String? = {
        let environment = ProcessInfo.processInfo.environment["HUEY_TEST_CHROMIUM"]
        let candidates = [environment, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Loads `url` and returns the DOM after its scripts ran (`--dump-dom`).
    /// - Throws: ``LiveDashboardError`` when the browser fails or takes more than `timeout`.
    static func dumpDOM(_ url: String, directory: String, timeout: Double = 180) throws -> String {
        let process = try run(["--dump-dom", url], directory: directory)
        guard let exit = process.waitForExit(timeout: timeout), exit == ProcessExit(reason: .exited, status: 0) else {
            throw LiveDashboardError(message: "chromium --dump-dom \(url) failed: \(process.standardError.suffix(2000))")
        }
        return process.standardOutput
    }

    /// Starts the browser headless with a profile of its own under `directory`.
    private static func run(_ arguments: [String], directory: String) throws -> HelperProcess {
        guard let path else { throw LiveDashboardError(message: "chromium is not installed") }
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(directory)/chromium-profile",
        ]
        return try HelperProcess(common + arguments, executable: path, outputDirectory: directory)
    }
}
