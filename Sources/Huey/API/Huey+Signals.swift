import Foundation
import Logging
import Synchronization

extension Huey {
    /// Calls `handler` for every signal; returns the connection to pass to
    /// ``disconnectSignal(_:_:)``.
    @discardableResult
    public func signal(handler: @escaping SignalHandler) -> SignalConnection {
        connect(nil, handler)
    }

    /// Calls `handler` for the given signals only; returns the connection to pass to
    /// ``disconnectSignal(_:_:)``.
    @discardableResult
    public func signal(_ signals: HueySignal..., handler: @escaping SignalHandler) -> SignalConnection {
        connect(Set(signals), handler)
    }

    private func connect(_ signals: Set<HueySignal>?, _ handler: @escaping SignalHandler) -> SignalConnection {
        state.withLock { state in
            state.signalConnections += 1
            let connection = SignalConnection(number: state.signalConnections)
            state.signalHandlers.append((connection, signals, handler))
            return connection
        }
    }

    /// Stops one handler hearing `signals`, or every signal when none is given (Huey's
    /// `disconnect_signal(receiver, *signals)`). A handler left with no signal is removed.
    public func disconnectSignal(_ connection: SignalConnection, _ signals: HueySignal...) {
        state.withLock { state in
            state.signalHandlers = state.signalHandlers.compactMap { entry in
                guard entry.connection == connection else { return entry }
                guard !signals.isEmpty else { return nil }
                let left = (entry.signals ?? Set(HueySignal.allCases)).subtracting(signals)
                return left.isEmpty ? nil : (entry.connection, left, entry.handler)
            }
        }
    }

    /// Removes every signal handler.
    public func disconnectSignals() {
        state.withLock { $0.signalHandlers.removeAll() }
    }

    /// Tells the handlers that `signal` happened to `call`.
    func emit(_ signal: HueySignal, _ call: TaskCall, error: (any Error)? = nil) {
        let handlers = state.withLock { $0.signalHandlers }
        for (_, signals, handler) in handlers where signals?.contains(signal) ?? true {
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
    /// replaced. An error the hook throws is logged, and the other hooks and the call go on,
    /// as in Huey.
    public func postExecute(
        _ name: String, _ hook: @escaping @Sendable (TaskCall, JSONValue?, (any Error)?) throws -> Void
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

    /// Runs the post-execute hooks; an error one throws is logged and the others still run.
    func runPostExecuteHooks(_ call: TaskCall, value: JSONValue?, error: (any Error)?) {
        for (name, hook) in state.withLock({ $0.postExecute }) {
            do {
                try hook(call, value, error)
            } catch let hookError {
                logger.error("post-execute hook \(name) failed for \(call.id): \(hookError)")
            }
        }
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

extension Huey {
    /// Sends a signal decided earlier.
    func emit(_ pending: PendingSignal) { emit(pending.signal, pending.call, error: pending.error) }
}
