import Foundation

/// How a dashboard listens and what it may do.
public struct DashboardConfiguration: Sendable {
    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The port; 0 picks a free one (the URL printed at start names it).
    public var port: Int
    /// The token that enables actions (revoke, restore, pause, resume, dead letters);
    /// nil: read-only.
    public var token: String?
    /// Seconds between queue-depth samples.
    public var sampleInterval: Double
    /// Seconds of history shown: the depth chart, the statistics (``Huey/statistics(window:)``)
    /// and the per-task charts.
    public var window: Double

    /// Makes a configuration; by default loopback, port 8080, read-only, a sample every
    /// 10 seconds, an hour of history.
    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, sampleInterval: Double = 10, window: Double = 3600) {
        self.host = host
        self.port = port
        self.token = token
        self.sampleInterval = sampleInterval
        self.window = window
    }
}
