import Foundation

/// Tells systemd how the consumer is doing, through the `sd_notify` protocol: one datagram
/// of `KEY=value` lines sent to the unix socket named by `$NOTIFY_SOCKET` (a path, or a
/// name in the abstract namespace when it starts with `@`). Without that variable (not
/// started by systemd with `Type=notify`) every call does nothing and returns false.
///
/// The master sends ``ready()`` once its workers run, ``reloading()`` when SIGHUP makes it
/// re-execute (the new program sends ``ready()`` again: the pid stays the same, so systemd's
/// main pid needs no update), and ``stopping()`` when it begins to stop. Each call opens,
/// uses and closes its own socket, so nothing is kept across `fork()` or `execve()`; the
/// variable is left in the environment so a re-executed master can still notify.
public struct SystemdNotifier: Sendable {
    /// The socket messages go to, or nil when there is none.
    public let socketPath: String?

    /// A notifier for `socketPath` (default: `$NOTIFY_SOCKET`, nil when unset or empty).
    public init(socketPath: String? = SystemdNotifier.environmentSocket) {
        self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `$NOTIFY_SOCKET`, read with `getenv` (no Foundation environment copy).
    public static var environmentSocket: String? { getenv("NOTIFY_SOCKET").map { String(cString: $0) } }

    /// Whether there is a socket to notify.
    public var isActive: Bool { socketPath != nil }

    /// `READY=1` (with a status line): startup finished, or a reload did.
    /// - Throws: ``SystemError`` when the datagram cannot be sent.
    @discardableResult
    public func ready(status: String? = nil) throws -> Bool {
        try notify(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// `RELOADING=1` with `MONOTONIC_USEC` (which systemd 253+ asks for): a reload began.
    /// - Throws: ``SystemError``.
    @discardableResult
    public func reloading() throws -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        return try notify(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"])
    }

    /// `STOPPING=1`: the service is shutting down.
    /// - Throws: ``SystemError``.
    @discardableResult
    public func stopping() throws -> Bool { try notify(["STOPPING=1"]) }

    /// `MAINPID=pid`: the service's main process is `pid`.
    /// - Throws: ``SystemError``.
    @discardableResult
    public func mainPID(_ pid: Int32) throws -> Bool { try notify(["MAINPID=\(pid)"]) }

    /// `STATUS=text`: a line shown by `systemctl status`.
    /// - Throws: ``SystemError``.
    @discardableResult
    public func status(_ text: String) throws -> Bool { try notify(["STATUS=\(text)"]) }

    /// Sends `assignments` (`KEY=value` each) as one datagram; false when there is no socket.
    /// - Throws: ``SystemError`` when the socket cannot be made or the datagram not sent;
    ///   ``ConfigurationError`` when the socket path is too long for a unix address.
    @discardableResult
    public func notify(_ assignments: [String]) throws -> Bool {
        guard let socketPath else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else {
            throw ConfigurationError("NOTIFY_SOCKET is longer than a unix socket address allows: \(socketPath)")
        }
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }  // the abstract namespace: a leading NUL, no trailing one
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count + (abstract ? 0 : 1))
        let descriptor = try systemCall("socket") {
            socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        defer { close(descriptor) }
        let message = Array(assignments.joined(separator: "\n").utf8)
        try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                _ = try systemCall("sendto \(socketPath)") {
                    message.withUnsafeBytes {
                        sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                    }
                }
            }
        }
        return true
    }
}
