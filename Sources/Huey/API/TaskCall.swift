import Foundation

/// One call of a task, not yet enqueued (or read back from the queue): a message plus
/// the pipeline built on it with ``then(_:_:)`` and ``error(_:_:)``.
///
/// Made by a task's `s(...)`; enqueue it with ``Huey/enqueue(_:)``. Read back by
/// ``Huey/pending(limit:)`` and ``Huey/scheduled(limit:)``, and handed to signal handlers
/// and hooks.
public struct TaskCall: Sendable, Hashable {
    /// The message that will be (or was) queued.
    public internal(set) var message: Message
    /// An argument that could not be encoded; thrown at enqueue.
    var encodingError: String?

    /// A call of the task `name` with JSON arguments, for producers without the typed
    /// wrapper (admin tools, tasks run by another language's consumer, tests). `kwargs`
    /// are keyword arguments, as a Python task takes them; a Swift task binds them only
    /// when it declares `argumentNames`.
    public init(
        name: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:], id: String? = nil,
        priority: Double? = nil
    ) {
        self.init(message: Message(id: id ?? CallID.make(), name: name, priority: priority, args: args, kwargs: kwargs))
    }

    init(message: Message, encodingError: String? = nil) {
        self.message = message
        self.encodingError = encodingError
    }

    /// The call's id (the key of its result).
    public var id: String { message.id }
    /// The task's name.
    public var name: String { message.name }
    /// Positional arguments as JSON.
    public var args: [JSONValue] { message.args }
    /// Keyword arguments (a Python producer's `kwargs`, or a dictionary result of the
    /// previous stage).
    public var kwargs: [String: JSONValue] { message.kwargs }
    /// When the call becomes due, if it is delayed.
    public var eta: Date? { message.eta.map { Date(timeIntervalSince1970: $0) } }
    /// Queue priority (higher first).
    public var priority: Double? { message.priority }
    /// Retries left.
    public var retries: Int { message.retries }
    /// Seconds before a retry.
    public var retryDelay: Double { message.retryDelay }
    /// Factor applied to the retry delay after each retry.
    public var retryBackoff: Double { message.retryBackoff }
    /// The expiry as given.
    public var expires: Expiry? { message.expires }
    /// The absolute expiry time, once the call was enqueued.
    public var expiresResolved: Date? { message.expiresResolved.map { Date(timeIntervalSince1970: $0) } }
    /// Seconds the body may run (`nil` or `0`: no timeout).
    public var timeout: Double? { message.timeout }
    /// The next stage of the pipeline.
    public var onComplete: TaskCall? { message.completionCallback.map { TaskCall(message: $0) } }
    /// The error handler.
    public var onError: TaskCall? { message.errorCallback.map { TaskCall(message: $0) } }

    /// Adds a stage that runs after the last stage succeeds, with that stage's result
    /// appended to `args` (or spread into them when it is a ``Spread``). The labeled
    /// options are the stage's own (``CallOptions``); a `delay` counts from now, as in Huey.
    public func then(
        _ task: some TaskDefinition, _ args: any Encodable & Sendable..., delay: Double? = nil, eta: Date? = nil,
        priority: Double? = nil, retries: Int? = nil, retryDelay: Double? = nil, retryBackoff: Double? = nil,
        expires: Expiry? = nil, timeout: Double? = nil, id: String? = nil
    ) -> TaskCall {
        let options = CallOptions(
            delay: delay, eta: eta, priority: priority, retries: retries, retryDelay: retryDelay,
            retryBackoff: retryBackoff, expires: expires, timeout: timeout, id: id)
        return then(task.makeCall(partialArguments: args, options: options))
    }

    /// Adds `next` as the stage after the last one.
    public func then(_ next: TaskCall) -> TaskCall {
        var result = self
        result.message = message.changingLastStage { $0.completionCallback = next.message }
        result.encodingError = encodingError ?? next.encodingError
        return result
    }

    /// Sets the handler that runs, with the error appended to `args`, when this call fails
    /// (see ``error(_:)``). The labeled options are the handler's own (``CallOptions``).
    public func error(
        _ task: some TaskDefinition, _ args: any Encodable & Sendable..., delay: Double? = nil, eta: Date? = nil,
        priority: Double? = nil, retries: Int? = nil, retryDelay: Double? = nil, retryBackoff: Double? = nil,
        expires: Expiry? = nil, timeout: Double? = nil, id: String? = nil
    ) -> TaskCall {
        let options = CallOptions(
            delay: delay, eta: eta, priority: priority, retries: retries, retryDelay: retryDelay,
            retryBackoff: retryBackoff, expires: expires, timeout: timeout, id: id)
        return error(task.makeCall(partialArguments: args, options: options))
    }

    /// Sets `handler` (a call made with `makeCall(partialArguments:options:)`) as the
    /// handler that runs, with the error appended to its args, when this call fails (on every
    /// failed attempt, see ``Huey/storeIntermediateErrors``). When a handler is set already,
    /// the new one becomes that handler's error handler, as Huey's `error()`:
    /// `t.error(a).error(b)` runs `b` when `a` fails.
    public func error(_ handler: TaskCall) -> TaskCall {
        var result = self
        result.message = message.addingErrorHandler(handler.message)
        result.encodingError = encodingError ?? handler.encodingError
        return result
    }

    /// Every stage's message, first to last.
    var stages: [Message] {
        var result: [Message] = []
        var current: Message? = message
        while let stage = current {
            result.append(stage)
            current = stage.completionCallback
        }
        return result
    }
}

/// Something that can make calls of a task: a ``TaskWrapper``.
public protocol TaskDefinition: Sendable {
    /// The registered name.
    var name: String { get }
    /// Makes a call whose arguments are completed later (by a pipeline or chord), with
    /// `options` over the task's own.
    func makeCall(partialArguments: [any Encodable & Sendable], options: CallOptions) -> TaskCall
}

extension TaskDefinition {
    /// Makes a call whose arguments are completed later, with the task's own options.
    public func makeCall(partialArguments: [any Encodable & Sendable]) -> TaskCall {
        makeCall(partialArguments: partialArguments, options: CallOptions())
    }
}

extension Message {
    /// A copy whose last pipeline stage (the end of the `on_complete` chain) is changed by `change`.
    func changingLastStage(_ change: (inout Message) -> Void) -> Message {
        var copy = self
        if let next = completionCallback {
            copy.completionCallback = next.changingLastStage(change)
        } else {
            change(&copy)
        }
        return copy
    }
}

extension Message {
    /// A copy with `handler` at the end of its chain of error handlers.
    func addingErrorHandler(_ handler: Message) -> Message {
        var copy = self
        copy.errorCallback = errorCallback.map { $0.addingErrorHandler(handler) } ?? handler
        return copy
    }
}
