import Foundation

/// What happened to a task; handlers registered with ``Huey/signal(_:handler:)`` hear these.
public enum HueySignal: String, Sendable, CaseIterable {
    /// The body is about to run.
    case executing
    /// The body returned a value.
    case complete
    /// The body threw an error.
    case error
    /// The call failed and will run again.
    case retrying
    /// The call was skipped because it (or its task) is revoked.
    case revoked
    /// A pre-execute hook or the body threw ``CancelExecution``.
    case canceled
    /// The call was skipped because it expired.
    case expired
    /// The call could not take its lock.
    case locked
    /// The call was put on the schedule to run later.
    case scheduled
    /// The consumer shut down while the call was running; it goes back to the queue.
    case interrupted
    /// The call was put on the queue.
    case enqueued
    /// The call ran past its timeout.
    case timeout
    /// The call hit a rate limit.
    case rateLimited = "rate-limited"
    /// The worker process running the call died.
    case workerCrashed = "worker-crashed"
}

/// A signal handler: the signal, the call it concerns, and the error if there was one.
public typealias SignalHandler = @Sendable (HueySignal, TaskCall, (any Error)?) -> Void

/// One handler's registration, returned by ``Huey/signal(handler:)`` and
/// ``Huey/signal(_:handler:)``; pass it to ``Huey/disconnectSignal(_:_:)`` to stop it.
public struct SignalConnection: Sendable, Hashable {
    let number: Int
}
