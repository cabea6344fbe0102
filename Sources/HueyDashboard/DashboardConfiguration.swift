import Foundation

/// How a dashboard listens and what it may do.
public struct DashboardConfiguration: Sendable {
    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The port; 0 picks a free one (the URL printed at start names it).
    public var port: Int
    /// The token that enables actions (revoke, restore); nil: read-only.
    public var token: String?
    /// Seconds between queue-depth samples.
    public var sampleInterval: Double
    /// Seconds of depth history kept (and charted).
    public var window: Double
    /// Per-task statistics for the per-task charts; nil until the storage records them.
    public var statistics: (any TaskStatisticsSource)?
    /// The registry of live consumers for the consumers page; nil until the storage has one.
    public var consumers: (any ConsumerRegistrySource)?

    /// Makes a configuration; by default loopback, port 8080, read-only, a sample every
    /// 10 seconds kept for an hour.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, sampleInterval: Double = 10,
        window: Double = 3600, statistics: (any TaskStatisticsSource)? = nil,
        consumers: (any ConsumerRegistrySource)? = nil
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.sampleInterval = sampleInterval
        self.window = window
        self.statistics = statistics
        self.consumers = consumers
    }
}
