import Foundation
import Synchronization

/// Where the Redis tests find a server: the one `HUEY_TEST_REDIS_URL` names (CI starts
/// one), else a private ``RedisTestServer`` started for the test.
public enum RedisTestTarget {
    /// The URL in the environment variable `HUEY_TEST_REDIS_URL`, when set and not empty.
    public static var configuredURL: String? {
        guard let url = ProcessInfo.processInfo.environment["HUEY_TEST_REDIS_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// Whether ``url()`` can give a server: one is configured, or `redis-server` is
    /// installed. Tests skip when this is false, never when a URL is configured.
    public static var canProvide: Bool { configuredURL != nil || RedisTestServer.isAvailable }

    /// The configured URL, or the URL of a freshly started private server, which the
    /// caller keeps alive as long as it uses the URL (the server stops when released).
    /// - Throws: ``RedisTestServerError`` when there is no configured URL and no server
    ///   can be started.
    public static func url() throws -> (url: String, server: RedisTestServer?) {
        if let configuredURL { return (configuredURL, nil) }
        guard RedisTestServer.isAvailable else {
            throw RedisTestServerError(
                "no Redis for the tests: set HUEY_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) "
                    + "or install redis-server (apt-get install redis-server)")
        }
        let server = try RedisTestServer.start()
        return (server.url, server)
    }
}

/// A test Redis server could not be found, started or stopped.
public struct RedisTestServerError: Error, CustomStringConvertible {
    /// What went wrong, with the server's log when it has one.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A private `redis-server` for one test, in its own temporary folder, reachable through
/// a Unix socket there (and a loopback TCP port when asked). Stopped, and its folder
/// removed, in ``stop()`` or when released.
public final class RedisTestServer: Sendable {
    /// The server's temporary folder (its working directory, socket and data).
    public let directory: String
    /// The server's Unix socket.
    public let socketPath: String
    /// The loopback TCP port the server also listens on, if asked for one.
    public let port: Int?
    /// Whether data survives ``restart()`` (append-only file, fsync on every write).
    public let persistent: Bool
    private let executable: String
    private let extraArguments: [String]
    private let running = Mutex<ServerProcess?>(nil)

    /// The server's URL: `unix://<socket>`.
    public var url: String { "unix://\(socketPath)" }
    /// `redis://127.0.0.1:<port>/0` when the server listens on TCP.
    public var tcpURL: String? { port.map { "redis://127.0.0.1:\($0)/0" } }
    /// The running server's process id (0 when stopped).
    public var pid: Int32 { running.withLock { $0?.process.pid ?? 0 } }

    /// The `redis-server` executable: the first on `PATH`, else `/usr/bin/redis-server`.
    public static var executablePath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether a `redis-server` executable exists.
    public static var isAvailable: Bool { executablePath != nil }

    /// Starts a server in a new temporary folder and waits until it answers `PING`.
    /// - Parameters:
    ///   - persistent: Keep data across ``restart()`` (`--appendonly yes --appendfsync always`).
    ///   - port: Also listen on this loopback TCP port (default: Unix socket only).
    ///   - arguments: More `redis-server` options, e.g. `["--requirepass", "secret"]`.
    ///   - timeout: Seconds to wait for the server to answer.
    /// - Throws: ``RedisTestServerError`` when `redis-server` is missing, exits, or does not
    ///   answer in time (with its log).
    public static func start(
        persistent: Bool = false, port: Int? = nil, arguments: [String] = [], timeout: Double = 20
    ) throws -> RedisTestServer {
        guard let executable = executablePath else {
            throw RedisTestServerError("redis-server is not installed (apt-get install redis-server)")
        }
        let server = RedisTestServer(
            directory: try makeDirectory(), executable: executable, port: port, persistent: persistent,
            arguments: arguments)
        try server.launch(timeout: timeout)
        return server
    }

    private init(directory: String, executable: String, port: Int?, persistent: Bool, arguments: [String]) {
        self.directory = directory
        self.socketPath = directory + "/redis.sock"
        self.executable = executable
        self.port = port
        self.persistent = persistent
        self.extraArguments = arguments
    }

    deinit { stop() }

    /// Stops the server (SIGTERM, then SIGKILL after 10 seconds) and removes its folder.
    public func stop() {
        halt()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server and starts it again on the same socket, port and folder; a
    /// persistent server keeps its data.
    /// - Throws: ``RedisTestServerError`` when the server does not come back.
    public func restart(timeout: Double = 20) throws {
        halt()
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try launch(timeout: timeout)
    }

    /// Stops the running server, if any, keeping the folder.
    private func halt() {
        guard
            let stopping = running.withLock({ running in
                defer { running = nil }
                return running
            })
        else { return }
        stopping.process.send(SIGTERM)
        if stopping.process.waitForExit(timeout: 10) == nil {
            stopping.process.send(SIGKILL)
            _ = stopping.process.waitForExit(timeout: 10)
        }
        stopping.release()
    }

    /// Starts `redis-server` and waits until it answers.
    private func launch(timeout: Double) throws {
        var arguments = [
            "--port", String(port ?? 0), "--unixsocket", socketPath, "--unixsocketperm", "700",
            "--save", "", "--dir", directory, "--daemonize", "no",
        ]
        if port != nil { arguments += ["--bind", "127.0.0.1"] }
        arguments += persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]
        arguments += extraArguments
        let started = try ServerProcess.start(
            executable: executable, arguments: arguments, runAs: nil, outputDirectory: directory)
        running.withLock { $0 = started }
        let server = started.process
        let answered = waitUntil(timeout: timeout) {
            !server.isRunning || Self.ping(socketPath: socketPath)
        }
        guard answered, server.isRunning else {
            let log = server.standardOutput + server.standardError
            halt()
            throw RedisTestServerError(
                "redis-server \(arguments.joined(separator: " ")) "
                    + (answered ? "exited" : "did not answer PING within \(timeout) s") + "; its log:\n\(log)")
        }
    }

    /// A new private folder whose socket path fits in `sockaddr_un` (108 bytes).
    private static func makeDirectory() throws -> String {
        var base = NSTemporaryDirectory()
        if base.utf8.count > 60 { base = "/tmp/" }
        if !base.hasSuffix("/") { base += "/" }
        var template = Array((base + "huey-redis-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RedisTestServerError("cannot make a folder in \(base): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// Whether a Redis server answers `PING` on the Unix socket `socketPath` (an
    /// authentication error counts: the server is up). Waits at most a second.
    public static func ping(socketPath: String) -> Bool {
        #if canImport(Glibc)
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            bytes.copyBytes(from: path)
            bytes[path.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return false }
        let request = Array("PING\r\n".utf8)
        #if canImport(Glibc)
            let noSignal = Int32(MSG_NOSIGNAL)  // a server going away must not raise SIGPIPE
        #else
            let noSignal: Int32 = 0
        #endif
        guard send(descriptor, request, request.count, noSignal) == request.count else { return false }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while !reply.contains(UInt8(ascii: "\n")) {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { return false }
            reply += buffer[..<count]
        }
        let line = String(decoding: reply, as: UTF8.self)
        return line.hasPrefix("+PONG") || line.hasPrefix("-NOAUTH")
    }
}
