import Foundation
import Logging
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
    private let decode: @Sendable (JSONValue) throws -> R
    /// What this handle read: a value, or the failure (read again, it throws again).
    private let cached = Mutex<Result<R, TaskException>?>(nil)

    init(id: String, huey: Huey, decode: @escaping @Sendable (JSONValue) throws -> R) {
        self.id = id
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

    /// Whether the result is in the store (or already read by this handle).
    /// - Throws: ``StorageError``.
    public var isReady: Bool {
        get throws {
            if cached.withLock({ $0 != nil }) { return true }
            return try huey.storage.hasData(key: id)
        }
    }

    /// Forgets the value or error this handle read, so the next read goes to the store again.
    public func reset() { cached.withLock { $0 = nil } }

    /// Revokes this call (optionally only `until` a time, or only `once`).
    /// - Throws: ``StorageError``.
    public func revoke(until: Date? = nil, once: Bool = false) throws {
        try huey.revoke(id: id, until: until, once: once)
    }

    /// Undoes ``revoke(until:once:)``; says whether the call was revoked.
    /// - Throws: ``StorageError``.
    @discardableResult
    public func restore() throws -> Bool { try huey.restore(id: id) }

    /// Whether this call is revoked now.
    /// - Throws: ``StorageError``.
    public func isRevoked() throws -> Bool { try huey.isRevoked(keys: [Huey.revokeKey(id)]) }

    /// Revokes this call and enqueues a copy (new id) to run after `delay` seconds or at
    /// `eta`; returns the copy's handle. The original must still be queued or scheduled.
    /// - Throws: ``StorageError``; ``UnknownTaskError`` when the call is not found.
    public func reschedule(delay: Double? = nil, eta: Date? = nil) throws -> TaskResult<R> {
        let newID = try huey.reschedule(id: id, delay: delay, eta: eta)
        return TaskResult(id: newID, huey: huey, decode: decode)
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

    /// The handle at `index`.
    public subscript(index: Int) -> TaskResult<R> { results[index] }

    /// The number of calls.
    public var count: Int { results.count }

    /// Iterates the handles.
    public func makeIterator() -> IndexingIterator<[TaskResult<R>]> { results.makeIterator() }
}
