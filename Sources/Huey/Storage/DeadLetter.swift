/// A message that could not be run, kept with the reason.
public struct DeadLetter: Sendable, Hashable {
    /// The raw bytes as they were found.
    public var data: [UInt8]
    /// Why it was set aside.
    public var reason: String
    /// When (Unix seconds).
    public var timestamp: Double

    /// Makes a dead letter.
    public init(data: [UInt8], reason: String, timestamp: Double) {
        self.data = data
        self.reason = reason
        self.timestamp = timestamp
    }
}
