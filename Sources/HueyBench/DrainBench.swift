import Foundation
import Huey

/// Drain rate: a queue pre-filled with `count` no-op calls, a real consumer started on
/// it; the clock runs from its first claim (the queue shrinks) until the queue is empty
/// and every result is stored. The time from launch (start-up included) is kept too.
enum DrainBench {
    struct Outcome {
        /// Calls per second from the first claim to the last stored result.
        var perSecond: Double
        /// Seconds from the consumer's launch to the last stored result.
        var wallSeconds: Double
        /// Seconds from the launch to the first claim.
        var startupSeconds: Double
    }

    /// Watches the queue drain; `child` must have been launched on the pre-filled queue.
    /// - Throws: ``BenchError`` when the consumer dies or stalls; storage errors.
    static func measure(_ queue: BenchQueue, child: ConsumerChild, count: Int) throws -> Outcome {
        let huey = queue.huey
        let deadline = BenchClock.monotonic() + max(120, Double(count) / 100)
        var firstClaim = 0.0
        while true {
            let now = BenchClock.monotonic()
            if try huey.pendingCount < count {
                firstClaim = now
                break
            }
            try check(child, deadline: deadline, what: "the first claim")
            BenchClock.sleep(0.0005)
        }
        // Poll gently: a count costs a query (or a directory listing), taken from the
        // same two cores the consumer runs on.
        while true {
            let before = BenchClock.monotonic()
            if try huey.pendingCount == 0, try huey.resultCount >= count { break }
            let cost = BenchClock.monotonic() - before
            try check(child, deadline: deadline, what: "the queue to drain")
            BenchClock.sleep(max(0.005, cost * 4))
        }
        let end = BenchClock.monotonic()
        return Outcome(
            perSecond: Double(count) / (end - firstClaim), wallSeconds: end - child.launchedAt,
            startupSeconds: firstClaim - child.launchedAt)
    }

    private static func check(_ child: ConsumerChild, deadline: Double, what: String) throws {
        if let exit = child.child.waitForExit(timeout: 0) {
            throw BenchError("the consumer exited (\(exit)) waiting for \(what); see \(child.logPath)")
        }
        if BenchClock.monotonic() > deadline { throw BenchError("timed out waiting for \(what); see \(child.logPath)") }
    }
}
