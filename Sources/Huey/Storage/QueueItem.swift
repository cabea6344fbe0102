/// A message to enqueue with its priority.
public struct QueueItem: Sendable, Hashable {
    /// The message bytes.
    public var data: [UInt8]
    /// Higher dequeues first.
    public var priority: Double
    /// Makes an item.
    public init(data: [UInt8], priority: Double) {
        self.data = data
        self.priority = priority
    }
}
