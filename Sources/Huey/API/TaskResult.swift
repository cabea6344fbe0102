import Foundation
import Synchronization

/// The handle of one enqueued call: read its result, revoke or reschedule it.
///
/// ```swift
/// let r = try add(1, 2)
/// try r()                              // Int? — nil while not ready
/// try r(blocking: true, timeout: 5)    // Int, or throws ResultTimeout
/// ```
/// Reading a result removes it from the store (unless `preserve: true`); the handle
/// remembers it, so reading twice gives the same value (or throws the same
/// ``TaskException`` again, as Huey's `Result`; ``reset()`` forgets it).
public final class TaskResult<R: Sendable>: Sendable {
    /// The call's id.
    public let id: String
    /// The Huey the call was enqueued on.
    public let huey: Huey
    /// The call as it was enqueued, when this handle made it (Huey's `Result.task`); `nil`
    /// for a handle made from an id alone.
    let call: Message?
    private let decode: @Sendable (JSONValue) throws -> R
    /// What this handle read: a value, or the failure (read again, it throws again).
    private let cached = Mutex<Result<R, TaskException>?>(nil)

    init(id: String, huey: Huey, decode: @escaping @Sendable (JSONValue) throws -> R) {
        self.id = id
        self.call = nil
        self.huey = huey
        self.decode = decode
    }

    init(call: Message, huey: Huey, decode: @escaping @Sendable (JSONValue) throws -> R) {
        self.id = call.id
        self.call = call
        self.huey = huey
        self.decode = decode
    }

    /// The result if it is ready, else `nil`.
    /// - Throws: ``TaskException`` when the call failed; ``CodecError`` when the stored
    ///   value does not decode as `R`.
    public func callAsFunction() throws -> R? { try get() }

    /// Waits for the result.
    /// - Throws: ``ResultTimeout`` after `timeout` seconds; ``TaskException`` when the call failed.
    public func callAsFunction(blocking: Bool, timeout: Double? = nil) throws -> R {
        guard let value = try get(blocking: blocking, timeout: timeout) else {
            throw ResultTimeout(taskID: id, timeout: timeout ?? 0)
        }
        return value
    }

    /// Reads the result, like Huey's `Result.get`.
    /// - Parameters:
    ///   - blocking: wait until the result is there (polling with `backoff` up to `maxDelay`).
    ///   - timeout: give up after this many seconds (``ResultTimeout``).
    ///   - revokeOnTimeout: revoke the call when the wait times out.
    ///   - preserve: leave the result in the store.
    /// - Returns: the value, or `nil` when not blocking and not ready.
    /// - Throws: ``ResultTimeout``, ``TaskException`` for a failed call, ``CodecError`` when
    ///   the value does not decode as `R`, ``StorageError``.
    public func get(
        blocking: Bool = false, timeout: Double? = nil, backoff: Double = 1.15, maxDelay: Double = 1.0,
        revokeOnTimeout: Bool = false, preserve: Bool = false
    ) throws -> R? {
        if let outcome = cached.withLock({ $0 }) { return try outcome.get() }
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        var delay = 0.001
        while true {
            if let outcome = try huey.readOutcome(id: id, preserve: preserve) {
                switch outcome {
                case .error(let info):
                    let failure = TaskException(info)
                    cached.withLock { $0 = .failure(failure) }
                    throw failure
                case .value(let json):
                    let value: R
                    do {
                        value = try decode(json)
                    } catch {
                        throw CodecError(
                            code: .malformed, message: "result of \(id) (\(json)) is not a \(R.self): \(error)")
                    }
                    cached.withLock { $0 = .success(value) }
                    return value
                }
            }
            guard blocking else { return nil }
            if let deadline, Date() >= deadline {
                if revokeOnTimeout { try revoke() }
                throw ResultTimeout(taskID: id, timeout: timeout ?? 0)
            }
            var pause = delay
            if let deadline { pause = min(pause, max(0, deadline.timeIntervalSinceNow)) }
            usleep(UInt32(pause * 1_000_000))
            delay = min(delay * backoff, maxDelay)
        }
    }

    /// Whether the result is there. A value in the store is read into this handle, so a
    /// later read cannot miss it, as Huey's `is_ready` (another handle then no longer sees
    /// it); an error result stays in the store for the read that throws it.
    /// - Throws: ``StorageError``; ``CodecError`` when the stored value does not decode as `R`.
    public var isReady: Bool {
        get throws {
            if cached.withLock({ $0 != nil }) { return true }
            guard let outcome = try huey.readOutcome(id: id, preserve: true) else { return false }
            if case .value = outcome { _ = try get() }
            return true
        }
    }

    /// Forgets the value or error this handle read, so the next read goes to the store again.
    public func reset() { cached.withLock { $0 = nil } }

    /// Revokes this call: a consumer skips it. By default only its next run is skipped
    /// (`once`, as Huey's `Result.revoke(revoke_once=True)`); `once: false` skips it
    /// whenever it comes up, until ``restore()``.
    /// - Throws: ``StorageError``.
    public func revoke(once: Bool = true) throws {
        try huey.revoke(id: id, until: nil, once: once)
    }

    /// Revokes this call until `until`; a run after that time goes ahead.
    /// - Throws: ``StorageError``.
    public func revoke(until: Date) throws {
        try huey.revoke(id: id, until: until, once: false)
    }

    /// Undoes ``revoke(once:)``; says whether the call was revoked.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func restore() throws -> Bool { try huey.restore(id: id) }

    /// Whether this call is revoked now: the call itself, or (when this handle made the
    /// call and so knows its task) its whole task.
    /// - Throws: ``StorageError``.
    public func isRevoked() throws -> Bool {
        var keys = [Huey.revokeKey(id)]
        if let name = call?.name { keys.append(Huey.taskRevokeKey(name)) }
        return try huey.isRevoked(keys: keys)
    }

    /// Revokes this call (once) and enqueues a copy with a new id, as Huey's
    /// `Result.reschedule`: due after `delay` seconds or at `eta` (neither: now), with
    /// `expires` and `priority` replaced when given; the copy keeps the original's retries,
    /// timeout and chord, and its pipeline unless `preservePipeline` is false. Returns the
    /// copy's handle. The copy is made from the call as this handle enqueued it, whether
    /// or not it already ran (as in Huey).
    /// - Throws: ``StorageError``; ``CodecError``.
    public func reschedule(
        delay: Double? = nil, eta: Date? = nil, expires: Expiry? = nil, priority: Double? = nil,
        preservePipeline: Bool = true
    ) throws -> TaskResult<R> {
        guard let call else {
            throw UnknownTaskError(name: "call \(id) (a handle made from an id alone cannot be rescheduled)")
        }
        let copy = try huey.reschedule(
            call,
            change: RescheduleChange(
                delay: delay, eta: eta, expires: expires, priority: priority, preservePipeline: preservePipeline))
        return TaskResult(call: copy, huey: huey, decode: decode)
    }
}

/// The handles of several calls (a `map`, a pipeline, a chord's members).
public struct ResultGroup<R: Sendable>: Sendable, Sequence {
    /// The handles, in call order.
    public let results: [TaskResult<R>]

    /// Groups `results`.
    public init(_ results: [TaskResult<R>]) { self.results = results }

    /// Every value, in call order (waiting for each when `blocking`).
    /// - Throws: what ``TaskResult/get(blocking:timeout:backoff:maxDelay:revokeOnTimeout:preserve:)`` throws;
    ///   when not blocking and a result is missing, ``ResultTimeout`` with timeout 0.
    public func get(
        blocking: Bool = false, timeout: Double? = nil, backoff: Double = 1.15, maxDelay: Double = 1.0,
        revokeOnTimeout: Bool = false, preserve: Bool = false
    ) throws -> [R] {
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        return try results.map { result in
            let left = deadline.map { Swift.max(0, $0.timeIntervalSinceNow) }
            guard
                let value = try result.get(
                    blocking: blocking, timeout: left, backoff: backoff, maxDelay: maxDelay,
                    revokeOnTimeout: revokeOnTimeout, preserve: preserve)
            else { throw ResultTimeout(taskID: result.id, timeout: 0) }
            return value
        }
    }

    /// Yields each value as soon as it is ready, in completion order.
    /// - Throws: ``ResultTimeout`` when `timeout` passes; ``TaskException`` for a failed call.
    public func asCompleted(timeout: Double? = nil, preserve: Bool = false) throws -> [R] {
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        var pending = results
        var done: [R] = []
        var delay = 0.001
        while !pending.isEmpty {
            var index = 0
            while index < pending.count {
                if let value = try pending[index].get(preserve: preserve) {
                    done.append(value)
                    pending.remove(at: index)
                } else {
                    index += 1
                }
            }
            if pending.isEmpty { break }
            if let deadline, Date() >= deadline {
                throw ResultTimeout(taskID: pending[0].id, timeout: timeout ?? 0)
            }
            usleep(UInt32(delay * 1_000_000))
            delay = Swift.min(delay * 1.15, 0.1)
        }
        return done
    }

    /// Every value, in call order: the same as ``get(blocking:timeout:backoff:maxDelay:revokeOnTimeout:preserve:)``
    /// (Huey's `ResultGroup.__call__`, e.g. `results(blocking: true)`).
    /// - Throws: what ``get(blocking:timeout:backoff:maxDelay:revokeOnTimeout:preserve:)`` throws.
    public func callAsFunction(
        blocking: Bool = false, timeout: Double? = nil, backoff: Double = 1.15, maxDelay: Double = 1.0,
        revokeOnTimeout: Bool = false, preserve: Bool = false
    ) throws -> [R] {
        try get(
            blocking: blocking, timeout: timeout, backoff: backoff, maxDelay: maxDelay,
            revokeOnTimeout: revokeOnTimeout, preserve: preserve)
    }

    /// The handle at `index`.
    public subscript(index: Int) -> TaskResult<R> { results[index] }

    /// The number of calls.
    public var count: Int { results.count }

    /// Iterates the handles.
    public func makeIterator() -> IndexingIterator<[TaskResult<R>]> { results.makeIterator() }
}
