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
        try mapRates(queue, count: count, offset: offset).wall
    }

    /// Enqueues `count` calls with one `map`; returns calls per second of wall-clock time,
    /// and per second of this process's CPU time (user + system): what one free core would
    /// reach, whatever else the machine runs.
    /// - Throws: what `map` throws.
    static func mapRates(_ queue: BenchQueue, count: Int, offset: Int = 0) throws -> (wall: Double, cpu: Double) {
        let arguments = Array(offset..<(offset + count))
        let cpuStart = BenchClock.processCPU()
        let start = BenchClock.monotonic()
        _ = try queue.noop.map(arguments)
        let wall = BenchClock.monotonic() - start
        return (Double(count) / wall, Double(count) / (BenchClock.processCPU() - cpuStart))
    }
}
