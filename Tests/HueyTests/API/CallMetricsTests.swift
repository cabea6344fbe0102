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

    @Test("the queue depth meter, named as swift-jobs', counted at most once a second by the Huey's clock")
    func queueDepth() throws {
        let huey = MemoryHuey(name: "depth")
        let clock = TestClock()
        clock.install(on: huey)
        let metrics = TestMetrics()
        huey.metricsFactory = metrics
        let noop = huey.task("noop") { () in }
        for _ in 0..<5 { try noop() }
        let dimensions = [("status", "queued"), ("queue", "depth")]
        var runner = TaskRunner(huey: huey)
        #expect(try runner.runNext())
        let meter = try metrics.expectMeter("swift.jobs.meter", dimensions)
        #expect(meter.values == [4])  // counted after the first call
        #expect(try runner.runNext())
        #expect(meter.values == [4])  // not again within the second
        clock.advance(1)
        #expect(try runner.runNext())
        #expect(meter.values == [4, 2])
        #expect(try runner.runNext())
        #expect(try runner.runNext())
        clock.advance(1)
        #expect(try !runner.runNext())  // empty: the count is 0
        #expect(meter.values == [4, 2, 0])
        clock.advance(-30)  // a clock set back counts again at once
        #expect(try !runner.runNext())
        #expect(meter.values == [4, 2, 0, 0])
        #expect(metrics.meters.count == 1)
    }
}
