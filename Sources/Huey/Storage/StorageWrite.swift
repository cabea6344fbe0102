/// One write applied atomically with an ``Storage/ack(_:writes:)``.
public enum StorageWrite: Sendable, Hashable {
    /// Store a value (a result) under a key.
    case put(key: String, value: [UInt8])
    /// Enqueue a message (a retry, a callback).
    case enqueue(data: [UInt8], priority: Double)
    /// Schedule a message (a delayed retry).
    case schedule(data: [UInt8], timestamp: Double)
    /// Keep an undecodable message as a dead letter.
    case dead(data: [UInt8], reason: String)
    /// Complete a chord if every member's value is stored (after the writes before it):
    /// remove the values and queue the callback with them (see ``ChordCompletion``).
    case completeChord(ChordCompletion)
    /// Add a call's counts and times to its task's statistics for that minute (see
    /// ``StatsTally``). A storage that keeps no statistics ignores it.
    case tally(StatsTally)
}
