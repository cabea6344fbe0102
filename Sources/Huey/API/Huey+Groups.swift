import Foundation

extension Huey {
    /// Enqueues every member of `group` in one transaction and returns one handle per
    /// member, in member order: the result of its last stage (of a chord member: of the
    /// last stage of its callback).
    /// - Throws: ``CodecError`` for an argument that could not be encoded or a message that is
    ///   too large; ``StorageError``; then nothing was enqueued.
    @discardableResult
    public func enqueue(_ group: TaskGroup) throws -> ResultGroup<JSONValue> {
        try enqueue(group, as: JSONValue.self)
    }

    /// Enqueues a group with typed handles, as `enqueue(_ group:)`.
    /// - Throws: like `enqueue(_ group:)`.
    @discardableResult
    public func enqueue<T: Decodable & Sendable>(_ group: TaskGroup, as type: T.Type) throws -> ResultGroup<T> {
        var batch: [Message] = []
        let tails = try group.members.map { try flatten($0, into: &batch) }
        try enqueue(batch: batch)
        return ResultGroup(tails.map { typedResult(call: $0, as: T.self) })
    }

    /// Enqueues a chord: every member now (in one transaction; a member that is itself a
    /// chord has its own members enqueued), the callback once all have finished.
    /// - Returns: the chord's handle: its value is what the callback returns.
    /// - Throws: like `enqueue(_ group:)`.
    @discardableResult
    public func enqueue(_ chord: Chord) throws -> ChordResult<JSONValue> {
        try enqueue(chord, as: JSONValue.self)
    }

    /// Enqueues a chord with a typed callback handle, as `enqueue(_ chord:)`.
    /// - Throws: like `enqueue(_ group:)`.
    @discardableResult
    public func enqueue<T: Decodable & Sendable>(_ chord: Chord, as type: T.Type) throws -> ChordResult<T> {
        var batch: [Message] = []
        let (tails, callbackStages) = try flatten(chord, into: &batch)
        try enqueue(batch: batch)
        return ChordResult(
            results: ResultGroup(tails.map { typedResult(call: $0, as: JSONValue.self) }),
            callback: typedResult(call: callbackStages[0], as: T.self),
            pipelineResults: ResultGroup(callbackStages.map { typedResult(call: $0, as: JSONValue.self) }))
    }

    /// Adds the messages that start `chord` to `batch`: each member tagged with its place in
    /// the chord (on its last stage), nested chords flattened the same way, as Huey's
    /// `_enqueue_chord`. Returns the members' last stages and the callback's stages.
    private func flatten(
        _ chord: Chord, into batch: inout [Message]
    ) throws -> (tails: [Message], callback: [Message]) {
        try checkEncoded(chord.callback)
        let callback = chord.callback.message
        let callbackStages = chord.callback.stages
        guard !chord.members.isEmpty else {
            var empty = callback
            empty.args.append(.array([]))
            batch.append(empty)
            return ([], callbackStages)
        }
        let cid = CallID.make()
        var tails: [Message] = []
        for (index, member) in chord.members.enumerated() {
            let config = ChordConfig(cid: cid, size: chord.members.count, idx: index, callback: callback)
            tails.append(try flatten(member, chordConfig: config, into: &batch))
        }
        return (tails, callbackStages)
    }

    /// Adds the messages of one group member to `batch`, its last stage tagged with
    /// `chordConfig`; returns the message whose result is the member's.
    private func flatten(
        _ member: any GroupMember, chordConfig: ChordConfig? = nil, into batch: inout [Message]
    ) throws -> Message {
        switch member.groupMember {
        case .call(let call):
            try checkEncoded(call)
            var head = call.message
            if let chordConfig { head = head.changingLastStage { $0.chordConfig = chordConfig } }
            batch.append(head)
            return TaskCall(message: head).stages.last ?? head
        case .chord(var inner):
            if let chordConfig {
                inner.callback.message = inner.callback.message.changingLastStage { $0.chordConfig = chordConfig }
            }
            let (_, callbackStages) = try flatten(inner, into: &batch)
            return callbackStages.last ?? inner.callback.message
        }
    }

    /// Throws the encoding error a call was made with.
    private func checkEncoded(_ call: TaskCall) throws {
        if let problem = call.encodingError {
            throw CodecError(code: .unencodable, message: "cannot encode arguments of \(call.name): \(problem)")
        }
    }
}

/// The handle of an enqueued chord (Huey's `ChordResult`): the callback's result, and the
/// handles of the members and of the callback's pipeline.
///
/// ```swift
/// let chord = try huey.enqueue(group([add.s(1, 1), add.s(2, 2)]).then(total), as: Int.self)
/// try chord(blocking: true, timeout: 5)           // 6: the callback's value
/// try chord.results(blocking: true, timeout: 5)   // [2, 4]: the members' values
/// ```
public struct ChordResult<T: Sendable>: Sendable {
    /// The members' results, in member order (of a member pipeline: its last stage; of a
    /// member chord: its callback pipeline's last stage).
    public let results: ResultGroup<JSONValue>
    /// The callback's result.
    public let callback: TaskResult<T>
    /// The results of the callback and of every stage added after it with `then`, in order
    /// (Huey's `pipeline_results`, which Huey leaves `None` when there is no added stage).
    public let pipelineResults: ResultGroup<JSONValue>

    /// The callback's id.
    public var id: String { callback.id }

    /// The callback's result if it is ready, else `nil`.
    /// - Throws: like ``TaskResult/get(blocking:timeout:backoff:maxDelay:revokeOnTimeout:preserve:)``.
    public func callAsFunction() throws -> T? { try callback() }

    /// Waits for the callback's result.
    /// - Throws: ``ResultTimeout``; ``TaskException`` when the callback failed.
    public func callAsFunction(blocking: Bool, timeout: Double? = nil) throws -> T {
        try callback(blocking: blocking, timeout: timeout)
    }

    /// Reads the callback's result, as ``TaskResult/get(blocking:timeout:backoff:maxDelay:revokeOnTimeout:preserve:)``.
    /// - Throws: like ``TaskResult/get(blocking:timeout:backoff:maxDelay:revokeOnTimeout:preserve:)``.
    public func get(
        blocking: Bool = false, timeout: Double? = nil, backoff: Double = 1.15, maxDelay: Double = 1.0,
        revokeOnTimeout: Bool = false, preserve: Bool = false
    ) throws -> T? {
        try callback.get(
            blocking: blocking, timeout: timeout, backoff: backoff, maxDelay: maxDelay,
            revokeOnTimeout: revokeOnTimeout, preserve: preserve)
    }

    /// Forgets the callback's value this handle read (Huey's `ChordResult.reset`).
    public func reset() { callback.reset() }
}
