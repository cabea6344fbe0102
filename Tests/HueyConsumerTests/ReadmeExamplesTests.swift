import Foundation
import HueyConsumer
import HueyPostgres
import Testing

/// The Swift blocks of README.md, compiled here so the README cannot rot.
@Suite("README examples")
struct ReadmeExamplesTests {
    @Test("the quick start runs as written (with a consumer stand-in)")
    func quickStart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // README: Quick start (the file name made absolute: tests run in parallel in one
        // process, so they must not change its working directory)
        let huey = try SqliteHuey(name: "demo", filename: directory.path + "/demo.db")
        let add = huey.task("add") { (a: Int, b: Int) in a + b }

        let result = try add(1, 2)                      // queued; returns at once
        while try huey.processNext(owner: .current, in: huey.storage) {}  // stand-in for a consumer
        let sum = try result(blocking: true, timeout: 5) // 3, once a consumer has run it
        let later = try add.schedule(args: (3, 4), delay: 10)
        let sums = try huey.enqueue(add.s(1, 2).then(add, 3).then(add, 4), as: Int.self) // [3, 6, 10]
        while try huey.processNext(owner: .current, in: huey.storage) {}

        #expect(sum == 3)
        #expect(try huey.scheduled().map(\.id) == [later.id])
        #expect(try sums.get(blocking: true, timeout: 5) == [3, 6, 10])
    }

    @Test("README: Statistics and metrics reads the report as written")
    func statisticsExample() throws {
        let huey = MemoryHuey(name: "readme-stats")
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        _ = try add(1, 2)
        while try huey.processNext(owner: .current, in: huey.storage) {}

        let report = try huey.statistics(window: 3600)        // the last hour
        for task in report.tasks {
            print(task.name, task.counters[.completed], task.counters[.failed], task.errorRatio ?? 0,
                  task.runTime(0.95) ?? 0, task.waitTime(0.99) ?? 0)  // p95/p99: a bucket's upper bound
        }
        print(report.total.completedPerMinute, report.inFlight, report.oldestWaitingAge ?? 0)

        #expect(report.tasks.map(\.name) == ["add"])
        #expect(report.total.counters[.completed] == 1)
    }

    /// README: Running a consumer in your own executable. Compiled, never called: it would
    /// take over the test process.
    func consumerExample() throws {
        let huey = try SqliteHuey(name: "app", filename: "/var/lib/app/queue.db")
        let add = huey.task("add") { (a: Int, b: Int) in a + b }
        _ = add
        HueyCommand.main(huey)   // app consume -w 4 -k process · app pending · app results …
    }

    /// The README's direct form of the same. Compiled, never called.
    func consumerObjectExample(huey: Huey) throws {
        try Consumer(huey: huey, workers: 4, workerType: .process).run()
    }

    @Test("the PostgreSQL example makes its Huey as written (it connects only on first use)")
    func postgresExample() throws {
        // README: Storages, PostgreSQL
        let huey = try PostgresHuey(name: "app", url: "postgresql://huey:secret@db.internal:5432/app")

        let storage = try #require(huey.storage as? PostgresStorage)
        #expect(storage.name == "app" && storage.tablePrefix == "huey")
        #expect(storage.configuration.address == "db.internal:5432/app as huey")
        for url in [
            "postgres://db.internal/app?sslmode=require", "postgresql:///app?host=/run/postgresql",
            "host=db.internal dbname=app user=huey",
        ] {
            #expect(throws: Never.self) { try PostgresHuey(name: "app", url: url) }
        }
        #expect(throws: StorageError.self) { try PostgresHuey(name: "app", url: "postgres://db:port/app") }
    }
}
