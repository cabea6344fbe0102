/// What became of one call, as counted in the statistics.
public enum TaskOutcome: Int, CaseIterable, Sendable {
    /// The body returned.
    case completed
    /// The body threw (each failed attempt counts, retried or not).
    case failed
    /// A retry was queued or scheduled (after a failure, a crash or a timeout).
    case retried
    /// Not run: expired before it was claimed.
    case expired
    /// Not run: revoked.
    case revoked
    /// Its worker died or overran its timeout; the master's claim recovery failed it.
    case crashed

    /// Its name in tables, JSON and storage: "completed", "failed", …
    public var name: String {
        switch self {
        case .completed: "completed"
        case .failed: "failed"
        case .retried: "retried"
        case .expired: "expired"
        case .revoked: "revoked"
        case .crashed: "crashed"
        }
    }
}

/// One task's counts and time histograms for one minute (or, added up, for a window):
/// a fixed-length vector of counters, so that every storage keeps it the same way —
/// first one counter per ``TaskOutcome``, then the run-time histogram, then the
/// queue-wait histogram, each with one counter per bucket of ``bucketBounds``.
public struct TaskCounters: Sendable, Hashable {
    /// The upper bound (seconds, inclusive) of each histogram bucket; the last is infinite.
    public static let bucketBounds: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, .infinity,
    ]
    private static let outcomes = TaskOutcome.allCases.count
    private static let buckets = bucketBounds.count
    /// How many counters the vector has.
    public static let fieldCount = outcomes + 2 * buckets
    /// The storage name of each counter, in vector order: "completed", …, "crashed",
    /// "run_0", …, "run_16", "wait_0", …, "wait_16".
    public static let fieldNames: [String] =
        TaskOutcome.allCases.map(\.name) + (0..<buckets).map { "run_\($0)" } + (0..<buckets).map { "wait_\($0)" }

    /// The counters, in ``fieldNames`` order.
    public private(set) var values: [Int]

    /// All zero.
    public init() { values = Array(repeating: 0, count: Self.fieldCount) }

    /// From stored values; missing trailing ones are zero, extra ones ignored.
    public init(values: [Int]) {
        self.init()
        for (index, value) in values.prefix(Self.fieldCount).enumerated() { self.values[index] = value }
    }

    /// Whether every counter is zero.
    public var isEmpty: Bool { values.allSatisfy { $0 == 0 } }

    /// The count of `outcome`.
    public subscript(outcome: TaskOutcome) -> Int { values[outcome.rawValue] }

    /// The run-time histogram: calls per bucket of ``bucketBounds``.
    public var runTime: [Int] { Array(values[Self.outcomes..<(Self.outcomes + Self.buckets)]) }

    /// The queue-wait histogram: calls per bucket of ``bucketBounds``.
    public var waitTime: [Int] { Array(values[(Self.outcomes + Self.buckets)...]) }

    /// Counts one `outcome`.
    public mutating func count(_ outcome: TaskOutcome) { values[outcome.rawValue] += 1 }

    /// Counts one body that ran `seconds`.
    public mutating func recordRunTime(_ seconds: Double) {
        values[Self.outcomes + Self.bucket(for: seconds)] += 1
    }

    /// Counts one call that waited `seconds` between becoming due and starting.
    public mutating func recordWaitTime(_ seconds: Double) {
        values[Self.outcomes + Self.buckets + Self.bucket(for: seconds)] += 1
    }

    /// Adds `other`'s counters to these.
    public mutating func add(_ other: TaskCounters) {
        for index in values.indices { values[index] += other.values[index] }
    }

    /// The index of the bucket `seconds` falls in (negative times count as 0).
    public static func bucket(for seconds: Double) -> Int {
        bucketBounds.firstIndex { seconds <= $0 } ?? bucketBounds.count - 1
    }

    /// The upper bound of the bucket holding the `quantile` (0…1) of `histogram`: the
    /// smallest bound at or below which at least that share of the calls fall; nil when
    /// the histogram is empty. Infinite when it falls in the last bucket (over 300 s).
    public static func percentile(_ quantile: Double, of histogram: [Int]) -> Double? {
        let total = histogram.reduce(0, +)
        guard total > 0 else { return nil }
        let needed = max(1, Int((quantile * Double(total)).rounded(.up)))
        var seen = 0
        for (index, count) in histogram.enumerated() {
            seen += count
            if seen >= needed { return bucketBounds[index] }
        }
        return bucketBounds[bucketBounds.count - 1]
    }
}

/// One task's counters for one minute: what an ack adds to the statistics
/// (``StorageWrite/tally(_:)``) and what a storage gives back (``Storage/statistics(since:)``).
public struct StatsTally: Sendable, Hashable {
    /// The minute, as Unix seconds divided by 60, rounded down.
    public var minute: Int
    /// The task name.
    public var task: String
    /// The counts and histograms.
    public var counters: TaskCounters

    /// Makes a tally.
    public init(minute: Int, task: String, counters: TaskCounters) {
        self.minute = minute
        self.task = task
        self.counters = counters
    }

    /// The minute holding `time` (Unix seconds).
    public static func minute(of time: Double) -> Int { Int((time / 60).rounded(.down)) }
}
