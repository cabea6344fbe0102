import Foundation

/// The options of one call, each overriding its task's (Huey's per-call `retries=`,
/// `priority=`, `delay=` …); `nil` keeps the task's option.
///
/// Every way of making a call takes these as labeled arguments after the call's own
/// arguments: calling a task, `schedule`, `s(...)`, and a pipeline's `then`/`error`.
/// ```swift
/// try add(1, 2, priority: 90, retries: 3, timeout: 10)
/// let pipe = add.s(1, 2, delay: 10).then(add, 3, delay: 20)
/// ```
public struct CallOptions: Sendable, Hashable {
    /// Run after this many seconds, counted from when the call is made (wins over `eta`).
    public var delay: Double?
    /// Run at this time.
    public var eta: Date?
    /// Queue priority; higher runs first.
    public var priority: Double?
    /// How many times a failing call is retried.
    public var retries: Int?
    /// Seconds before a retry.
    public var retryDelay: Double?
    /// Factor applied to the retry delay after each retry.
    public var retryBackoff: Double?
    /// Seconds after enqueue, or `.date(...)`, after which the call is skipped.
    public var expires: Expiry?
    /// Seconds the body may run; `0` means no timeout, as in Huey.
    public var timeout: Double?
    /// The call's id (default: a new UUID).
    public var id: String?

    /// Makes options; every `nil` keeps the task's option.
    public init(
        delay: Double? = nil, eta: Date? = nil, priority: Double? = nil, retries: Int? = nil,
        retryDelay: Double? = nil, retryBackoff: Double? = nil, expires: Expiry? = nil, timeout: Double? = nil,
        id: String? = nil
    ) {
        self.delay = delay
        self.eta = eta
        self.priority = priority
        self.retries = retries
        self.retryDelay = retryDelay
        self.retryBackoff = retryBackoff
        self.expires = expires
        self.timeout = timeout
        self.id = id
    }

    /// The message of a call of `name` with `args`: these options over the task's `defaults`.
    /// A `delay` is turned into an absolute eta now (read from `clock`), as Huey does when a
    /// call is made.
    func message(name: String, args: [JSONValue], defaults: TaskOptions, clock: () -> Date) -> Message {
        var due = eta?.timeIntervalSince1970
        if let delay { due = clock().timeIntervalSince1970 + delay }
        return Message(
            id: id ?? CallID.make(), name: name, eta: due, retries: retries ?? defaults.retries,
            retryDelay: retryDelay ?? defaults.retryDelay, retryBackoff: retryBackoff ?? defaults.retryBackoff,
            priority: priority ?? defaults.priority, args: args, expires: expires ?? defaults.expires,
            timeout: timeout ?? defaults.timeout)
    }
}
