import Foundation
import Huey
import HueyTestSupport
import Testing

/// Periodic slots raced by real processes (the test helper, launched) on one storage.
@Suite("Periodic slots shared by processes", .serialized)
struct FleetProcessTests {
    @Test(
        "4 schedulers, clocks up to a minute apart, 40 minutes: each minute enqueued exactly once",
        .timeLimit(.minutes(3)),
        arguments: [StorageBackend.sqlite, .file] + StorageBackend.testable.filter { $0 == .priorityRedis })
    func slotRace(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let path = backend.helperPath(in: place)
        let storage = try backend.make(name: "test", in: place)
        let minutes = 40
        let first = Int(Date().timeIntervalSince1970 / 60) * 60
        let skews = [0, 59, -45, 30]  // seconds each helper's clock is off
        var helpers: [HelperProcess] = []
        for (index, skew) in skews.enumerated() {
            helpers.append(
                try HelperProcess(
                    ["fleet-slots", backend.rawValue, path, "\(first)", "\(minutes)", "\(skew)", place.path, "\(index)"],
                    outputDirectory: place.path))
        }
        // Minutes pass for all together; within each, the four race for the slot.
        var won: [Int: Int] = [:]
        for minute in 0..<minutes {
            FileManager.default.createFile(atPath: place.file("tick-\(minute)"), contents: nil)
            let done = (0..<skews.count).map { place.file("done-\($0)-\(minute)") }
            let finished = waitUntil(timeout: 60) { done.allSatisfy { FileManager.default.fileExists(atPath: $0) } }
            try #require(finished, "minute \(minute) not done: \(helpers.map(\.standardError))")
            for file in done where (try? String(contentsOfFile: file, encoding: .utf8)) == "1" {
                won[first + 60 * minute, default: 0] += 1
            }
        }
        for (index, helper) in helpers.enumerated() {
            let exit = helper.waitForExit(timeout: 60)
            #expect(exit?.reason == .exited && exit?.status == 0, "helper \(index): \(String(describing: exit)) \(helper.standardError)")
        }
        #expect(Set(won.keys) == Set((0..<minutes).map { first + 60 * $0 }))
        #expect(won.values.allSatisfy { $0 == 1 }, "minutes won more than once: \(won.filter { $0.value > 1 })")
        #expect(try storage.queueSize() == minutes)
    }
}
