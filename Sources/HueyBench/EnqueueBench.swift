import Foundation
import Huey

/// Enqueue rates: one call (one transaction) at a time, and `map` (one transaction).
enum EnqueueBench {
    /// Enqueues `count` calls one by one; returns calls per second.
    /// - Throws: what enqueue throws.
    static func single(_ queue: BenchQueue, count: Int, offset: Int = 0) throws -> Double {
        let start = BenchClock.monotonic()
        for value in offset..<(offset + count) { try queue.noop(value) }
        return Double(count) / (BenchClock.monotonic() - start)
    }

    /// Enqueues `count` calls with one `map`; returns calls per second.
    /// - Throws: what `map` throws.
    static func map(_ queue: BenchQueue, count: Int, offset: Int = 0) throws -> Double {
        let arguments = Array(offset..<(offset + count))
        let start = BenchClock.monotonic()
        _ = try queue.noop.map(arguments)
        return Double(count) / (BenchClock.monotonic() - start)
    }
}
