import Foundation
import Synchronization

extension Huey {
    /// Enqueues a call made with `s(...)` — a single call or a pipeline — and returns the
    /// handles of every stage, first to last.
    /// - Throws: ``CodecError`` for an argument that could not be encoded or a message that is
    ///   too large; ``StorageError`` when the storage refuses the write.
    @discardableResult
    public func enqueue(_ call: TaskCall) throws -> ResultGroup<JSONValue> {
        try enqueue(call, as: JSONValue.self)
    }

    /// Enqueues a call or pipeline and returns typed handles of every stage.
    /// - Throws: like ``enqueue(_:)``.
    @discardableResult
    public func enqueue<T: Decodable & Sendable>(_ call: TaskCall, as type: T.Type) throws -> ResultGroup<T> {
        if let problem = call.encodingError {
            throw CodecError(code: .unencodable, message: "cannot encode arguments of \(call.name): \(problem)")
        }
        try enqueue(call.message)
        return ResultGroup(call.stages.map { typedResult(call: $0, as: T.self) })
    }

    /// Enqueues several calls (or pipelines) in one storage transaction: a consumer sees
    /// all of them or none, and claims them in priority order. Returns each call's stage
    /// handles, in the order given.
    /// - Throws: like ``enqueue(_:)``; then nothing was enqueued.
    @discardableResult
    public func enqueue(_ calls: [TaskCall]) throws -> [ResultGroup<JSONValue>] {
        for call in calls {
            if let problem = call.encodingError {
                throw CodecError(code: .unencodable, message: "cannot encode arguments of \(call.name): \(problem)")
            }
        }
        try enqueue(batch: calls.map(\.message))
        return calls.map { call in ResultGroup(call.stages.map { typedResult(call: $0, as: JSONValue.self) }) }
    }

    func typedResult<T: Decodable & Sendable>(id: String, as type: T.Type) -> TaskResult<T> {
        TaskResult(id: id, huey: self, decode: { try JSONCodec.convert($0, to: T.self) })
    }

    func typedResult<T: Decodable & Sendable>(call: Message, as type: T.Type) -> TaskResult<T> {
        TaskResult(call: call, huey: self, decode: { try JSONCodec.convert($0, to: T.self) })
    }

    /// Enqueues one message: straight to the schedule when its eta is in the future,
    /// otherwise to the queue; in immediate mode, runs it at once. `enqueued` or
    /// `scheduled` is signalled once the message is written.
    /// - Throws: ``CodecError`` (too large / unencodable), ``StorageError``.
    func enqueue(_ message: Message) throws {
        let call = try outgoing(message)
        let storage = self.storage
        switch call.destination {
        case .schedule(let timestamp): try storage.addToSchedule(call.data, timestamp: timestamp)
        case .queue(let priority): try storage.enqueue(call.data, priority: priority)
        }
        emit(call.signal)
        if immediate { try runImmediately() }
    }

    /// Enqueues many messages in one transaction; signals once it committed.
    /// - Throws: ``CodecError``, ``StorageError``; then nothing was enqueued.
    func enqueue(batch messages: [Message]) throws {
        var queued: [QueueItem] = []
        var scheduled: [(data: [UInt8], timestamp: Double)] = []
        var signals: [PendingSignal] = []
        queued.reserveCapacity(messages.count)
        let now = clock().timeIntervalSince1970  // one enqueue time for the whole batch
        for message in messages {
            let call = try outgoing(message, now: now)
            signals.append(call.signal)
            switch call.destination {
            case .schedule(let timestamp): scheduled.append((call.data, timestamp))
            case .queue(let priority): queued.append(QueueItem(data: call.data, priority: priority))
            }
        }
        let storage = self.storage
        try storage.enqueue(batch: queued)
        for item in scheduled { try storage.addToSchedule(item.data, timestamp: item.timestamp) }
        for signal in signals { emit(signal) }
        if immediate { try runImmediately() }
    }

    /// Immediate mode: runs everything queued, here and now (nested calls are picked up
    /// by the outermost loop).
    /// - Throws: ``StorageError``.
    func runImmediately() throws {
        let alreadyRunning = state.withLock { state -> Bool in
            if state.runningImmediately { return true }
            state.runningImmediately = true
            return false
        }
        if alreadyRunning { return }
        defer { state.withLock { $0.runningImmediately = false } }
        var runner = TaskRunner(huey: self)
        try runner.runUntilEmpty()
    }

    /// Revokes `original` once and enqueues a copy with a new id and `change` applied (Huey's
    /// `Result.reschedule`); returns the copy.
    /// - Throws: ``CodecError``; ``StorageError``.
    func reschedule(_ original: Message, change: RescheduleChange) throws -> Message {
        try revoke(id: original.id, until: nil, once: true)
        var copy = original
        copy.id = CallID.make()
        if let delay = change.delay {
            copy.eta = clock().timeIntervalSince1970 + delay
        } else {
            copy.eta = change.eta?.timeIntervalSince1970
        }
        if let expires = change.expires { copy.expires = expires }
        copy.expiresResolved = nil  // resolved again when the copy is enqueued
        if let priority = change.priority { copy.priority = priority }
        if !change.preservePipeline {
            copy.completionCallback = nil
            copy.errorCallback = nil
        }
        try enqueue(copy)
        return copy
    }
}

/// What ``TaskResult/reschedule(delay:eta:expires:priority:preservePipeline:)`` changes in the copy.
struct RescheduleChange {
    var delay: Double?
    var eta: Date?
    var expires: Expiry?
    var priority: Double?
    var preservePipeline: Bool
}
