import Foundation

/// A registered task: call it to enqueue a call and get a ``TaskResult``.
///
/// `A...` are the closure's argument types (Codable), `R` its result type (`Void` for
/// tasks that return nothing). Made by ``Huey/task(_:retries:retryDelay:retryBackoff:expires:timeout:priority:lock:_:)``.
public final class TaskWrapper<each A: Codable & Sendable, R: Sendable>: TaskDefinition {
    /// The registered name.
    public let name: String
    /// The Huey it belongs to.
    public let huey: Huey
    /// The options each call starts from.
    public let options: TaskOptions
    // Exactly one of the two bodies is set. (Closures cannot take a parameter pack, so a
    // plain body cannot be wrapped into a context-taking one; we keep both forms.)
    let plainBody: (@Sendable (repeat each A) throws -> R)?
    let contextBody: (@Sendable (TaskContext, repeat each A) throws -> R)?
    let decodeResult: @Sendable (JSONValue) throws -> R

    init(
        name: String, huey: Huey, options: TaskOptions,
        plainBody: (@Sendable (repeat each A) throws -> R)?,
        contextBody: (@Sendable (TaskContext, repeat each A) throws -> R)?,
        decodeResult: @escaping @Sendable (JSONValue) throws -> R
    ) {
        self.name = name
        self.huey = huey
        self.options = options
        self.plainBody = plainBody
        self.contextBody = contextBody
        self.decodeResult = decodeResult
    }

    /// Decodes `args` as the task's parameter types and runs the body.
    /// - Throws: ``ArgumentDecodingError``, or what the body throws.
    func invoke(_ context: TaskContext, _ args: [JSONValue]) throws -> R {
        let reader = ArgumentReader(task: name, args: args)
        let values = (repeat try reader.next((each A).self))
        try reader.finish()
        return try run(context, repeat each values)
    }

    private func run(_ context: TaskContext, _ args: repeat each A) throws -> R {
        if let plainBody { return try plainBody(repeat each args) }
        return try contextBody!(context, repeat each args)
    }

    /// Enqueues a call with `args` and returns its result handle at once.
    ///
    /// The labeled options override the task's for this call only (``CallOptions``).
    /// - Parameters:
    ///   - delay: run after this many seconds (or at `eta`); otherwise now.
    ///   - priority: overrides the task's priority (higher runs first).
    ///   - retries: how many times this call is retried when it fails.
    ///   - retryDelay: seconds before a retry; `retryBackoff` multiplies it after each one.
    ///   - expires: seconds after enqueue, or `.date(...)`, after which the call is skipped.
    ///   - timeout: seconds the body may run (`0`: no timeout).
    ///   - id: the call's id (default: a new UUID).
    /// - Throws: ``CodecError`` when an argument cannot be encoded or the message is too
    ///   large; ``StorageError`` when the storage refuses the write.
    @discardableResult
    public func callAsFunction(
        _ args: repeat each A, delay: Double? = nil, eta: Date? = nil, priority: Double? = nil,
        retries: Int? = nil, retryDelay: Double? = nil, retryBackoff: Double? = nil, expires: Expiry? = nil,
        timeout: Double? = nil, id: String? = nil
    ) throws -> TaskResult<R> {
        let options = CallOptions(
            delay: delay, eta: eta, priority: priority, retries: retries, retryDelay: retryDelay,
            retryBackoff: retryBackoff, expires: expires, timeout: timeout, id: id)
        return try enqueue(makeCall(repeat each args, options: options))
    }

    /// Enqueues a call to run after `delay` seconds or at `eta` (neither: now). A call due
    /// later goes straight to the schedule (Huey first queues it; see README "Differences
    /// from Huey"). The other options are those of ``callAsFunction(_:delay:eta:priority:retries:retryDelay:retryBackoff:expires:timeout:id:)``.
    /// - Throws: like ``callAsFunction(_:delay:eta:priority:retries:retryDelay:retryBackoff:expires:timeout:id:)``.
    @discardableResult
    public func schedule(
        args: (repeat each A), delay: Double? = nil, eta: Date? = nil, priority: Double? = nil,
        retries: Int? = nil, retryDelay: Double? = nil, retryBackoff: Double? = nil, expires: Expiry? = nil,
        timeout: Double? = nil, id: String? = nil
    ) throws -> TaskResult<R> {
        let options = CallOptions(
            delay: delay, eta: eta, priority: priority, retries: retries, retryDelay: retryDelay,
            retryBackoff: retryBackoff, expires: expires, timeout: timeout, id: id)
        return try enqueue(makeCall(repeat each args, options: options))
    }

    /// Makes a call without enqueuing it, for pipelines (``TaskCall/then(_:_:delay:eta:priority:retries:retryDelay:retryBackoff:expires:timeout:id:)``)
    /// and groups; the options are those of ``callAsFunction(_:delay:eta:priority:retries:retryDelay:retryBackoff:expires:timeout:id:)``.
    /// A `delay` is counted from now, when the call is made, as in Huey. An argument that
    /// cannot be encoded is reported when the call is enqueued.
    public func s(
        _ args: repeat each A, delay: Double? = nil, eta: Date? = nil, priority: Double? = nil,
        retries: Int? = nil, retryDelay: Double? = nil, retryBackoff: Double? = nil, expires: Expiry? = nil,
        timeout: Double? = nil, id: String? = nil
    ) -> TaskCall {
        let options = CallOptions(
            delay: delay, eta: eta, priority: priority, retries: retries, retryDelay: retryDelay,
            retryBackoff: retryBackoff, expires: expires, timeout: timeout, id: id)
        do {
            return try makeCall(repeat each args, options: options)
        } catch {
            return TaskCall(message: Message(name: name), encodingError: "\(error)")
        }
    }

    /// Runs the closure here and now, without the queue (Huey's `call_local`).
    /// - Throws: whatever the closure throws.
    public func callLocal(_ args: repeat each A) throws -> R {
        let message = Message(name: name, retries: options.retries, retryDelay: options.retryDelay)
        return try run(TaskContext(message: message, huey: huey, deadline: nil), repeat each args)
    }

    /// Enqueues one call per argument tuple in a single storage transaction.
    /// - Throws: like ``callAsFunction(_:delay:eta:priority:retries:retryDelay:retryBackoff:expires:timeout:id:)``;
    ///   then nothing was enqueued.
    public func map(_ argumentLists: [(repeat each A)]) throws -> ResultGroup<R> {
        var messages: [Message] = []
        messages.reserveCapacity(argumentLists.count)
        for args in argumentLists {
            messages.append(try makeCall(repeat each args, options: CallOptions()).message)
        }
        try huey.enqueue(batch: messages)
        return ResultGroup(messages.map { result(for: $0) })
    }

    /// Revokes every call of this task, optionally only `until` a time or only `once`.
    /// - Throws: ``StorageError``.
    public func revoke(until: Date? = nil, once: Bool = false) throws {
        try huey.revokeAll(task: name, until: until, once: once)
    }

    /// Undoes ``revoke(until:once:)``; says whether the task was revoked.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func restore() throws -> Bool { try huey.restoreAll(task: name) }

    /// Whether calls of this task are revoked now.
    /// - Throws: ``StorageError``.
    public func isRevoked() throws -> Bool { try huey.isRevoked(task: name) }

    /// Makes a call whose arguments a pipeline or chord completes later, with `options`
    /// over the task's own.
    public func makeCall(partialArguments: [any Encodable & Sendable], options: CallOptions) -> TaskCall {
        do {
            let args = try partialArguments.map { try JSONCodec.value($0) }
            return TaskCall(message: message(args: args, options: options))
        } catch {
            return TaskCall(message: Message(name: name), encodingError: "\(error)")
        }
    }

    private func makeCall(_ args: repeat each A, options: CallOptions) throws -> TaskCall {
        let encoded = try encodeArguments(repeat each args)
        return TaskCall(message: message(args: encoded, options: options))
    }

    private func message(args: [JSONValue], options call: CallOptions) -> Message {
        call.message(name: name, args: args, defaults: options, clock: { self.huey.clock() })
    }

    private func enqueue(_ call: TaskCall) throws -> TaskResult<R> {
        try huey.enqueue(call.message)
        return result(for: call.message)
    }

    private func result(for message: Message) -> TaskResult<R> {
        TaskResult(call: message, huey: huey, decode: decodeResult)
    }
}
