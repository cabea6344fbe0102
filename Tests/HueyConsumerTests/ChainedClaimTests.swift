import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// A busy worker claims its next call in the transaction that acks the last one; a
    /// worker that stops must never keep such a claim without running it.
    @Suite("Claims chained to acks")
    struct ChainedClaims {
        @Test("-M 4 on a deep queue: each worker retires without holding a call; all 40 succeed",
              .timeLimit(.minutes(1)))
        func retiringWorkerHoldsNoClaim() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-M", "4"])
            try #require(fixture.waitForWorkers(of: master, count: 1) != nil, "\(fixture.log)")

            let values = try fixture.tasks.work.map((0..<40).map { ($0, 1) }).get(blocking: true, timeout: 40)
            // A worker that retired holding a claimed call would have that call failed as
            // WorkerCrashed, and `get` would throw.
            #expect(values.map(\.value) == Array(0..<40))
            let pids = Set(values.map(\.pid))
            #expect(pids.count >= 10, "40 calls at -M 4 ran in \(pids.count) workers")
            #expect(try fixture.huey.storage.claims().isEmpty)
            #expect(try fixture.huey.pendingCount == 0)
            #expect(master.isRunning, "\(fixture.log)")
        }

        @Test("SIGINT while draining 300 calls: nothing stays claimed, nothing fails, every call ran or is queued",
              .timeLimit(.minutes(1)))
        func gracefulStopReleasesChainedClaim() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process"])
            try #require(fixture.waitForWorkers(of: master, count: 2) != nil, "\(fixture.log)")

            let group = try fixture.tasks.work.map((0..<300).map { ($0, 2) })
            try #require(poll(timeout: 20) { try fixture.huey.resultCount >= 20 }, "no progress; \(fixture.log)")
            master.send(SIGINT)
            #expect(exited(master.waitForExit(timeout: 20), code: 0), "\(fixture.log)")

            #expect(try fixture.huey.storage.claims().isEmpty)
            var ran = 0
            for result in group.results {
                // Throws for a failed call (a claim dropped as WorkerCrashed).
                if try result() != nil { ran += 1 }
            }
            let pending = try fixture.huey.pendingCount
            #expect(ran < 300, "the stop came after the queue had drained; nothing was tested")
            #expect(ran + pending == 300, "ran \(ran), queued \(pending); \(fixture.log)")
        }
    }
}
