import Foundation
import Huey

/// The guide's `demo.py` tasks, registered on the demo's Huey.
///
/// Every process of the demo (the tour, the consumer it starts, `huey-demo add`) registers
/// the same tasks, so any of them can enqueue a call that a worker process runs.
struct DemoTasks: Sendable {
    let add: TaskWrapper<Int, Int, Int>
    let slowAdd: TaskWrapper<Int, Int, Double, Int>
    let whereAmI: TaskWrapper<Int32>
    let flaky: TaskWrapper<String>
    let stamp: TaskWrapper<Int, Double, StampedRun>
    let report: TaskWrapper<String, String>
    let fib: TaskWrapper<Int, Int, Spread<Int, Int>>
    let total: TaskWrapper<[Int], Int>

    init(huey: Huey) {
        // The guide's first task.
        add = huey.task("demo.add") { (a: Int, b: Int) in a + b }

        // A slow add, to keep a worker busy.
        slowAdd = huey.task("demo.slow_add") { (a: Int, b: Int, seconds: Double) in
            usleep(UInt32(seconds * 1_000_000))
            return a + b
        }

        // Which worker process ran me?
        whereAmI = huey.task("demo.where_am_i") { () in getpid() }

        // Fails twice, then succeeds: `retries: 2, retryDelay: 1`.
        flaky = huey.task("demo.flaky", retries: 2, retryDelay: 1, context: true) { (task: TaskContext) throws -> String in
            let attempt = 3 - task.retries
            guard task.retries == 0 else { throw DemoFailure(attempt: attempt) }
            return "succeeded on attempt \(attempt)"
        }

        // Records when it started (for the priority section).
        stamp = huey.task("demo.stamp") { (priority: Int, seconds: Double) in
            let started = Date().timeIntervalSince1970
            usleep(UInt32(seconds * 1_000_000))
            return StampedRun(priority: priority, started: started)
        }

        // Holds the "reports" lock while it runs.
        report = huey.task("demo.report", lock: "reports") { (name: String) in "report \(name) done" }

        // Fibonacci step for the Spread pipeline.
        fib = huey.task("demo.fib") { (a: Int, b: Int) in Spread(a + b, a) }

        // A chord callback.
        total = huey.task("demo.total") { (values: [Int]) in values.reduce(0, +) }

        // The guide's periodic task.
        huey.periodicTask("demo.every_three_minutes", try! crontab(minute: "*/3")) {
            print("This task runs every three minutes")
        }

        // Workers count the signals they see, so the tour can show them.
        huey.signal { signal, _, _ in
            _ = try? huey.storage.increment(key: "demo.signal.\(signal.rawValue)", by: 1)
        }
    }
}

/// When a priority-section call started.
struct StampedRun: Codable, Sendable {
    var priority: Int
    var started: Double
}

/// The error `demo.flaky` throws on its first attempts.
struct DemoFailure: Error, CustomStringConvertible {
    var attempt: Int
    var description: String { "attempt \(attempt) failed (on purpose)" }
}
