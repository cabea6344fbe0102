import Huey

// The consumer's names for the package's one system-call helper (Huey's `System`), kept so
// the process code written against them reads unchanged; new code calls `System` directly.

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
