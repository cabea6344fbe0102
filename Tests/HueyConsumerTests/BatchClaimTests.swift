import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// A worker on a deep queue claims calls in batches; a worker SIGKILLed while it holds
    /// one loses none: the call it was running fails as crashed (and is retried), the others
    /// go back to the queue and run.
    @Suite("Batched claims")
    struct BatchClaims {
        @Test("a worker SIGKILLed mid-batch: every call of the batch is recovered and runs, none fails or is lost",
              .timeLimit(.minutes(2)))
        func killedMidBatch() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let tally = fixture.file("tally")
            // 600 tally calls with a killer every 100, enqueued before the consumer starts:
            // the worker's batches have grown by the time it reaches the first killer.
            var tallies: [TaskResult<Int>] = []
            var killers: [(result: TaskResult<Int>, marker: String)] = []
            for n in 0..<600 {
                tallies.append(try fixture.tasks.tally(n))
                if n % 100 == 99 {
                    let marker = fixture.file("killer-\(n)")
                    killers.append((try fixture.tasks.killInBatch(marker), marker))
                }
            }
            let master = try fixture.start(["consume", "-w", "1", "-k", "process"], environment: ["HUEY_TEST_TALLY": tally])

            // Each tally call has its value: a batch call failed as WorkerCrashed would throw here.
            for (n, result) in tallies.enumerated() {
                #expect(try result.get(blocking: true, timeout: 60) == n, "\(fixture.log)")
            }
            var kills = 0
            for killer in killers {
                let runs = try killer.result.get(blocking: true, timeout: 30)
                let marker = lines(of: killer.marker)
                if marker.first == "skip" {
                    #expect(runs == 0 && marker == ["skip"])
                    continue
                }
                kills += 1
                // Killed holding a batch, retried once: "kill <held>", then "rerun".
                let held = Int(marker.first?.split(separator: " ").last ?? "") ?? 0
                #expect(marker.count == 2 && marker.last == "rerun" && held >= 2, "\(marker)")
                #expect(runs == 1)
            }
            #expect(kills >= 1, "no killer ran inside a batch: \(killers.map { lines(of: $0.marker) })")
            // At least once: every tally ran (some twice: finished in a batch, not yet acked).
            let ran = Set(lines(of: tally).compactMap { Int($0.split(separator: " ").first ?? "") })
            #expect(ran == Set(0..<600))
            #expect(try poll(timeout: 10) { try fixture.huey.storage.claims().isEmpty })
            #expect(try fixture.huey.pendingCount == 0)
            #expect(master.isRunning, "\(fixture.log)")
        }
    }
}
