import Foundation
import Huey
import MetricsTestKit
import Synchronization
import Testing

/// The swift-metrics a worker sends after each commit, captured by a test factory.
@Suite("swift-metrics")
struct CallMetricsTests {
    @Test("counters by status and timers of run and wait time, named as swift-jobs")
    func countersAndTimers() throws {
        let huey = MemoryHuey(name: "metrics")
        let clock = TestClock()
        clock.install(on: huey)
        let metrics = TestMetrics()
        huey.metricsFactory = metrics
        struct Flaky: Error {}
        let attempts = Mutex(0)
        let flaky = huey.task("flaky", retries: 1) { () throws -> Int in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw Flaky() }
            return attempt
        }
        let nap = huey.task("nap") { (seconds: Double) in usleep(UInt32(seconds * 1_000_000)) }
        try flaky()
        try nap(0.6)
        clock.advance(4)
        while try huey.processNext(owner: .current, in: huey.storage) {}

        func count(_ name: String, _ status: String) -> Int64 {
            metrics.counterTotal(label: "swift.jobs", dimensions: [("name", name), ("status", status), ("queue", "metrics")])
        }
        #expect(count("flaky", "retried") == 1)
        #expect(count("flaky", "succeeded") == 1)
        #expect(count("flaky", "failed") == 0)
        #expect(count("nap", "succeeded") == 1)
        let run = try metrics.expectTimer("swift.jobs.duration", [("name", "nap"), ("status", "succeeded"), ("queue", "metrics")])
        let ran = try #require(run.lastValue)
        #expect(ran >= 600_000_000, "\(ran) ns")  // at least the 0.6 s it slept
        let waited = try metrics.expectTimer("swift.jobs.queued.duration", [("name", "nap"), ("queue", "metrics")])
        #expect(waited.lastValue == 4_000_000_000)  // the test clock moved 4 s between enqueue and start
    }
}
