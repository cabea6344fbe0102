import Foundation

/// Per-task throughput and latency over time, for the per-task charts.
///
/// Huey's storages keep no per-task statistics yet; when they do, an adapter over them
/// conforms to this protocol and is passed as ``DashboardConfiguration/statistics``. Until
/// then the overview page says that there are none and charts only the queue depth the
/// dashboard samples itself (``DepthSampler``).
public protocol TaskStatisticsSource: Sendable {
    /// One series per task over the `window` seconds before `now`.
    /// - Throws: what reading the statistics throws; the page shows the error.
    func taskSeries(window: Double, now: Date) throws -> [TaskSeries]
}

/// One task's figures over time.
public struct TaskSeries: Sendable, Equatable {
    /// The task's name.
    public var name: String
    /// Calls finished per minute.
    public var throughput: [ChartPoint]
    /// Run time in seconds (e.g. the 95th percentile of each minute).
    public var latency: [ChartPoint]

    /// Makes a series.
    public init(name: String, throughput: [ChartPoint], latency: [ChartPoint]) {
        self.name = name
        self.throughput = throughput
        self.latency = latency
    }
}

/// The consumers that serve the queue, for the consumers page.
///
/// The storages have no registry of live consumers yet; when they do, an adapter conforms
/// to this protocol and is passed as ``DashboardConfiguration/consumers``.
public protocol ConsumerRegistrySource: Sendable {
    /// The live consumer masters.
    /// - Throws: what reading the registry throws; the page shows the error.
    func consumers() throws -> [ConsumerSummary]
}

/// One consumer master.
public struct ConsumerSummary: Codable, Sendable, Equatable {
    /// Its machine.
    public var host: String
    /// The master's pid.
    public var pid: Int32
    /// How many workers it runs.
    public var workers: Int
    /// When it started (Unix seconds).
    public var started: Double
    /// Its last heartbeat (Unix seconds).
    public var heartbeat: Double

    /// Makes a summary.
    public init(host: String, pid: Int32, workers: Int, started: Double, heartbeat: Double) {
        self.host = host
        self.pid = pid
        self.workers = workers
        self.started = started
        self.heartbeat = heartbeat
    }
}
