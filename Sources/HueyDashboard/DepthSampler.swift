import Foundation
import Synchronization

/// One reading of the queue's depth, taken by the dashboard process itself.
public struct DepthSample: Codable, Sendable, Equatable {
    /// When (Unix seconds).
    public var time: Double
    /// Calls waiting in the queue.
    public var pending: Int
    /// Calls waiting for their eta.
    public var scheduled: Int
    /// Calls being run.
    public var inFlight: Int

    /// Makes a value.
    public init(time: Double, pending: Int, scheduled: Int, inFlight: Int) {
        self.time = time
        self.pending = pending
        self.scheduled = scheduled
        self.inFlight = inFlight
    }
}

/// The queue depth over the last hour (or `window`), sampled by the dashboard every
/// `interval` seconds and kept in memory only: a restarted dashboard starts an empty chart.
///
/// The per-task history comes from the storage's statistics (``Huey/statistics(window:)``);
/// the depth is not in them, so the dashboard samples it.
public final class DepthSampler: Sendable {
    /// Seconds between samples.
    public let interval: Double
    /// Seconds of history kept.
    public let window: Double
    private let samples = Mutex<[DepthSample]>([])

    /// Keeps `window` seconds of samples taken every `interval` seconds.
    public init(interval: Double = 10, window: Double = 3600) {
        self.interval = interval
        self.window = window
    }

    /// Adds `sample` and forgets those older than the window.
    public func record(_ sample: DepthSample) {
        samples.withLock { samples in
            samples.append(sample)
            let oldest = sample.time - window
            if let keep = samples.firstIndex(where: { $0.time >= oldest }), keep > 0 { samples.removeFirst(keep) }
        }
    }

    /// The samples kept, oldest first.
    public var history: [DepthSample] { samples.withLock { $0 } }

    /// Samples the queue through `reader` every ``interval`` seconds until the task is
    /// cancelled. A failed read is logged by skipping the sample (the chart shows a gap).
    func run(reader: DashboardReader, calls: BlockingCalls) async {
        while !Task.isCancelled {
            if let summary = try? await calls.run({ try reader.summary() }) {
                record(
                    DepthSample(
                        time: summary.time, pending: summary.pending, scheduled: summary.scheduled,
                        inFlight: summary.inFlight))
            }
            try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
        }
    }
}
