import Foundation

/// The options a task is registered with; each call starts from these.
public struct TaskOptions: Sendable {
    /// How many times a failing call is retried.
    public var retries: Int = 0
    /// Seconds before a retry.
    public var retryDelay: Double = 0
    /// Factor applied to the delay after each retry (1 = constant).
    public var retryBackoff: Double = 1
    /// Queue priority; higher runs first.
    public var priority: Double? = nil
    /// Default expiry of each call.
    public var expires: Expiry? = nil
    /// Seconds the body may run.
    public var timeout: Double? = nil
    /// A lock every call holds while it runs (``TaskLockedException`` when taken).
    public var lock: String? = nil
    /// The names of the task's arguments, in order, so keyword arguments (`kwargs` from a
    /// Python producer, a dictionary result of the previous stage) bind by name;
    /// `nil`: positional arguments only.
    public var argumentNames: [String]? = nil

    /// Makes options; every value defaults to Huey's.
    public init(
        retries: Int = 0, retryDelay: Double = 0, retryBackoff: Double = 1, priority: Double? = nil,
        expires: Expiry? = nil, timeout: Double? = nil, lock: String? = nil, argumentNames: [String]? = nil
    ) {
        self.argumentNames = argumentNames
        self.retries = retries
        self.retryDelay = retryDelay
        self.retryBackoff = retryBackoff
        self.priority = priority
        self.expires = expires
        self.timeout = timeout
        self.lock = lock
    }
}

extension Expiry: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    /// `expires: 300` means 300 seconds after enqueue.
    public init(integerLiteral value: Int) { self = .seconds(Double(value)) }
    /// `expires: 0.5` means half a second after enqueue.
    public init(floatLiteral value: Double) { self = .seconds(value) }
    /// Expires at `date`.
    public static func date(_ date: Date) -> Expiry { .at(date.timeIntervalSince1970) }
}
