import Foundation
import Huey
import Testing

/// Every storage keeps the statistics an ack writes, adds them up per (minute, task),
/// drops them with an ack whose claim is gone, and prunes old minutes.
@Suite("Statistics in storage")
struct StatisticsStorageTests {
    private let owner = ClaimOwner(pid: 4242, startTime: 7)

    private func tally(minute: Int, task: String, _ outcomes: [TaskOutcome], run: Double? = nil) -> StatsTally {
        var counters = TaskCounters()
        for outcome in outcomes { counters.count(outcome) }
        if let run { counters.recordRunTime(run) }
        return StatsTally(minute: minute, task: task, counters: counters)
    }

    /// The backends that keep statistics: PostgreSQL does not yet (Storage's defaults ignore
    /// tallies), so it is left out here until it does.
    private static let keepingStatistics = StorageBackend.testable.filter { $0 != .postgres }

    @Test("tallies written with acks add up per minute and task; prune drops older minutes",
          arguments: keepingStatistics)
    func talliesAddUp(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        for _ in 0..<3 { try storage.enqueue(Array("m".utf8), priority: 0) }
        let writes: [[StorageWrite]] = [
            [.put(key: "r1", value: [1]), .tally(tally(minute: 100, task: "a b\tc", [.completed], run: 0.2))],
            [.tally(tally(minute: 100, task: "a b\tc", [.failed, .retried], run: 3))],
            [.tally(tally(minute: 101, task: "other", [.crashed]))],
        ]
        for batch in writes {
            let claim = try #require(try storage.claim(owner: owner, now: 1))
            #expect(try storage.ack(claim, writes: batch))
        }
        var expected = tally(minute: 100, task: "a b\tc", [.completed, .failed, .retried], run: 0.2)
        expected.counters.recordRunTime(3)
        #expect(try storage.statistics(since: 0) == [expected, tally(minute: 101, task: "other", [.crashed])])
        #expect(try storage.statistics(since: 101) == [tally(minute: 101, task: "other", [.crashed])])
        #expect(try storage.peekData(key: "r1") == [1])

        // An ack whose claim is gone writes no statistics either.
        try storage.enqueue(Array("m".utf8), priority: 0)
        let claim = try #require(try storage.claim(owner: owner, now: 1))
        #expect(try storage.ack(claim, writes: []))
        #expect(try !storage.ack(claim, writes: [.tally(tally(minute: 101, task: "other", [.completed]))]))
        #expect(try storage.statistics(since: 101) == [tally(minute: 101, task: "other", [.crashed])])

        try storage.pruneStatistics(before: 101)
        #expect(try storage.statistics(since: 0) == [tally(minute: 101, task: "other", [.crashed])])
        try storage.flushAll()
        #expect(try storage.statistics(since: 0).isEmpty)
    }
}
