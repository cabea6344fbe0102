import Foundation
import Huey
import HueyTestSupport
import Testing

extension RedisConsumerTests {
    /// The `--max-memory` test of `SystemdTests` on Redis, where workers claim in batches: a
    /// worker past the cap is retired between calls and the calls it had claimed but not
    /// started run in other workers, each once.
    @Test("--max-memory on Redis: a worker past the cap after a task is replaced between tasks; every call runs once",
          .timeLimit(.minutes(3)))
    func maxMemoryReplacesWorker() throws {
        let fixture = try RedisFixture()
        defer { fixture.stop() }
        let master = try fixture.start(["consume", "-w", "1", "-k", "process", "--max-memory", "128"])
        var first: Int32 = 0
        #expect(poll(timeout: 30) {
            first = ProcessTable.children(of: master.pid).first?.pid ?? 0
            return first != 0
        }, "\(fixture.log)")
        // Under the cap the worker stays.
        #expect(try fixture.tasks.work(1, 0).get(blocking: true, timeout: 60)?.pid == first)

        let calls = try (0..<3).map { _ in try fixture.tasks.hoard(200, 300) }
        let runs = try calls.map { try #require(try $0.get(blocking: true, timeout: 90), "\(fixture.log)") }
        note("--max-memory 128 on Redis: hoard runs in pids \(runs.map(\.pid)) with \(runs.map(\.value)) MB resident")
        #expect(runs[0].pid == first)
        #expect(Set(runs.map(\.pid)).count == 3, "a worker past the cap took another call: \(runs.map(\.pid))")
        #expect(runs.allSatisfy { $0.value >= 200 }, "\(runs.map(\.value))")
        #expect(runs[1].start >= runs[0].end && runs[2].start >= runs[1].end)
        #expect(poll(timeout: 30) {
            let now = ProcessTable.children(of: master.pid).map(\.pid)
            return now.count == 1 && !runs.map(\.pid).contains(now[0])
        }, "\(fixture.log)")
        #expect(master.standardError.contains("(--max-memory 128), retiring"), "\(master.standardError)")
        #expect(try fixture.huey.pendingCount == 0)
        #expect(try fixture.huey.storage.claims().isEmpty)
    }
}
