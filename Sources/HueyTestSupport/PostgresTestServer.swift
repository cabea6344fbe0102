import Foundation
import Huey
import Synchronization

/// Where the PostgreSQL tests find a server: the one `HUEY_TEST_POSTGRES_URL` names (CI
/// starts one), else a private ``PostgresTestServer`` started for the test.
public enum PostgresTestTarget {
    /// The URL in the environment variable `HUEY_TEST_POSTGRES_URL`, when set and not empty.
    public static var configuredURL: String? {
        guard let url = ProcessInfo.processInfo.environment["HUEY_TEST_POSTGRES_URL"], !url.isEmpty else {
            return nil
        }
        return url
    }

    /// Whether ``url()`` can give a server: one is configured, or PostgreSQL is installed.
    /// Tests skip when this is false, never when a URL is configured.
    public static var canProvide: Bool { configuredURL != nil || PostgresTestServer.isAvailable }

    /// The configured URL, or the URL of a freshly started private server, which the
    /// caller keeps alive as long as it uses the URL (the server stops when released).
    /// - Throws: ``PostgresTestServerError`` when there is no configured URL and no server
    ///   can be started.
    public static func url() throws -> (url: String, server: PostgresTestServer?) {
        if let configuredURL { return (configuredURL, nil) }
        let server = try PostgresTestServer.start()
        return (server.url, server)
    }

    /// The configured URL, or the URL of one private server shared by every caller in this
    /// process, started on first use and stopped when the process exits. For tests that
    /// keep apart by queue name or table prefix and never stop the server.
    /// - Throws: ``PostgresTestServerError`` when no server can be had.
    public static func sharedURL() throws -> String {
        if let configuredURL { return configuredURL }
        return try shared.withLock { shared in
            if let shared { return shared.url }
            let server = try PostgresTestServer.start()
            shared = server
            atexit { PostgresTestTarget.shared.withLock { $0?.stop() } }
            return server.url
        }
    }

    private static let shared = Mutex<PostgresTestServer?>(nil)
}

/// A test PostgreSQL server could not be found, started or stopped.
public struct PostgresTestServerError: Error, CustomStringConvertible {
    /// What went wrong, with the server's log when it has one.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A private PostgreSQL server for one test: a new cluster (`initdb`) in its own
/// temporary folder, reachable only through a Unix socket there, with the user `huey`
/// and the password ``password`` (SCRAM, so a wrong password is refused). Stopped, and
/// its folder removed, in ``stop()`` or when released.
///
/// PostgreSQL refuses to run as root: run by root, the cluster belongs to the `postgres`
/// user and the server runs as that user (through `setpriv`). The server is killed when
/// the test process dies (see ``ServerProcess``).
public final class PostgresTestServer: Sendable {
    /// The server's temporary folder: `data/` (the cluster), the socket, the log.
    public let directory: String
    /// The user the tests connect as.
    public static let user = "huey"
    /// That user's password.
    public static let password = "huey-test-secret"
    private let binDirectory: String
    private let runAs: String?
    private let running = Mutex<ServerProcess?>(nil)

    /// `postgresql://huey:<password>@/postgres?host=<folder>`.
    public var url: String { url(password: Self.password) }

    /// The server's URL with another password (to test a refused login).
    public func url(password: String) -> String {
        "postgresql://\(Self.user):\(password)@/postgres?host=\(directory)"
    }

    /// The running server's process id (0 when stopped).
    public var pid: Int32 { running.withLock { $0?.process.pid ?? 0 } }

    /// The folder holding `initdb` and `postgres`: the newest `/usr/lib/postgresql/N/bin`
    /// (Debian, Ubuntu), else the folder on `PATH` that has both.
    public static var binDirectory: String? {
        let fileManager = FileManager.default
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let debian = versions.compactMap { Int($0) }.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (debian + path).first {
            fileManager.isExecutableFile(atPath: "\($0)/initdb") && fileManager.isExecutableFile(atPath: "\($0)/postgres")
        }
    }

    /// Whether PostgreSQL's server programs are installed.
    public static var isAvailable: Bool { binDirectory != nil }

    /// Creates a cluster in a new temporary folder, starts the server and waits until it
    /// accepts connections.
    /// - Parameter timeout: Seconds to wait for `initdb` and for the server.
    /// - Throws: ``PostgresTestServerError`` when PostgreSQL is not installed, or `initdb`
    ///   or the server fails (with their output).
    public static func start(timeout: Double = 60) throws -> PostgresTestServer {
        guard let binDirectory else {
            throw PostgresTestServerError(
                "no PostgreSQL for the tests: set HUEY_TEST_POSTGRES_URL "
                    + "(e.g. postgresql://user:password@127.0.0.1:5432/postgres) or install it (apt-get install postgresql)")
        }
        let runAs = getuid() == 0 ? "postgres" : nil
        let directory = try makeDirectory(owner: runAs)
        let server = PostgresTestServer(directory: directory, binDirectory: binDirectory, runAs: runAs)
        try server.initialize(timeout: timeout)
        try server.launch(timeout: timeout)
        return server
    }

    private init(directory: String, binDirectory: String, runAs: String?) {
        self.directory = directory
        self.binDirectory = binDirectory
        self.runAs = runAs
    }

    deinit { stop() }

    /// Stops the server (fast shutdown, then SIGKILL after 10 seconds) and removes its folder.
    public func stop() {
        halt()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server (fast shutdown: sessions are ended) and starts it again on the
    /// same cluster and socket; committed data is kept.
    /// - Throws: ``PostgresTestServerError`` when the server does not come back.
    public func restart(timeout: Double = 60) throws {
        halt()
        try launch(timeout: timeout)
    }

    /// Stops the running server, if any, keeping the cluster.
    private func halt() {
        guard
            let stopping = running.withLock({ running in
                defer { running = nil }
                return running
            })
        else { return }
        stopping.process.send(SIGINT)  // fast shutdown: ends sessions, no waiting for clients
        if stopping.process.waitForExit(timeout: 10) == nil {
            stopping.process.send(SIGKILL)
            _ = stopping.process.waitForExit(timeout: 10)
        }
        stopping.release()
    }

    /// Runs `initdb`: user `huey` with ``password``, SCRAM for every connection.
    private func initialize(timeout: Double) throws {
        let passwordFile = directory + "/password"
        try Self.password.write(toFile: passwordFile, atomically: false, encoding: .utf8)
        try chownToServerUser(passwordFile)
        let arguments = [
            "-D", directory + "/data", "-U", Self.user, "--pwfile=\(passwordFile)", "--auth=scram-sha-256",
            "-E", "UTF8", "--no-sync", "--no-instructions",
        ]
        let initdb = try ServerProcess.start(
            executable: binDirectory + "/initdb", arguments: arguments, runAs: runAs, outputDirectory: directory)
        defer { initdb.release() }
        let exit = initdb.process.waitForExit(timeout: timeout)
        guard exit == ProcessExit(reason: .exited, status: 0) else {
            if exit == nil { initdb.process.send(SIGKILL) }
            throw PostgresTestServerError(
                "initdb \(arguments.joined(separator: " ")) "
                    + (exit.map { "failed (\($0))" } ?? "did not finish within \(timeout) s")
                    + "; its output:\n\(initdb.process.standardOutput)\(initdb.process.standardError)")
        }
    }

    /// Starts `postgres` on the cluster and waits until it accepts connections.
    private func launch(timeout: Double) throws {
        let arguments = [
            "-D", directory + "/data", "-k", directory, "-c", "listen_addresses=", "-c", "fsync=off",
            "-c", "full_page_writes=off", "-c", "max_connections=100",
        ]
        let started = try ServerProcess.start(
            executable: binDirectory + "/postgres", arguments: arguments, runAs: runAs, outputDirectory: directory)
        running.withLock { $0 = started }
        let server = started.process
        let ready = waitUntil(timeout: timeout) { !server.isRunning || isReady }
        guard ready, server.isRunning else {
            let log = server.standardOutput + server.standardError
            halt()
            throw PostgresTestServerError(
                "postgres \(arguments.joined(separator: " ")) "
                    + (ready ? "exited" : "was not ready within \(timeout) s") + "; its log:\n\(log)")
        }
    }

    /// Whether the server says it accepts connections: the last line of
    /// `data/postmaster.pid` is `ready` (PostgreSQL 10 and later).
    private var isReady: Bool {
        guard let text = try? String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8) else {
            return false
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count >= 8 && lines[7].trimmingCharacters(in: .whitespaces) == "ready"
    }

    /// Gives `path` to the user the server runs as, when it runs as another user.
    private func chownToServerUser(_ path: String) throws {
        guard let runAs else { return }
        try Self.chown(path, to: runAs)
    }

    private static func chown(_ path: String, to user: String) throws {
        guard let entry = getpwnam(user) else {
            throw PostgresTestServerError(
                "PostgreSQL refuses to run as root, and there is no user \"\(user)\" to run it as")
        }
        guard Glibc.chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw PostgresTestServerError("cannot give \(path) to \(user): \(String(cString: strerror(errno)))")
        }
    }

    /// A new private folder whose socket path fits in `sockaddr_un` (108 bytes), owned by
    /// `owner` when given.
    private static func makeDirectory(owner: String?) throws -> String {
        var base = NSTemporaryDirectory()
        if base.utf8.count > 60 { base = "/tmp/" }
        if !base.hasSuffix("/") { base += "/" }
        var template = Array((base + "huey-pg-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw PostgresTestServerError("cannot make a folder in \(base): \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        if let owner {
            do { try chown(directory, to: owner) } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
        }
        return directory
    }
}
