import Foundation

/// A system call made by the consumer failed.
///
/// Carries the call's name and the `errno` it set, like swift-system's `Errno`.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// The failing call, e.g. `"fork"` or `"waitpid"`.
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

/// Runs a system call that returns -1 (or a negative value) on failure, retrying on
/// `EINTR`, and throws ``SystemError`` with the `errno` otherwise.
/// - Parameters:
///   - name: the call's name, for the error.
///   - body: the call.
/// - Returns: the call's non-negative result.
/// - Throws: ``SystemError``.
@discardableResult
func systemCall<T: SignedInteger>(_ name: String, _ body: () -> T) throws -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemError(call: name, errno: code)
    }
}

/// Like ``systemCall(_:_:)`` for calls (pthread_*, sigaction wrappers) that return 0 or
/// an error number instead of setting `errno`.
/// - Throws: ``SystemError``.
func systemCallReturningError(_ name: String, _ body: () -> Int32) throws {
    while true {
        let result = body()
        if result == 0 { return }
        if result == EINTR { continue }
        throw SystemError(call: name, errno: result)
    }
}
