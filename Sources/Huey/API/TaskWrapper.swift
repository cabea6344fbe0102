import Foundation
import Logging
import Synchronization

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
    /// - Parameters:
    ///   - priority: overrides the task's priority (higher runs first).
    ///   - expires: seconds after enqueue, or `.date(...)`, after which the call is skipped.
    ///   - id: the call's id (default: a new UUID).
    /// - Throws: ``CodecError`` when an argument cannot be encoded or the message is too
    ///   large; ``StorageError`` when the storage refuses the write.
    @discardableResult
    public func callAsFunction(
        _ args: repeat each A, priority: Double? = nil, expires: Expiry? = nil, id: String? = nil
    ) throws -> TaskResult<R> {
        try schedule(args: (repeat each args), priority: priority, expires: expires, id: id)
    }

    /// Enqueues a call to run after `delay` seconds or at `eta` (neither: now).
    /// - Throws: like ``callAsFunction(_:priority:expires:id:)``.
    @discardableResult
    public func schedule(
        args: (repeat each A), delay: Double? = nil, eta: Date? = nil, priority: Double? = nil,
        expires: Expiry? = nil, id: String? = nil
    ) throws -> TaskResult<R> {
        let call = try makeCall(repeat each args, priority: priority, expires: expires, id: id, delay: delay, eta: eta)
        try huey.enqueue(call.message)
        return result(for: call.message)
    }

    /// Makes a call without enqueuing it, for pipelines (``TaskCall/then(_:_:)``) and groups.
    public func s(
        _ args: repeat each A, priority: Double? = nil, expires: Expiry? = nil, id: String? = nil,
        delay: Double? = nil, eta: Date? = nil
    ) -> TaskCall {
        do {
            return try makeCall(repeat each args, priority: priority, expires: expires, id: id, delay: delay, eta: eta)
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
    /// - Throws: like ``callAsFunction(_:priority:expires:id:)``; then nothing was enqueued.
    public func map(_ argumentLists: [(repeat each A)]) throws -> ResultGroup<R> {
        var messages: [Message] = []
        messages.reserveCapacity(argumentLists.count)
        for args in argumentLists {
            messages.append(try makeCall(repeat each args, priority: nil, expires: nil, id: nil, delay: nil, eta: nil).message)
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
    public func isRevoked() throws -> Bool { try huey.isRevoked(keys: [Huey.taskRevokeKey(name)]) }

    /// Makes a call whose arguments a pipeline or chord completes later.
    public func makeCall(partialArguments: [any Encodable & Sendable]) -> TaskCall {
        do {
            let args = try partialArguments.map { try JSONCodec.value($0) }
            return TaskCall(message: baseMessage(args: args, priority: nil, expires: nil, id: nil, eta: nil))
        } catch {
            return TaskCall(message: Message(name: name), encodingError: "\(error)")
        }
    }

    private func makeCall(
        _ args: repeat each A, priority: Double?, expires: Expiry?, id: String?, delay: Double?, eta: Date?
    ) throws -> TaskCall {
        let encoded = try encodeArguments(repeat each args)
        var due = eta?.timeIntervalSince1970
        if let delay { due = huey.clock().timeIntervalSince1970 + delay }
        return TaskCall(message: baseMessage(args: encoded, priority: priority, expires: expires, id: id, eta: due))
    }

    private func baseMessage(
        args: [JSONValue], priority: Double?, expires: Expiry?, id: String?, eta: Double?
    ) -> Message {
        Message(
            id: id ?? CallID.make(), name: name, eta: eta, retries: options.retries,
            retryDelay: options.retryDelay, retryBackoff: options.retryBackoff,
            priority: priority ?? options.priority, args: args, expires: expires ?? options.expires,
            timeout: options.timeout)
    }

    private func result(for message: Message) -> TaskResult<R> {
        TaskResult(id: message.id, huey: huey, decode: decodeResult)
    }
}
