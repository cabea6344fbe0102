import Foundation
import Huey
import HueyRedis
import HueyTestSupport
import Testing

/// Consumers on Redis: separate masters sharing one queue, the chaos run, a server restart.
@Suite(
    "Consumers on Redis", .serialized,
    .enabled(if: RedisTestTarget.canProvide, "no Redis server: set HUEY_TEST_REDIS_URL or install redis-server"))
struct RedisConsumerTests {
    /// Consumers on one Redis queue with a name of its own, and their clean-up.
    final class RedisFixture: ServerQueueFixture {
        let url: String
        let server: RedisTestServer?

        init(server: RedisTestServer? = nil) throws {
            let target = try server.map { ($0.url, Optional($0)) } ?? RedisTestTarget.url()
            (url, self.server) = target
            try super.init(
                makeHuey: { try RedisHuey(name: $0, url: target.0) }, storageArguments: { ["--redis", target.0, $0] })
        }

        override func stop() {
            super.stop()
            server?.stop()
        }
    }

    @Test("-f flushes the tasks' locks left in Redis and -L the named extra ones, before any worker starts",
          .timeLimit(.minutes(1)))
    func flushLocksAtStart() throws {
        let fixture = try RedisFixture()
        defer { fixture.stop() }
        // Held by this process and never released: what a holder that died leaves behind
        // until the key's expiry. `helper-task-lock` is the `lock:` of the helper's `lockedTally`.
        let locks = try ["helper-task-lock", "reports", "untouched"].map { try fixture.huey.storage.lock(named: $0) }
        for lock in locks { #expect(try lock.tryAcquire()) }

        let master = try fixture.start(["consume", "-w", "1", "-k", "process", "-f", "-L", "reports"])
        #expect(poll(timeout: 20) { master.standardError.contains("Flushed locks: helper-task-lock, reports") },
                "\(fixture.log)")
        #expect(try !fixture.huey.isLocked("helper-task-lock"))
        #expect(try !fixture.huey.isLocked("reports"))
        #expect(try fixture.huey.isLocked("untouched"), "a lock neither a task's nor named was flushed")
        withExtendedLifetime(locks) {}
    }

    @Test("two consumers (separate masters, -w 2 -k process each) on one queue: 5,000 tasks, each run exactly once", .timeLimit(.minutes(3)))
    func twoConsumers() throws {
        let fixture = try RedisFixture()
        defer { fixture.stop() }
        let environment = ["HUEY_TEST_TALLY": fixture.file("tally")]
        let one = try fixture.start(["consume", "-w", "2", "-k", "process"], environment: environment)
        let two = try fixture.start(["consume", "-w", "2", "-k", "process"], environment: environment)
        #expect(poll(timeout: 20) {
            ProcessTable.children(of: one.pid).count == 2 && ProcessTable.children(of: two.pid).count == 2
        }, "\(fixture.log)")
        let workersOne = Set(ProcessTable.children(of: one.pid).map(\.pid))
        let workersTwo = Set(ProcessTable.children(of: two.pid).map(\.pid))

        let count = 5000
        let results = try fixture.tasks.tally.map((0..<count).map { $0 })
        #expect(poll(timeout: 150) { (try? fixture.huey.storage.resultStoreSize()) == count }, "\(fixture.log)")

        #expect(try results.get(blocking: true, timeout: 10) == Array(0..<count))
        let (runs, pids) = fixture.tally()
        #expect(runs.count == count)
        #expect(runs.values.allSatisfy { $0 == 1 }, "run twice: \(runs.filter { $0.value > 1 }.keys.sorted().prefix(20))")
        #expect(!pids.isDisjoint(with: workersOne) && !pids.isDisjoint(with: workersTwo), "both consumers must have worked: \(pids)")
        #expect(try fixture.huey.storage.queueSize() == 0)
        #expect(try fixture.huey.storage.claims().isEmpty)
        note("redis two consumers: \(pids.intersection(workersOne).count)+\(pids.intersection(workersTwo).count) workers ran \(count) tasks")

        one.send(SIGINT)
        two.send(SIGINT)
        #expect(exited(one.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
        #expect(exited(two.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
    }

    @Test("claims of another machine are left alone while its heartbeat lives, recovered once it expires", .timeLimit(.minutes(1)))
    func otherMachines() throws {
        let fixture = try RedisFixture()
        defer { fixture.stop() }
        let storage = try #require(fixture.huey.storage as? RedisStorage)
        let alive = ClaimOwner(pid: 4242, startTime: 1, host: "machine-alive/0")
        let gone = ClaimOwner(pid: 4242, startTime: 1, host: "machine-gone/0")
        let heartbeat = "huey.\(fixture.name).host.\(alive.host)"
        let redis = try RedisConnection(storage.configuration)
        _ = try redis.command("SET", heartbeat, "1", "PX", "60000")
        let first = try fixture.tasks.tally(1)
        _ = try #require(try storage.claim(owner: alive, now: now()))
        let second = try fixture.tasks.tally(2)
        _ = try #require(try storage.claim(owner: gone, now: now()))

        let consumer = try fixture.start(["consume", "-w", "1", "-k", "process", "-c", "1"])
        // One health-check pass looks at both claims: once the dead machine's call has run,
        // the live machine's claim has been seen and must still be there.
        #expect(try second.get(blocking: true, timeout: 20) == 2, "\(fixture.log)")
        #expect(try storage.claims().map(\.owner) == [alive])
        #expect(try first.get() == nil)
        #expect(consumer.standardError.contains("left by dead process 4242 on machine-gone/0"), "\(fixture.log)")

        _ = try redis.command("DEL", heartbeat)  // that machine stops: its heartbeat is gone
        #expect(try first.get(blocking: true, timeout: 20) == 1, "\(fixture.log)")
        #expect(try storage.claims().isEmpty)
        consumer.send(SIGINT)
        #expect(exited(consumer.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
    }

    @Test("the server restarts mid-run: the consumer logs, reconnects and finishes every task", .timeLimit(.minutes(2)))
    func serverRestart() throws {
        let fixture = try RedisFixture(server: try RedisTestServer.start(persistent: true))
        defer { fixture.stop() }
        let consumer = try fixture.start(
            ["consume", "-w", "2", "-k", "process", "-d", "0.05", "-m", "0.5"],
            environment: ["HUEY_TEST_TALLY": fixture.file("tally")])
        let count = 1500
        _ = try fixture.tasks.tally.map((0..<count).map { $0 })
        #expect(poll(timeout: 30) { fixture.tally().runs.count >= 100 }, "\(fixture.log)")
        try fixture.server?.restart()
        #expect(poll(timeout: 90) { (try? fixture.huey.storage.resultStoreSize()) == count }, "\(fixture.log)")
        let (runs, _) = fixture.tally()
        #expect(runs.count == count, "\(fixture.log)")
        #expect(try fixture.huey.storage.queueSize() == 0)
        #expect(try fixture.huey.storage.claims().isEmpty)
        #expect(consumer.isRunning, "the master must survive the restart:\n\(fixture.log)")
        #expect(consumer.standardError.contains("redis queue \(fixture.name)"), "no logged storage error:\n\(fixture.log)")
        note("redis restart: \(runs.values.filter { $0 > 1 }.count) of \(count) tasks ran twice")
        consumer.send(SIGINT)
        #expect(exited(consumer.waitForExit(timeout: 20), code: 0), "\(fixture.log)")
    }

    @Test("chaos on Redis: 600 tasks, workers and masters SIGKILLed: every id has exactly one outcome", .timeLimit(.minutes(3)))
    func chaos() throws {
        let target = try RedisTestTarget.url()
        defer { target.server?.stop() }
        try ConsumerProcessTests.Chaos.runAndCheck(storage: "redis", extraArguments: ["--redis-url", target.url])
    }
}
