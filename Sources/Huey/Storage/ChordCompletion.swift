import Synchronization

/// Completes a chord inside the transaction that acknowledges one of its members
/// (``StorageWrite/completeChord(_:)``): when every member's value is stored under
/// ``memberKeys``, the storage removes those values and queues (or schedules) the callback
/// with the list of them — all in that one transaction, so no crash can leave the values
/// gone and the callback unqueued, nor queue the callback twice.
///
/// The callback arrives as a template: its message bytes, unsigned, with ``placeholder``
/// where the list of values goes; ``callbackData(values:)`` splices the values in (and
/// signs the result when messages are signed).
public struct ChordCompletion: Sendable, Hashable {
    /// The result keys of the chord's members, in member order.
    public var memberKeys: [String]
    /// The callback message (unsigned JSON) with ``placeholder`` standing for the values.
    public var template: [UInt8]
    /// The bytes in ``template`` that the JSON list of the members' values replaces.
    public var placeholder: [UInt8]
    /// The callback's queue priority.
    public var priority: Double
    /// When the callback is due, if later than now: it is scheduled rather than queued.
    public var scheduledAt: Double?
    /// Signs the finished callback; `nil` when messages are not signed.
    public let sign: (@Sendable ([UInt8]) -> [UInt8])?
    /// Told by the storage whether this completion queued the callback.
    public let outcome: ChordOutcome

    /// Makes a completion.
    public init(
        memberKeys: [String], template: [UInt8], placeholder: [UInt8], priority: Double, scheduledAt: Double?,
        sign: (@Sendable ([UInt8]) -> [UInt8])?, outcome: ChordOutcome = ChordOutcome()
    ) {
        self.memberKeys = memberKeys
        self.template = template
        self.placeholder = placeholder
        self.priority = priority
        self.scheduledAt = scheduledAt
        self.sign = sign
        self.outcome = outcome
    }

    /// The callback's bytes with the JSON list of `values` (each a JSON document) in place
    /// of the placeholder, signed when messages are signed.
    public func callbackData(values: [[UInt8]]) -> [UInt8] {
        var list: [UInt8] = [UInt8(ascii: "[")]
        for (index, value) in values.enumerated() {
            if index > 0 { list.append(UInt8(ascii: ",")) }
            list += value
        }
        list.append(UInt8(ascii: "]"))
        var data = template
        if let range = data.firstRange(of: placeholder) { data.replaceSubrange(range, with: list) }
        return sign?(data) ?? data
    }

    /// The write that queues or schedules the callback with `values`.
    public func callbackWrite(values: [[UInt8]]) -> StorageWrite {
        let data = callbackData(values: values)
        if let scheduledAt { return .schedule(data: data, timestamp: scheduledAt) }
        return .enqueue(data: data, priority: priority)
    }

    public static func == (lhs: ChordCompletion, rhs: ChordCompletion) -> Bool {
        lhs.memberKeys == rhs.memberKeys && lhs.template == rhs.template && lhs.placeholder == rhs.placeholder
            && lhs.priority == rhs.priority && lhs.scheduledAt == rhs.scheduledAt
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(memberKeys)
        hasher.combine(template)
    }
}

/// Whether a ``ChordCompletion`` queued its callback; set by the storage inside the
/// acknowledging transaction, read by the executor after the commit (to signal it).
public final class ChordOutcome: Sendable {
    private let state = Mutex(false)

    /// Makes an outcome: not completed.
    public init() {}

    /// Whether the callback was queued.
    public var completed: Bool { state.withLock { $0 } }

    /// Records that the callback was queued (storages call this).
    public func markCompleted() { state.withLock { $0 = true } }
}
