/// The fleet keys (see ``Storage/putFleetValue(key:value:expiresAt:onlyIfAbsent:now:)``)
/// Huey uses, in one place: each storage's claim looks up ``paused`` in the same
/// transaction that takes a message.
public enum FleetKeys {
    /// Present while the queue is paused (``Huey/pause(now:)``): no consumer claims from it.
    public static let paused = "paused"

    /// The prefix of every periodic slot key.
    public static let periodicPrefix = "periodic."

    /// The slot of periodic task `task` in the minute starting at `minute` (Unix seconds,
    /// a multiple of 60): the minute first, so the key is the same whatever the task's name.
    public static func periodicSlot(task: String, minute: Int) -> String { "\(periodicPrefix)\(minute).\(task)" }

    /// The prefix of every consumer registry key.
    public static let consumerPrefix = "consumer."

    /// The registry key of the consumer master `owner` (host, pid and start time: a reused
    /// pid never overwrites another master's record).
    public static func consumer(_ owner: ClaimOwner) -> String {
        "\(consumerPrefix)\(owner.host)|\(owner.pid)|\(owner.startTime)"
    }
}
