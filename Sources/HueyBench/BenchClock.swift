import Foundation
import Huey

/// Clocks and sleeps for the measurements.
enum BenchClock {
    /// Seconds on the monotonic clock: for durations.
    static func monotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Unix seconds on the real-time clock: comparable across processes (latency).
    static func wall() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Seconds of CPU this process used (user + system, every thread).
    static func processCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Sleeps `seconds` (fractions allowed).
    static func sleep(_ seconds: Double) { System.sleep(seconds) }

    /// The 1-minute load average, as `/proc/loadavg` says.
    static func loadAverage() -> Double { ProcessTable.loadAverage() }
}
