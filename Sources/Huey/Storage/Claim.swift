/// A message taken by a worker and not yet acknowledged.
public struct Claim: Sendable, Hashable {
    /// The storage's handle for this claim (row id, file name, …).
    public var token: String
    /// The claimed message.
    public var data: [UInt8]
    /// Its queue priority (used when it is released back to the queue).
    public var priority: Double
    /// Who took it.
    public var owner: ClaimOwner
    /// When it was taken (Unix seconds).
    public var claimedAt: Double
    /// When its owner is overrunning (Unix seconds), if the task has a timeout.
    public var deadline: Double?

    /// Makes a claim.
    public init(
        token: String, data: [UInt8], priority: Double, owner: ClaimOwner, claimedAt: Double,
        deadline: Double? = nil
    ) {
        self.token = token
        self.data = data
        self.priority = priority
        self.owner = owner
        self.claimedAt = claimedAt
        self.deadline = deadline
    }
}
