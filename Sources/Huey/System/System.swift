import Foundation

/// The one way this package makes a system call: ``call(_:_:)`` retries `EINTR` and turns a
/// failure into a ``SystemError`` carrying `errno` and the call's name (STYLE.md item 5).
///
/// Every target of the package uses it (`package` access): the storages, the consumer's
/// process and signal code, the Redis connection, the tools. A call whose failure is an
/// expected answer (`ENOENT` for "not there") catches the typed error and looks at `errno`.
package enum System {
    /// Runs `body` until it does not fail with `EINTR`; a negative result is a failure.
    /// - Parameters:
    ///   - name: the call and what it works on, for the error (evaluated only on failure).
    ///   - body: the call, returning -1 (or another negative value) and setting `errno` on failure.
    /// - Returns: the call's non-negative result.
    /// - Throws: ``SystemError`` with the `errno` of any failure but `EINTR`.
    @discardableResult
    package static func call<T: FixedWidthInteger & SignedInteger>(
        _ name: @autoclosure () -> String, _ body: () -> T
    ) throws(SystemError) -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code != EINTR { throw SystemError(call: name(), errno: code) }
        }
    }

    /// Like ``call(_:_:)`` for calls that return 0 or an error number instead of setting
    /// `errno` (the `pthread_*` family).
    /// - Throws: ``SystemError`` with the returned number, for any but `EINTR`.
    package static func callReturningError(_ name: @autoclosure () -> String, _ body: () -> Int32) throws(SystemError) {
        while true {
            let result = body()
            if result == 0 { return }
            if result != EINTR { throw SystemError(call: name(), errno: result) }
        }
    }

    /// Like ``call(_:_:)`` for calls that return a pointer, `nil` on failure (`opendir`).
    /// - Throws: ``SystemError`` with the `errno` of any failure but `EINTR`.
    package static func callReturningPointer<T>(_ name: @autoclosure () -> String, _ body: () -> T?) throws(SystemError) -> T {
        while true {
            if let result = body() { return result }
            let code = errno
            if code != EINTR { throw SystemError(call: name(), errno: code) }
        }
    }

    /// Whether `descriptor` has input (or a hang-up) within `timeout` seconds (0: now).
    /// A signal does not end the wait early: `EINTR` restarts it with the time left.
    /// - Throws: ``SystemError`` when `poll` fails.
    package static func pollInput(_ descriptor: Int32, timeout: Double, name: @autoclosure () -> String) throws(SystemError) -> Bool {
        let deadline = ContinuousClock.now + .seconds(max(0, min(timeout, 86_400)))
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, milliseconds(until: deadline))
            if ready >= 0 { return ready > 0 }
            let code = errno
            if code != EINTR { throw SystemError(call: name(), errno: code) }
        }
    }

    /// The time left until `deadline` in whole milliseconds, rounded up so a wait never
    /// ends early; 0 once it has passed.
    package static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let remaining = deadline - .now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }

    /// Reads what a non-blocking `descriptor` holds, up to `buffer.count` bytes: the byte
    /// count (0 at end of file), or `nil` when nothing is there now (`EAGAIN`).
    /// - Throws: ``SystemError`` when `read` fails otherwise.
    package static func readAvailable(
        _ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, name: @autoclosure () -> String
    ) throws(SystemError) -> Int? {
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            if code != EINTR { throw SystemError(call: name(), errno: code) }
        }
    }

    /// Writes all of `bytes` to `descriptor`, retrying `EINTR` and short writes.
    /// - Throws: ``SystemError`` when `write` fails or writes nothing.
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], name: @autoclosure () -> String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try call(name()) {
                bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            }
            if written == 0 { throw SystemError(call: name(), errno: EIO) }
            offset += written
        }
    }

    /// Sleeps for `seconds`, resuming after a signal with the time left (`nanosleep`).
    package static func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
