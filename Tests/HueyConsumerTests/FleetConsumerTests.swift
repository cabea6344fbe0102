import Foundation
import Huey
import HueyTestSupport
import Testing

/// The fleet features wired into real consumer masters: several masters on one storage.
extension FleetCommandTests {
    /// `HUEY_TEST_TIME_SCALE=60` with one shared `HUEY_TEST_CLOCK_ORIGIN`: every master's
    /// clock says the same simulated minute, one per real second. The helper's periodic
    /// task `record` logs `E <minute> <master pid>` when a master's schedule check says
    /// "due" (before the fleet slot is claimed) and `R <minute> <worker pid>` when it runs.
    @Test("Three masters with periodic tasks on one storage: each (simulated) minute runs exactly once",
          .timeLimit(.minutes(2)), arguments: Backend.testable)
    func periodicOncePerFleet(backend: Backend) throws {
        let world = try World(backend)
        defer { world.stop() }
        let log = "\(world.directory)/periodic.log"
        let environment = [
            "HUEY_TEST_TIME_SCALE": "60", "HUEY_TEST_PERIODIC_FILE": log,
            "HUEY_TEST_CLOCK_ORIGIN": String(Date().timeIntervalSince1970),
        ]
        let masters = try (0..<3).map { _ in
            try world.start(["consume", "-w", "1", "-k", "process", "-s", "1"], environment: environment)
        }
        func entries(_ kind: String) -> [(minute: Int, pid: Int32)] {
            lines(of: log).compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 4, parts[0] == kind, let minute = Int(parts[1]), let pid = Int32(parts[2])
                else { return nil }
                return (minute, pid)
            }
        }
        // Wait until all three masters have seen the same minute as due, then a few more.
        let pids = Set(masters.map(\.pid))
        var firstShared: Int?
        let shared = poll(timeout: 60) {
            let due = Dictionary(grouping: entries("E"), by: \.minute).filter { Set($0.value.map(\.pid)) == pids }
            firstShared = due.keys.min()
            guard let first = firstShared else { return false }
            return entries("R").filter { $0.minute >= first }.count >= 5
        }
        let due = entries("E")
        try #require(shared, "E: \(due) R: \(entries("R").map(\.minute)); \(masters.map(\.standardError))")
        let first = try #require(firstShared)
        // The minutes from the first one all masters saw due up to the last one they all saw
        // (exclusive: it may still be queued) must each have run, once.
        let lastShared = try #require(
            Dictionary(grouping: due, by: \.minute).filter { Set($0.value.map(\.pid)) == pids }.keys.max())
        let wanted = Set(first..<lastShared)
        let complete = poll(timeout: 30) { wanted.isSubset(of: Set(entries("R").map(\.minute))) }
        let runs = entries("R")
        let window = runs.map(\.minute).filter { wanted.contains($0) }
        #expect(complete, "minutes \(first)..<\(lastShared) not all run: \(runs.map(\.minute))")
        note("\(backend): 3 masters; minutes due in all from \(first) to \(lastShared); runs \(runs.map(\.minute))")
        #expect(Set(window).count == window.count, "a minute ran twice: \(window)")
        #expect(wanted.count >= 3, "too few minutes to judge: \(first)..<\(lastShared)")
        #expect(Set(runs.map(\.minute)).count == runs.count, "a minute ran twice: \(runs.map(\.minute))")
    }
}

extension FleetCommandTests {
    /// The `consumers --json` rows: master pid → worker pids.
    private func listed(_ world: World) throws -> [Int32: [Int32]] {
        let result = try world.admin(["consumers", "--json"])
        guard result.status == 0,
            let rows = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]]
        else { throw FleetTestFailure("consumers --json failed: \(result.err)") }
        var masters: [Int32: [Int32]] = [:]
        for row in rows {
            guard let pid = row["pid"] as? Int else { continue }
            let workers = (row["workers"] as? [[String: Any]] ?? []).compactMap { $0["pid"] as? Int }
            masters[Int32(pid)] = workers.map(Int32.init).sorted()
        }
        return masters
    }

    /// Master A refreshes its record every 20 s (`-c 20`, so it lives 60 s); master B every
    /// second. A SIGKILLed A must be pruned by B long before A's record would expire.
    @Test("Registry: a master is listed with its worker pids, pruned by another master when SIGKILLed, gone after SIGINT",
          .timeLimit(.minutes(3)), arguments: Backend.testable)
    func registryOfLiveConsumers(backend: Backend) throws {
        let world = try World(backend)
        defer { world.stop() }
        let first = try world.start(["consume", "-w", "2", "-k", "process", "-c", "20"])
        var workers: [Int32] = []
        let shown = try poll(timeout: 30) {
            workers = ProcessTable.children(of: first.pid).map(\.pid).sorted()
            return try workers.count == 2 && listed(world)[first.pid] == workers
        }
        let afterStart = try listed(world)
        try #require(shown, "listed \(afterStart), workers \(workers); \(first.standardError)")

        let second = try world.start(["consume", "-w", "1", "-k", "process", "-c", "1"])
        try #require(try poll(timeout: 30) { try listed(world).keys.sorted() == [first.pid, second.pid].sorted() })
        first.send(SIGKILL)
        let killedAt = Date().timeIntervalSince1970
        #expect(first.waitForExit(timeout: 30) != nil)
        let pruned = try poll(timeout: 40) { try listed(world)[first.pid] == nil }
        note("\(backend): killed master pruned after \(Date().timeIntervalSince1970 - killedAt) s (its record lives 60 s)")
        let afterKill = try listed(world)
        #expect(pruned, "\(afterKill); \(second.standardError)")
        #expect(second.standardError.contains("removed the record of consumer \(first.pid)"), "\(second.standardError)")
        #expect(try listed(world).keys.sorted() == [second.pid])

        second.send(SIGINT)
        #expect(exited(second.waitForExit(timeout: 60), code: 0), "\(second.standardError)")
        #expect(try listed(world).isEmpty)
    }
}

/// A fleet process test's step failed; the text says how.
struct FleetTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
