import Huey

// The consumer's names for the package's one system-call helper (Huey's `System`), with
// untyped throws. Kept because calling `System.call` (typed throws) directly from the fork
// and reap code, whose closures capture an inout status, crashes Swift 6.3.1's
// MandatoryAllocBoxToStack pass (signal 11 while compiling HueyConsumer).

/// Runs a system call through ``System/call(_:_:)``: `EINTR` is retried, a negative result
/// throws ``SystemError`` with the `errno`.
/// - Throws: ``SystemError``.
@discardableResult
func systemCall<T: FixedWidthInteger & SignedInteger>(_ name: String, _ body: () -> T) throws -> T {
    try System.call(name, body)
}

/// Runs a call that returns an error number through ``System/callReturningError(_:_:)``.
/// - Throws: ``SystemError``.
func systemCallReturningError(_ name: String, _ body: () -> Int32) throws {
    try System.callReturningError(name, body)
}
