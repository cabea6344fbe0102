import Foundation

/// A task failed: what a caller sees when it reads the result of a failed call.
///
/// Carries the error text, the retries that were left, the call's id and the type name of
/// the error the task threw (`WorkerCrashed`, `TaskTimeout`, or the user's error type).
///
/// It is `Codable` in the shape of the stored error envelope, so an `on_error` handler task
/// can take it as its argument: `huey.task("handle") { (error: TaskException) in ... }`.
public struct TaskException: Error, Sendable, Codable, CustomStringConvertible {
    /// `String(describing:)` of the error the task threw.
    public var error: String
    /// The retries the call had left when this attempt failed (0 once it failed for good).
    public var retries: Int
    /// The failed call's id.
    public var taskID: String
    /// The thrown error's type name.
    public var type: String
    /// Extra detail (Swift has no traceback; this names the task and error type).
    public var traceback: String

    /// Makes an exception from a stored error envelope.
    public init(_ info: ErrorInfo) {
        error = info.error
        retries = info.retries
        taskID = info.taskID
        type = info.type
        traceback = info.traceback
    }

    /// Whether the task was stopped because it ran past its timeout.
    public var isTimeout: Bool { type == String(describing: TaskTimeout.self) }
    /// Whether the worker running the task died.
    public var isWorkerCrash: Bool { type == String(describing: WorkerCrashed.self) }

    public var description: String { "TaskException(\(type)): \(error)" }

    /// Decodes from the error envelope's fields.
    /// - Throws: `DecodingError` when a present field has the wrong type.
    public init(from decoder: any Decoder) throws { self.init(try ErrorInfo(from: decoder)) }

    /// Encodes as the error envelope's fields.
    /// - Throws: `EncodingError`.
    public func encode(to encoder: any Encoder) throws {
        try ErrorInfo(error: error, retries: retries, traceback: traceback, taskID: taskID, type: type)
            .encode(to: encoder)
    }
}

/// A blocking result read ran out of time.
public struct ResultTimeout: Error, Sendable, CustomStringConvertible {
    /// The id of the call whose result did not arrive.
    public var taskID: String
    /// The timeout in seconds.
    public var timeout: Double
    public var description: String { "result of \(taskID) not ready after \(timeout)s" }
}

/// A lock (``Huey/lockTask(_:_:)``) is already held by someone else.
public struct TaskLockedException: Error, Sendable, CustomStringConvertible {
    /// The lock's name.
    public var lockName: String
    /// Makes the error for `lockName`.
    public init(lockName: String) { self.lockName = lockName }
    public var description: String { "unable to acquire lock \(lockName)" }
}

/// A rate limit (``Huey/rateLimit(_:limit:per:retry:_:)``) was exceeded.
public struct RateLimitExceeded: Error, Sendable, CustomStringConvertible {
    /// The limit's name.
    public var name: String
    /// Seconds until the current window ends.
    public var delay: Double
    /// Whether the task should be retried after the window even without retries left.
    public var retry: Bool
    public var description: String { "rate limit \(name) exceeded; resets in \(delay)s" }
}

/// Thrown by a task to ask for another run, whatever its `retries` say.
public struct RetryTask: Error, Sendable, CustomStringConvertible {
    /// Run again after this many seconds (`nil` with no `eta`: now, or after `retryDelay`).
    public var delay: Double?
    /// Run again at this time.
    public var eta: Date?
    /// Asks for a retry now or after the task's own retry delay.
    public init() {}
    /// Asks for a retry after `delay` seconds.
    public init(delay: Double) { self.delay = delay }
    /// Asks for a retry at `eta`.
    public init(eta: Date) { self.eta = eta }
    public var description: String { "RetryTask" }
}

/// Thrown by a task or a pre-execute hook to stop a call.
///
/// `retry: true` retries it (even with no retries left), `false` never retries it, and
/// `nil` retries it only when it has retries left — as in Huey's guide.
public struct CancelExecution: Error, Sendable, CustomStringConvertible {
    /// Whether to retry; `nil` follows the task's retries.
    public var retry: Bool?
    /// Makes the cancellation.
    public init(retry: Bool? = nil) { self.retry = retry }
    public var description: String { "CancelExecution(retry: \(retry.map(String.init) ?? "nil"))" }
}

/// A task ran past its `timeout` and was stopped.
public struct TaskTimeout: Error, Sendable, CustomStringConvertible {
    /// The timeout in seconds.
    public var timeout: Double
    /// Makes the error.
    public init(timeout: Double) { self.timeout = timeout }
    public var description: String { "task exceeded its timeout of \(timeout)s" }
}

/// The worker process running a task died (killed by a signal or exited).
public struct WorkerCrashed: Error, Sendable, CustomStringConvertible {
    /// What happened, e.g. "worker 1234 killed by signal 9".
    public var reason: String
    /// Makes the error.
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// A task name has no registered task in this process.
public struct UnknownTaskError: Error, Sendable, CustomStringConvertible {
    /// The unknown name.
    public var name: String
    public var description: String { "unknown task \(name.debugDescription): not registered in this process" }
}

/// A call's arguments do not decode as the task's parameter types.
public struct ArgumentDecodingError: Error, Sendable, CustomStringConvertible {
    /// The task's name.
    public var task: String
    /// What was wrong.
    public var detail: String
    public var description: String { "task \(task): bad arguments: \(detail)" }
}

extension Error {
    /// The name of the error's type, for error results and logs.
    var typeName: String { String(describing: type(of: self as Any)) }
}
