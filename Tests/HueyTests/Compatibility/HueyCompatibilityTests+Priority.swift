import Foundation
import Huey
import Testing

extension HueyCompatibilityTests {
    /// Huey's `tests/test_priority.py`: `task_0` without a priority, `task_1` and `task_2`
    /// with priorities 1 and 2, each returning its argument.
    @Suite("test_priority.py")
    struct Priority {
        let h = APIHarness()
        let state = Recorded<Int>()
        let task0: TaskWrapper<Int, Int>
        let task1: TaskWrapper<Int, Int>
        let task2: TaskWrapper<Int, Int>

        init() {
            let state = self.state
            let body: @Sendable (Int) -> Int = { n in
                state.append(n)
                return n
            }
            task1 = h.huey.task("task_1", priority: 1, body)
            task2 = h.huey.task("task_2", priority: 2, body)
            task0 = h.huey.task("task_0", body)
        }

        @Test("test_priority_simple — higher priorities first, FIFO within one")
        func prioritySimple() throws {
            for (task, n) in [(task0, 0), (task1, 10), (task2, 100), (task0, 2), (task1, 12), (task2, 120)] {
                try task(n)
            }
            #expect(try h.pending == 6)
            let expected: [Int] = [100, 120, 10, 12, 0, 2]
            for value in expected { #expect(try h.executeNext() == .int(value)) }
            #expect(try h.pending == 0)
            #expect(state.all == expected)
        }

        @Test("test_priority_override — priority: on a call replaces the task's")
        func priorityOverride() throws {
            try task0(0)
            try task1(10)
            try task2(100)
            try task0(1, priority: 2)
            try task1(11, priority: 0)
            try task2(110, priority: 1)
            try task0(2, priority: 1)
            try task1(12, priority: 2)
            try task2(120, priority: 0)
            var expected: [Int] = [100, 1, 12, 10, 110, 2, 0, 11, 120]
            for value in expected { #expect(try h.executeNext() == .int(value)) }
            #expect(try h.pending == 0)
            #expect(state.all == expected)

            try task0(3)
            try task1(13)
            try task2(130)
            try task0(9, priority: 9)
            expected += [9, 130, 13, 3]
            for value in expected.suffix(4) { #expect(try h.executeNext() == .int(value)) }
            #expect(try h.pending == 0)
            #expect(state.all == expected)
        }

        @Test("test_schedule_priority — priorities are kept in the schedule and when read from it")
        func schedulePriority() throws {
            let eta = h.clock.date.addingTimeInterval(60)
            let r00 = try task0.schedule(args: 0, eta: eta)
            let r10 = try task1.schedule(args: 10, eta: eta)
            let r20 = try task2.schedule(args: 100, eta: eta)
            let r01 = try task0.schedule(args: 1, eta: eta, priority: 2)
            let r11 = try task1.schedule(args: 11, eta: eta, priority: 0)
            let r21 = try task2.schedule(args: 110, eta: eta, priority: 1)
            let expected: [String: Double?] = [
                r00.id: nil, r10.id: 1, r20.id: 2, r01.id: 2, r11.id: 0, r21.id: 1,
            ]
            // Straight to the schedule here; Huey queues them and a worker schedules them.
            #expect(try h.pending == 0)
            let scheduled = try h.huey.scheduled()
            #expect(Dictionary(uniqueKeysWithValues: scheduled.map { ($0.id, $0.priority) }) == expected)
            h.clock.advance(60)
            #expect(try h.promoteDue() == 6)
            let queued = try h.huey.pending()
            #expect(Dictionary(uniqueKeysWithValues: queued.map { ($0.id, $0.priority) }) == expected)
        }

        @Test("test_periodic_priority — a periodic task's priority is kept when it is enqueued")
        func periodicPriority() throws {
            h.huey.periodicTask("ptask", try crontab(), priority: 3) {}
            try task0(0)
            try task1(10)
            try task2(100)
            #expect(try h.huey.enqueuePeriodicTasks(at: h.clock.date) == ["ptask"])
            #expect(try h.pending == 4)
            let first = try h.message(h.dequeue())
            #expect(first.name == "ptask")
            #expect(first.priority == 3)
        }

        @Test("test_priority_retry — a retried call keeps its priority")
        func priorityRetry() throws {
            struct UhOh: Error {}
            let task3 = h.huey.task("task_3", retries: 1, priority: 3) { (_: Int) throws -> Int in throw UhOh() }
            try task0(0)
            try task1(10)
            let r2 = try task2(100)
            let r3 = try task3(3)
            #expect(try h.pending == 4)
            let claim = try h.dequeue()
            let message = try h.message(claim)
            #expect(message.id == r3.id && message.priority == 3 && message.retries == 1)
            #expect(try h.execute(claim) == nil)
            // The failed attempt's error is readable while the retry waits.
            #expect(throws: TaskException.self) { try r3() }
            #expect(try h.pending == 4)
            let retry = try h.dequeue()
            let retried = try h.message(retry)
            #expect(retried.id == r3.id && retried.priority == 3 && retried.retries == 0)
            #expect(try h.execute(retry) == nil)
            #expect(try h.pending == 3)
            #expect(try h.message(h.dequeue()).id == r2.id)
        }
    }
}
