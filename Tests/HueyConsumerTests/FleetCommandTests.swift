import Foundation
import Huey
import HueyTestSupport
import Testing

/// The fleet admin subcommands (`pause`, `resume`, `consumers`, `dead requeue|discard`) run
/// as the real executable against real consumers, on SQLite and on Redis.
@Suite("Fleet admin commands", .serialized)
struct FleetCommandTests {
    enum Backend: String, CustomStringConvertible {
        case sqlite, redis
        var description: String { rawValue }
        static var testable: [Backend] { RedisTestTarget.canProvide ? [.sqlite, .redis] : [.sqlite] }
    }

    /// A queue, the test's Huey on it, and how to start consumers and admin commands on it.
    struct World {
        let huey: Huey
        let tasks: ConsumerTestTasks
        let directory: String
        let storageArguments: [String]
        let launch: ([String], [String: String]) throws -> HelperProcess
        let stop: () -> Void

        init(_ backend: Backend) throws {
            switch backend {
            case .sqlite:
                let fixture = try ConsumerFixture()
                (huey, tasks, directory) = (fixture.huey, fixture.tasks, fixture.directory)
                storageArguments = [fixture.database]
                launch = { try fixture.start($0, environment: $1) }
                stop = { fixture.stop() }
            case .redis:
                let fixture = try RedisConsumerTests.RedisFixture()
                (huey, tasks, directory) = (fixture.huey, fixture.tasks, fixture.directory)
                storageArguments = ["--redis", fixture.url, fixture.name]
                launch = { try fixture.start($0, environment: $1) }
                stop = { fixture.stop() }
            }
        }

        /// Starts `HueyTestHelper consumer <storage> <arguments...>` with `environment` added.
        /// - Throws: when the helper cannot be launched.
        @discardableResult
        func start(_ arguments: [String], environment: [String: String] = [:]) throws -> HelperProcess {
            try launch(arguments, environment)
        }

        /// Runs an admin subcommand to its end: exit status, standard output and error.
        func admin(_ arguments: [String]) throws -> (status: Int32?, out: String, err: String) {
            let process = try HelperProcess(["consumer"] + storageArguments + arguments, outputDirectory: directory)
            let exit = process.waitForExit(timeout: 60)
            return (exit?.reason == .exited ? exit?.status : nil, process.standardOutput, process.standardError)
        }
    }

    @Test("pause: a running consumer takes nothing while enqueueing goes on; resume: the call runs", .timeLimit(.minutes(2)),
          arguments: Backend.testable)
    func pauseAndResume(backend: Backend) throws {
        let world = try World(backend)
        defer { world.stop() }
        let master = try world.start(["consume", "-w", "2", "-k", "process"])
        #expect(try world.tasks.add(1, 2).get(blocking: true, timeout: 30) == 3, "\(master.standardError)")

        let paused = try world.admin(["pause"])
        #expect(paused.status == 0, "\(paused.err)")
        #expect(paused.out.contains("Paused queue"))
        #expect(try world.huey.isPaused)
        let call = try world.tasks.add(2, 3)
        #expect(try !poll(timeout: 3) { try call() != nil }, "a paused queue was claimed from")
        #expect(try world.huey.pendingCount == 1)
        // A consumer started while paused (a restart) does not take it either.
        let second = try world.start(["consume", "-w", "1", "-k", "process"])
        #expect(poll(timeout: 20) { ProcessTable.children(of: second.pid).count == 1 }, "\(second.standardError)")
        #expect(try !poll(timeout: 2) { try call() != nil }, "a paused queue was claimed from after a restart")

        let resumed = try world.admin(["resume", "--json"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.out.contains(#""resumed":true"#), "\(resumed.out)")
        #expect(try call.get(blocking: true, timeout: 30) == 5, "\(master.standardError)")
        #expect(try world.admin(["resume"]).out.contains("was not paused"))
    }

    @Test("consumers: the registered master with its worker's running task; --prune drops a dead one", .timeLimit(.minutes(2)),
          arguments: Backend.testable)
    func consumersListing(backend: Backend) throws {
        let world = try World(backend)
        defer { world.stop() }
        #expect(try world.admin(["consumers"]).out.contains("No live consumers registered."))
        let master = try world.start(["consume", "-w", "1", "-k", "process"])
        let marker = "\(world.directory)/nap-marker"
        _ = try world.tasks.nap(60, marker)
        try #require(poll(timeout: 30) { !lines(of: marker).isEmpty }, "\(master.standardError)")
        let worker = try #require(Int32(lines(of: marker)[0]))
        // The master registers itself, with its worker's pid once the worker runs.
        let registered = try poll(timeout: 30) { try world.huey.consumers().first?.workerPids == [worker] }
        try #require(registered, "\(master.standardError)")
        var gone = try #require(try world.huey.consumers().first)
        (gone.pid, gone.processStart, gone.workerPids) = (999_999, 1, [])
        try world.huey.registerConsumer(gone, ttl: 60)

        let table = try world.admin(["consumers"])
        #expect(table.status == 0, "\(table.err)")
        #expect(table.out.contains("nap"), "\(table.out)")
        #expect(table.out.contains("\(worker)"), "\(table.out)")

        let listed = try world.admin(["consumers", "--prune", "--json"])
        #expect(listed.status == 0, "\(listed.err)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]])
        #expect(rows.count == 1, "\(listed.out)")
        #expect((rows.first?["pid"] as? Int).map(Int32.init) == master.pid)
        let workers = rows.first?["workers"] as? [[String: Any]]
        #expect(workers?.first?["task"] as? String == "nap", "\(listed.out)")
        #expect((workers?.first?["running_seconds"] as? Double ?? -1) >= 0, "\(listed.out)")
        #expect(try world.huey.consumers().map(\.pid) == [master.pid])
    }

    @Test("dead: list, requeue one (with its reason), errors for unknown ids, discard --all; the requeued call runs",
          .timeLimit(.minutes(2)), arguments: Backend.testable)
    func deadLetters(backend: Backend) throws {
        let world = try World(backend)
        defer { world.stop() }
        let storage = world.huey.storage
        let first = try world.tasks.add(4, 5)
        let second = try world.tasks.add(6, 7)
        for _ in 0..<2 { try storage.addDead(try #require(try storage.dequeue()), reason: "set aside by the test") }

        let listed = try world.admin(["dead", "--json"])
        #expect(listed.status == 0, "\(listed.err)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.out.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["id"] as? String } == [first.id, second.id])
        #expect(rows.allSatisfy { !(($0["letter"] as? String) ?? "").isEmpty })

        let requeued = try world.admin(["dead", "requeue", first.id])
        #expect(requeued.status == 0, "\(requeued.err)")
        #expect(requeued.out.contains("It may fail again: it was set aside because set aside by the test"), "\(requeued.out)")
        #expect(try world.huey.pendingCount == 1)
        #expect(try storage.deadItems().count == 1)

        let unknown = try world.admin(["dead", "requeue", "no-such-id"])
        #expect(unknown.status == 1)
        #expect(unknown.err.contains("no dead letter no-such-id"), "\(unknown.err)")
        #expect(try world.admin(["dead", "discard"]).status == 2)  // neither an id nor --all
        #expect(try world.admin(["dead", "discard", "x", "--all"]).status == 2)

        let discarded = try world.admin(["dead", "discard", "--all"])
        #expect(discarded.status == 0, "\(discarded.err)")
        #expect(discarded.out.contains("Discarded 1 dead letter."), "\(discarded.out)")
        #expect(try storage.deadItems().isEmpty)

        _ = try world.start(["consume", "-w", "1", "-k", "process"])
        #expect(try first.get(blocking: true, timeout: 30) == 9)
    }
}
