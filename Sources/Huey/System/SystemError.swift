import Foundation

/// A system call failed: the call's name and the `errno` it set (like swift-system's `Errno`).
///
/// Thrown by every call made through ``System`` (the consumer's fork, waitpid and signal
/// calls, the File storage's file calls, inotify, flock); storages turn it into a
/// ``StorageError`` that keeps the `errno`.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failing call with what it was called on, e.g. `"fork"` or `"open /var/q.db"`.
    public var call: String
    /// The `errno` the call set.
    public var errno: Int32

    /// Makes an error for `call` with `errno`.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// "fork failed: Resource temporarily unavailable (errno 11)".
    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
