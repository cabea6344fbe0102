/// A message that could not be run, kept with the reason.
public struct DeadLetter: Sendable, Hashable {
    /// The storage's handle for this letter (row id, file name, digest), for
    /// ``Storage/requeueDead(id:priority:)`` and ``Storage/discardDead(id:)``; empty when
    /// the storage gives none.
    public var id: String = ""
    /// The raw bytes as they were found.
    public var data: [UInt8]
    /// Why it was set aside.
    public var reason: String
    /// When (Unix seconds).
    public var timestamp: Double

    /// Makes a dead letter.
    public init(data: [UInt8], reason: String, timestamp: Double, id: String = "") {
        self.id = id
        self.data = data
        self.reason = reason
        self.timestamp = timestamp
    }
}
