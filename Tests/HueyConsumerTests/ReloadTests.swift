import Foundation
import Huey
@testable import HueyConsumer
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    /// SIGHUP with process workers re-executes at once; the new master adopts the old
    /// workers still finishing their tasks (scenarios in Support/ReloadScenarios.swift).
    @Suite("Reload without a gap (SQLite)")
    struct Reload {
        @Test("SIGHUP during a 20 s task: a new call completes within 5 s, the old task finishes untouched, same pid",
              .timeLimit(.minutes(2)))
        func newWorkDuringOldTask() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            try ReloadScenarios.newWorkTakenWhileOldTaskFinishes(in: fixture, storage: "sqlite")
        }

        @Test("After a reload, a graceful stop waits for the old worker's task", .timeLimit(.minutes(2)))
        func gracefulStopWaitsForOldWorker() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            try ReloadScenarios.gracefulStopWaitsForOldWorker(in: fixture)
            #expect(fixture.runningProcesses().isEmpty, "left running: \(fixture.runningProcesses())")
        }

        @Test("After a reload, an immediate stop kills the old worker too and requeues its task without a retry",
              .timeLimit(.minutes(1)))
        func immediateStopKillsOldWorker() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            try ReloadScenarios.immediateStopKillsOldWorker(in: fixture)
            #expect(fixture.runningProcesses().isEmpty, "left running: \(fixture.runningProcesses())")
        }

        @Test("After a reload, an old worker killed with SIGKILL: its task fails with WorkerCrashed and is retried",
              .timeLimit(.minutes(2)))
        func killedOldWorker() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            try ReloadScenarios.killedOldWorkerIsRecovered(in: fixture, storage: "sqlite")
        }

        @Test("After a reload, an old worker SIGKILLed holding a batch: only its running call crashes, the others run",
              .timeLimit(.minutes(4)))
        func killedOldWorkerHoldingBatch() throws {
            // The long call is the last of its batch now and then (a batch holds up to 32
            // calls): then there is nothing to tell apart, and a fresh consumer tries again.
            for attempt in 1...4 {
                let fixture = try ConsumerFixture()
                defer { fixture.stop() }
                if let held = try ReloadScenarios.killedOldWorkerHoldingBatch(in: fixture) {
                    note("reload: the adopted worker held \(held) claims when SIGKILLed (attempt \(attempt))")
                    return
                }
            }
            Issue.record("the long call was the last of its batch in 4 attempts")
        }

        @Test("SIGHUP again while old workers drain: re-exec again, carrying every old worker still running",
              .timeLimit(.minutes(2)))
        func secondReloadCarriesOldWorkers() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let setup = try RunningLongTask(in: fixture, workers: 1)
            let first = ChildCountWatch(master: setup.master.pid, limit: 1, old: Set(setup.before))
            let middle = try setup.reload(workers: 1, watch: first, world: fixture).fresh[0]

            let napMarker = fixture.file("nap.marker")
            let nap = try fixture.tasks.nap(8, napMarker)
            try #require(poll(timeout: 15) { lines(of: napMarker).count == 1 }, "\(fixture.log)")
            #expect(lines(of: napMarker) == ["\(middle)"])

            let second = ChildCountWatch(master: setup.master.pid, limit: 1, old: [setup.runner, middle])
            let newest = try setup.reload(workers: 1, watch: second, world: fixture, bootsBefore: 2).fresh[0]
            #expect(Set(second.sample()) == [setup.runner, middle, newest], "\(fixture.log)")
            let adoptedTwice = setup.master.standardError.components(separatedBy: "(pid \(setup.runner)) from before").count - 1
            #expect(adoptedTwice == 2, "\(fixture.log)")

            let napped = try nap(blocking: true, timeout: 30)
            #expect(napped.pid == middle && napped.end - napped.start >= 7.9, "\(napped)")
            let long = try #require(setup.waitForLong(timeout: 40, watch: second), "\(fixture.log)")
            #expect(long.pid == setup.runner && long.value == 0 && long.end - long.start >= 19.9, "\(long)")
            #expect(poll(timeout: 10) { second.sample() == [newest] }, "\(second.sample()); \(fixture.log)")
            #expect(first.violations.isEmpty && second.violations.isEmpty, "\(first.violations) \(second.violations)")
            #expect(lines(of: setup.boots).count == 3)
            #expect(try fixture.tasks.work(3, 0).get(blocking: true, timeout: 20)?.pid == newest)
        }

        @Test("-k thread: SIGHUP still waits for running tasks, then re-executes (threads cannot outlive it)",
              .timeLimit(.minutes(1)))
        func threadWorkersDrainFirst() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let boots = fixture.file("boot.log")
            let master = try fixture.start(
                ["consume", "-w", "1", "-k", "thread"], environment: ["HUEY_TEST_BOOT_LOG": boots])
            try #require(poll(timeout: 30) { master.standardError.contains("Huey consumer started") }, "\(fixture.log)")
            let marker = fixture.file("nap.marker")
            let nap = try fixture.tasks.nap(3, marker)
            try #require(poll(timeout: 15) { lines(of: marker).count == 1 }, "\(fixture.log)")

            master.send(SIGHUP)
            try #require(poll(timeout: 30) { lines(of: boots).count == 2 }, "no re-exec; \(fixture.log)")
            let reexecedAt = now()
            // Stored before the re-exec: read without waiting.
            let ran = try #require(try nap(), "re-executed before the running task finished; \(fixture.log)")
            #expect(ran.end - ran.start >= 2.95 && ran.end <= reexecedAt, "\(ran)")
            #expect(master.standardError.contains("thread workers cannot outlive the re-exec"), "\(fixture.log)")
            #expect(try fixture.tasks.work(1, 0).get(blocking: true, timeout: 20)?.pid == master.pid)
        }

        @Test("--max-memory with -k thread is refused with exit 2 and a message")
        func maxMemoryNeedsProcesses() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-k", "thread", "--max-memory", "64"])
            #expect(exited(master.waitForExit(timeout: 30), code: 2))
            #expect(master.standardError.contains("--max-memory) needs process workers"), "\(master.standardError)")
            var options = ConsumerOptions(workers: 1, workerType: .thread)
            options.maxMemory = 64
            #expect(throws: ConfigurationError.self) { try options.validate() }
            options.workerType = .process
            try options.validate()
        }
    }
}

extension RedisConsumerTests {
    @Test("Reload: SIGHUP during a 20 s task, a new call completes within 5 s, the old task finishes untouched",
          .timeLimit(.minutes(2)))
    func reloadWithoutGap() throws {
        let fixture = try RedisFixture()
        defer { fixture.stop() }
        try ReloadScenarios.newWorkTakenWhileOldTaskFinishes(in: fixture, storage: "redis")
    }

    @Test("Reload: a graceful stop after it waits for the old worker's task", .timeLimit(.minutes(2)))
    func reloadThenGracefulStop() throws {
        let fixture = try RedisFixture()
        defer { fixture.stop() }
        try ReloadScenarios.gracefulStopWaitsForOldWorker(in: fixture)
    }

    @Test("Reload: an old worker killed with SIGKILL after it, its task is retried by the new master",
          .timeLimit(.minutes(2)))
    func reloadThenKilledOldWorker() throws {
        let fixture = try RedisFixture()
        defer { fixture.stop() }
        try ReloadScenarios.killedOldWorkerIsRecovered(in: fixture, storage: "redis")
    }
}

@Suite("Draining workers handed over across exec")
struct DrainingWorkersTests {
    @Test("pid:number:mark entries round-trip; pid:number (the old format) still reads; malformed entries are skipped")
    func encoding() {
        let workers = [
            InheritedWorker(pid: 41, number: 1, markDescriptor: 9), InheritedWorker(pid: 4_000_000, number: 12),
        ]
        #expect(DrainingWorkers.encode(workers) == "41:1:9,4000000:12")
        #expect(DrainingWorkers.decode("41:1:9,4000000:12") == workers)
        let unmarked = workers.map { InheritedWorker(pid: $0.pid, number: $0.number) }
        #expect(DrainingWorkers.decode("41:1,4000000:12") == unmarked)
        #expect(DrainingWorkers.decode("x:1,2,-3:4,5:y,,7:8,1:2:3:4") == [InheritedWorker(pid: 7, number: 8)])
        // A malformed mark alone is left out: the worker is still adopted, without it.
        #expect(
            DrainingWorkers.decode("7:8:x,9:10:-1")
                == [InheritedWorker(pid: 7, number: 8), InheritedWorker(pid: 9, number: 10)])
        #expect(DrainingWorkers.decode("").isEmpty)
    }

    @Test("A mark survives the hand-over: its descriptor goes through the variable and maps the same word again")
    func markRoundTrip() throws {
        let original = try #require(RunningCallMark())
        let descriptor = try #require(original.descriptor, "no memfd on this kernel")
        #expect(fcntl(descriptor, F_GETFD) & FD_CLOEXEC != 0, "a mark must not leak into programs a task starts")
        let claim = Claim(token: "4711", data: [], priority: 0, owner: .current, claimedAt: 0)
        original.set(claim)

        // What handOver and the re-executed master's takeInherited + adopt do, within one process.
        let handed = try #require(original.descriptorForExec())
        #expect(fcntl(handed, F_GETFD) & FD_CLOEXEC == 0, "the descriptor would not survive execve")
        DrainingWorkers.export([InheritedWorker(pid: 41, number: 3, markDescriptor: handed)])
        let text = try #require(getenv(DrainingWorkers.environmentKey).map { String(cString: $0) })
        DrainingWorkers.export([])
        let inherited = try #require(DrainingWorkers.decode(text).first?.markDescriptor)
        let adopted = try #require(RunningCallMark(adopting: inherited))
        #expect(fcntl(inherited, F_GETFD) & FD_CLOEXEC != 0, "adopted, the descriptor is close-on-exec again")
        #expect(adopted.running == .claim(token: "4711"))
        original.set(nil)
        #expect(adopted.running == RunningCall.none, "not the same word")
        adopted.set(Claim(token: "12", data: [], priority: 0, owner: .current, claimedAt: 0))
        #expect(original.running == .claim(token: "12"))
    }

    @Test("Only a mark's memfd is taken as a mark: other descriptors are neither mapped nor closed")
    func foreignDescriptors() throws {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        #expect(RunningCallMark(adopting: ends[0]) == nil)
        RunningCallMark.closeIfMark(ends[0])
        #expect(fcntl(ends[0], F_GETFD) != -1, "a pipe was closed")
        #expect(RunningCallMark(adopting: 1_000_000) == nil)

        let mark = try #require(RunningCallMark())
        let descriptor = try #require(mark.descriptorForExec())
        let copy = dup(descriptor)
        try #require(copy >= 0)
        RunningCallMark.closeIfMark(copy)
        // Another test's open may reuse the number at once: then it names another file.
        var after = stat()
        let reused = fstat(copy, &after) == 0
        var original = stat()
        try #require(fstat(descriptor, &original) == 0)
        #expect(!reused || after.st_ino != original.st_ino, "a mark handed over for no adopted worker stays open")
    }

    @Test("Only this process's children are adopted, and the variable is taken out of the environment")
    func takesOnlyChildren() throws {
        let key = DrainingWorkers.environmentKey
        // pid 1 and this process's parent are not children of this process.
        DrainingWorkers.export([InheritedWorker(pid: 1, number: 1), InheritedWorker(pid: getppid(), number: 2)])
        #expect(getenv(key) != nil)
        #expect(DrainingWorkers.takeInherited().isEmpty)
        #expect(getenv(key) == nil)
        DrainingWorkers.export([])
        #expect(getenv(key) == nil)
    }
}
