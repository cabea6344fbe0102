import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    @Suite("Scheduled and periodic tasks")
    struct Scheduling {
        @Test("A call with delay: 2 runs between 2 and 4 seconds after it was enqueued", .timeLimit(.minutes(1)))
        func delayedCallRunsOnTime() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-s", "1"])
            _ = try #require(fixture.waitForWorkers(of: master, count: 1), "\(fixture.log)")

            let enqueuedAt = now()
            let result = try fixture.tasks.work.schedule(args: (7, 0), delay: 2)
            #expect(try fixture.huey.scheduledCount == 1)
            let ran = try result(blocking: true, timeout: 15)
            let lag = ran.start - enqueuedAt
            note("delay 2: started \(lag) s after enqueue (-s 1)")
            #expect(ran.value == 7)
            #expect(lag >= 1.9, "ran \(lag) s after enqueue; \(fixture.log)")
            #expect(lag <= 4, "ran \(lag) s after enqueue; \(fixture.log)")
            #expect(try fixture.huey.scheduledCount == 0)
        }

        /// `huey.clock` in the consumer runs 60 times faster than real time
        /// (`HUEY_TEST_TIME_SCALE=60`), so each real second is a simulated minute. The
        /// helper's periodic task `record` logs `E <minute>` when the master's schedule
        /// check says "due" (the master enqueues for that minute) and `R <minute>` when a
        /// worker runs it.
        @Test("crontab(minute: \"*\") runs once in every (simulated) minute: no duplicates, no gaps",
              .timeLimit(.minutes(1)))
        func periodicTaskRunsOncePerMinute() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let log = fixture.file("periodic.log")
            let master = try fixture.start(
                ["consume", "-w", "2", "-k", "process", "-s", "1"],
                environment: ["HUEY_TEST_TIME_SCALE": "60", "HUEY_TEST_PERIODIC_FILE": log])

            let wanted = 6
            func entries(_ kind: String) -> [(minute: Int, pid: Int32, time: Double)] {
                lines(of: log).compactMap { line in
                    let parts = line.split(separator: " ")
                    guard parts.count == 4, parts[0] == kind, let minute = Int(parts[1]), let pid = Int32(parts[2]),
                        let time = Double(parts[3])
                    else { return nil }
                    return (minute, pid, time)
                }
            }
            // ~6 simulated minutes are ~6 real seconds.
            let ranEnough = poll(timeout: 25) { entries("R").count >= wanted }
            // Runs first: every run's enqueue is already logged when the run is.
            let runs = entries("R")
            let enqueued = entries("E")
            try #require(ranEnough, "E: \(enqueued.map(\.minute)) R: \(runs.map(\.minute)); \(fixture.log)")

            try #require(enqueued.count >= wanted, "\(runs.count) runs but \(enqueued.count) enqueues; \(fixture.log)")

            let enqueuedMinutes = enqueued.map(\.minute)
            let span = enqueued[wanted - 1].time - enqueued[0].time
            note("periodic ×60: enqueued for minutes \(enqueuedMinutes), ran in \(runs.map(\.minute)); "
                 + "\(wanted) enqueues over \(span) real s")
            #expect(Set(enqueuedMinutes).count == enqueuedMinutes.count, "a minute enqueued twice: \(enqueuedMinutes)")
            #expect(enqueuedMinutes == Array(enqueuedMinutes[0]..<(enqueuedMinutes[0] + enqueuedMinutes.count)),
                    "minutes skipped or out of order: \(enqueuedMinutes)")
            #expect(enqueued.allSatisfy { $0.pid == master.pid }, "periodic tasks enqueued outside the master")
            // Once per simulated minute is about once per real second.
            #expect(span >= Double(wanted - 2) * 0.8 && span <= Double(wanted - 1) * 1.6, "span \(span) s")

            let runMinutes = runs.map(\.minute)
            #expect(runs.count <= enqueued.count, "more runs than enqueues: E \(enqueuedMinutes) R \(runMinutes)")
            #expect(Set(runMinutes).count == runMinutes.count, "ran twice in a minute: \(runMinutes)")
            #expect(runMinutes == Array(runMinutes[0]..<(runMinutes[0] + runMinutes.count)),
                    "a minute without a run: \(runMinutes)")
            #expect(runs.allSatisfy { $0.pid != master.pid }, "a periodic task ran in the master")
        }
    }
}
