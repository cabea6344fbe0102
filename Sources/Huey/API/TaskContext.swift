import Foundation

/// The running call, handed to a task registered with `context: true` as its first argument.
///
/// A task can read its own id and retries, change its own retry delay before throwing,
/// and, with a timeout, check how much time it has left (thread workers stop only when
/// the task checks: ``checkTimeout()``).
public final class TaskContext: @unchecked Sendable {
    // @unchecked Sendable: a context belongs to the one thread running its call.
    /// The call's id.
    public let id: String
    /// The task's name.
    public let name: String
    /// Retries left for this call.
    public let retries: Int
    /// Seconds before the next retry; a task may change it before it throws.
    public var retryDelay: Double
    /// The call's arguments as JSON.
    public let args: [JSONValue]
    /// The call's timeout in seconds (`nil` or `0`: none).
    public let timeout: Double?
    /// When the call must be finished, if it has a timeout.
    public let deadline: Date?
    /// The Huey running the call.
    public let huey: Huey

    init(message: Message, huey: Huey, deadline: Date?) {
        id = message.id
        name = message.name
        retries = message.retries
        retryDelay = message.retryDelay
        args = message.args
        timeout = message.timeout
        self.deadline = deadline
        self.huey = huey
    }

    /// Seconds left before the timeout; `nil` when the call has none.
    public var timeRemaining: Double? {
        deadline.map { $0.timeIntervalSinceNow }
    }

    /// Throws ``TaskTimeout`` when the call has run past its timeout.
    /// - Throws: ``TaskTimeout``.
    public func checkTimeout() throws {
        if let deadline, Date() >= deadline {
            throw TaskTimeout(timeout: timeout ?? 0)
        }
    }
}
