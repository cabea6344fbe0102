import Foundation
import Huey

/// Idle enqueue-to-start latency: sequential calls of a task that returns the time it
/// started; latency = start - the time just before the enqueue. Between calls the
/// driver waits 0-49 ms (the same sequence as Tools/bench/huey_side.py), so each call
/// finds the workers idle at a different point of their wait.
enum LatencyBench {
    struct Outcome {
        var p50: Double
        var p99: Double
        var mean: Double
        var max: Double
    }

    /// Runs `samples` calls; returns latencies in seconds.
    /// - Throws: ``BenchError`` when a call does not run within 10 s; storage errors.
    static func measure(_ queue: BenchQueue, samples: Int) throws -> Outcome {
        var latencies: [Double] = []
        latencies.reserveCapacity(samples)
        for index in 0..<samples {
            BenchClock.sleep(Double((index * 37) % 50) / 1000)
            let enqueuedAt = BenchClock.wall()
            let result = try queue.stamp()
            let deadline = BenchClock.monotonic() + 10
            // Poll with isReady, a peek until the result is there, so the driver never takes the
            // write lock while waiting.
            while try !result.isReady {
                if BenchClock.monotonic() > deadline { throw BenchError("call \(index) did not run within 10 s") }
                BenchClock.sleep(0.001)
            }
            guard let started = try result() else { throw BenchError("call \(index): result vanished") }
            latencies.append(started - enqueuedAt)
        }
        return summarize(latencies)
    }

    /// Nearest-rank percentiles.
    static func summarize(_ values: [Double]) -> Outcome {
        let sorted = values.sorted()
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        let mean = sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count)
        return Outcome(p50: rank(0.5), p99: rank(0.99), mean: mean, max: sorted.last ?? .nan)
    }
}
