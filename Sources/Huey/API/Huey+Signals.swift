import Foundation
import Logging
import Synchronization

extension Huey {
    /// Calls `handler` for every signal.
    public func signal(handler: @escaping SignalHandler) {
        state.withLock { $0.signalHandlers.append((nil, handler)) }
    }

    /// Calls `handler` for the given signals only.
    public func signal(_ signals: HueySignal..., handler: @escaping SignalHandler) {
        let wanted = Set(signals)
        state.withLock { $0.signalHandlers.append((wanted, handler)) }
    }

    /// Removes every signal handler.
    public func disconnectSignals() {
        state.withLock { $0.signalHandlers.removeAll() }
    }

    /// Tells the handlers that `signal` happened to `call`.
    func emit(_ signal: HueySignal, _ call: TaskCall, error: (any Error)? = nil) {
        let handlers = state.withLock { $0.signalHandlers }
        for (signals, handler) in handlers where signals?.contains(signal) ?? true {
            handler(signal, call, error)
        }
    }

    /// Runs before every call's body; throwing ``CancelExecution`` skips the call. Other
    /// errors are logged and ignored. A hook with the same `name` is replaced.
    public func preExecute(_ name: String, _ hook: @escaping @Sendable (TaskCall) throws -> Void) {
        state.withLock { state in
            state.preExecute.removeAll { $0.name == name }
            state.preExecute.append((name, hook))
        }
    }

    /// Runs after every call's body with its value or error. A hook with the same `name` is
    /// replaced.
    public func postExecute(
        _ name: String, _ hook: @escaping @Sendable (TaskCall, JSONValue?, (any Error)?) -> Void
    ) {
        state.withLock { state in
            state.postExecute.removeAll { $0.name == name }
            state.postExecute.append((name, hook))
        }
    }

    /// Runs once in each worker when it starts (before its first task).
    public func onStartup(_ name: String, _ hook: @escaping @Sendable () throws -> Void) {
        state.withLock { state in
            state.startup.removeAll { $0.name == name }
            state.startup.append((name, hook))
        }
    }

    /// Runs once in each worker when it stops.
    public func onShutdown(_ name: String, _ hook: @escaping @Sendable () throws -> Void) {
        state.withLock { state in
            state.shutdown.removeAll { $0.name == name }
            state.shutdown.append((name, hook))
        }
    }

    /// Removes the pre-execute hook `name`; says whether there was one.
    @discardableResult
    public func unregisterPreExecute(_ name: String) -> Bool {
        state.withLock { state in
            let before = state.preExecute.count
            state.preExecute.removeAll { $0.name == name }
            return state.preExecute.count != before
        }
    }

    /// Removes the post-execute hook `name`; says whether there was one.
    @discardableResult
    public func unregisterPostExecute(_ name: String) -> Bool {
        state.withLock { state in
            let before = state.postExecute.count
            state.postExecute.removeAll { $0.name == name }
            return state.postExecute.count != before
        }
    }

    /// Runs the startup hooks (a worker calls this once); errors are logged.
    public func runStartupHooks() {
        for (name, hook) in state.withLock({ $0.startup }) {
            do { try hook() } catch { logger.error("startup hook \(name) failed: \(error)") }
        }
    }

    /// Runs the shutdown hooks (a worker calls this once when it stops); errors are logged.
    public func runShutdownHooks() {
        for (name, hook) in state.withLock({ $0.shutdown }) {
            do { try hook() } catch { logger.error("shutdown hook \(name) failed: \(error)") }
        }
    }

    /// Runs the pre-execute hooks; rethrows ``CancelExecution``.
    func runPreExecuteHooks(_ call: TaskCall) throws {
        for (name, hook) in state.withLock({ $0.preExecute }) {
            do {
                try hook(call)
            } catch let cancel as CancelExecution {
                logger.warning("task \(call.id) canceled by pre-execute hook \(name)")
                throw cancel
            } catch {
                logger.error("pre-execute hook \(name) failed for \(call.id): \(error)")
            }
        }
    }

    /// Runs the post-execute hooks.
    func runPostExecuteHooks(_ call: TaskCall, value: JSONValue?, error: (any Error)?) {
        for (_, hook) in state.withLock({ $0.postExecute }) { hook(call, value, error) }
    }
}

/// A signal decided while writes are prepared, sent once those writes are committed (so a
/// handler sees what the signal is about: a stored result, a queued call).
struct PendingSignal {
    let signal: HueySignal
    let call: TaskCall
    let error: (any Error)?

    init(_ signal: HueySignal, _ call: TaskCall, error: (any Error)? = nil) {
        self.signal = signal
        self.call = call
        self.error = error
    }
}

/// A message ready to be written, and the signal to send once it is.
struct PreparedCall {
    let write: StorageWrite
    let signal: PendingSignal
}

extension Huey {
    /// Sends a signal decided earlier.
    func emit(_ pending: PendingSignal) { emit(pending.signal, pending.call, error: pending.error) }
}
