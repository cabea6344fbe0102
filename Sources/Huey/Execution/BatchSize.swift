/// How many calls a worker asks for in one claim on a ``BatchClaimingStorage``, adapted to
/// how long its tasks take: as many as run in about ``budget`` seconds, between 1 and
/// ``most``. The storage then takes at most half of the calls waiting (one from a short
/// queue), so latency and fairness between workers stay as with one call per claim, and
/// a batch of long tasks is one task.
///
/// It also bounds how long finished calls wait for their batch's commit: ``holdAtMost``.
public struct BatchSize: Sendable {
    /// The most calls claimed (and acknowledged) in one transaction.
    public static let most = 32
    /// The task time one batch aims to hold, in seconds.
    public static let budget = 0.002
    /// Finished calls are committed once their batch has run this long (seconds), even if
    /// some of its calls have not run yet.
    public static let holdAtMost = 0.01

    /// Running mean of a task's duration (seconds); starts at ``budget``, so a new worker
    /// claims one call at a time until its tasks prove short.
    public private(set) var averageTaskSeconds = BatchSize.budget

    /// Makes the policy of a new worker.
    public init() {}

    /// How many calls to ask for now.
    public var limit: Int {
        let fitting = BatchSize.budget / max(averageTaskSeconds, 1e-7)
        return fitting >= Double(BatchSize.most) ? BatchSize.most : max(1, Int(fitting))
    }

    /// Notes that a call took `seconds` (decode, body, hooks).
    public mutating func record(taskSeconds seconds: Double) {
        averageTaskSeconds += (max(seconds, 0) - averageTaskSeconds) / 4
    }
}
