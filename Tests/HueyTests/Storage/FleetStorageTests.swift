import Foundation
import Huey
import Testing

/// Fleet state and dead-letter actions, on every storage (the same suite for each).
@Suite("Fleet state on every storage")
struct FleetStorageTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private let owner = ClaimOwner(pid: 4242, startTime: 7)

    @Test("put-if-absent: one winner; expired values count as absent; prefix listing; delete", arguments: StorageBackend.testable)
    func fleetValues(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        let now = Date().timeIntervalSince1970
        #expect(try storage.putFleetValue(key: "slot.a", value: bytes("1"), expiresAt: now + 60, onlyIfAbsent: true, now: now))
        #expect(!(try storage.putFleetValue(key: "slot.a", value: bytes("2"), expiresAt: now + 60, onlyIfAbsent: true, now: now)))
        #expect(try storage.fleetValues(prefix: "slot.", now: now) == ["slot.a": bytes("1")])
        // Already expired by the caller's clock (Redis: expires in 1 ms): absent for the next put.
        #expect(try storage.putFleetValue(key: "slot.b", value: bytes("x"), expiresAt: now - 1, onlyIfAbsent: true, now: now))
        usleep(20_000)
        #expect(try storage.fleetValues(prefix: "slot.b", now: now).isEmpty)
        #expect(try storage.putFleetValue(key: "slot.b", value: bytes("y"), expiresAt: now + 60, onlyIfAbsent: true, now: now))
        #expect(try storage.fleetValues(prefix: "slot.b", now: now) == ["slot.b": bytes("y")])
        // Replace; no expiry; listing by prefix only.
        #expect(try storage.putFleetValue(key: "other", value: bytes("o1"), expiresAt: nil, onlyIfAbsent: false, now: now))
        #expect(try storage.putFleetValue(key: "other", value: bytes("o2"), expiresAt: nil, onlyIfAbsent: false, now: now))
        #expect(try storage.fleetValues(prefix: "other", now: now) == ["other": bytes("o2")])
        #expect(Set(try storage.fleetValues(prefix: "", now: now).keys) == ["slot.a", "slot.b", "other"])
        #expect(try storage.deleteFleetValue(key: "slot.a"))
        #expect(!(try storage.deleteFleetValue(key: "slot.a")))
        #expect(Set(try storage.fleetValues(prefix: "slot.", now: now).keys) == ["slot.b"])
        // Fleet state is apart from results.
        #expect(try storage.resultStoreSize() == 0)
    }

    @Test("a paused queue is not claimed from; enqueueing goes on; resume", arguments: StorageBackend.testable)
    func pauseBlocksClaims(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let huey = Huey(name: "q", storage: try backend.make(name: "q", in: place))
        let storage = huey.storage
        try storage.enqueue(bytes("first"), priority: 0)
        #expect(!(try huey.isPaused))
        try huey.pause()
        try huey.pause()  // twice: still one flag
        #expect(try huey.isPaused)
        #expect(try huey.pausedSince() != nil)
        try storage.enqueue(bytes("second"), priority: 0)
        #expect(try storage.claim(owner: owner, now: 1) == nil)
        #expect(try storage.queueSize() == 2)
        // Another storage object on the same place sees the flag (a second consumer).
        if backend.sharesPlace {
            let other = try backend.make(name: "q", in: place)
            #expect(try other.claim(owner: owner, now: 1) == nil)
        }
        #expect(try huey.resume())
        #expect(!(try huey.resume()))
        #expect(!(try huey.isPaused))
        let claim = try #require(try storage.claim(owner: owner, now: 1))
        #expect(claim.data == bytes("first"))
    }

    @Test("dead letters: ids, requeue one into the queue, discard one, unknown ids", arguments: StorageBackend.testable)
    func deadLetterActions(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        for index in 0..<3 { try storage.addDead(bytes("m\(index)"), reason: "reason \(index)") }
        let letters = try storage.deadItems()
        #expect(letters.map(\.data) == [bytes("m0"), bytes("m1"), bytes("m2")])
        #expect(Set(letters.map(\.id)).count == 3)
        #expect(!letters.contains { $0.id.isEmpty })
        #expect(try storage.requeueDead(id: letters[1].id, priority: 5))
        #expect(!(try storage.requeueDead(id: letters[1].id, priority: 5)))  // gone now
        #expect(try storage.enqueuedItems(limit: nil) == [bytes("m1")])
        #expect(try storage.discardDead(id: letters[0].id))
        #expect(!(try storage.discardDead(id: letters[0].id)))
        #expect(!(try storage.discardDead(id: "no-such-letter")))
        #expect(!(try storage.requeueDead(id: "no-such-letter", priority: 0)))
        let left = try storage.deadItems()
        #expect(left.map(\.data) == [bytes("m2")])
        #expect(left.map(\.reason) == ["reason 2"])
        #expect(left.map(\.id) == [letters[2].id])
    }

    @Test("periodic slots: one winner per (task, minute); minutes too far behind are refused", arguments: StorageBackend.testable)
    func periodicSlots(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        let first = Huey(name: "q", storage: storage)
        let second = Huey(name: "q", storage: backend.sharesPlace ? try backend.make(name: "q", in: place) : storage)
        let minute = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60)
        #expect(try first.claimPeriodicSlot(task: "report", minute: minute.addingTimeInterval(12), now: minute))
        // The other consumer, its clock a minute behind or ahead: the same minute is taken.
        #expect(!(try second.claimPeriodicSlot(task: "report", minute: minute, now: minute.addingTimeInterval(-60))))
        #expect(!(try second.claimPeriodicSlot(task: "report", minute: minute.addingTimeInterval(59), now: minute.addingTimeInterval(60))))
        #expect(try second.claimPeriodicSlot(task: "cleanup", minute: minute, now: minute))
        #expect(try second.claimPeriodicSlot(task: "report", minute: minute.addingTimeInterval(60), now: minute))
        // Too late: more than the tolerance behind this consumer's clock.
        let late = minute.addingTimeInterval(-Huey.periodicSlotTolerance - 60)
        #expect(!(try first.claimPeriodicSlot(task: "report", minute: late, now: minute)))
        // Given back, it can be claimed again.
        try first.releasePeriodicSlot(task: "report", minute: minute)
        #expect(try second.claimPeriodicSlot(task: "report", minute: minute, now: minute))
    }

    @Test("periodic tasks once per fleet: two schedulers, each minute enqueued once", arguments: StorageBackend.testable)
    func periodicOncePerFleet(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "q", in: place)
        let hueys = [Huey(name: "q", storage: storage), Huey(name: "q", storage: storage)]
        for huey in hueys {
            huey.periodicTask("every-minute", { _ in true }) {}
            huey.periodicTask("even-minutes", { date in Int(date.timeIntervalSince1970 / 60) % 2 == 0 }) {}
        }
        let start = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60
        var enqueued: [String] = []
        for index in 0..<4 {
            let minute = Date(timeIntervalSince1970: start + Double(60 * index))
            for huey in hueys { enqueued += try huey.enqueuePeriodicTasksOncePerFleet(at: minute, now: minute) }
        }
        #expect(enqueued.filter { $0 == "every-minute" }.count == 4)
        #expect(enqueued.filter { $0 == "even-minutes" }.count == 2)
        #expect(try storage.queueSize() == 6)
    }

    @Test("consumer registry: register, update, list, prune the dead, deregister, expiry", arguments: StorageBackend.testable)
    func registry(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let huey = Huey(name: "q", storage: try backend.make(name: "q", in: place))
        let now = Date()
        let me = ClaimOwner.current
        var live = ConsumerRecord(
            pid: me.pid, processStart: me.startTime, startedAt: now.timeIntervalSince1970, version: "test",
            workerType: "process", workerCount: 2, workerPids: [me.pid], queue: "q", storage: "test storage",
            heartbeat: now.timeIntervalSince1970)
        // A master of this machine that is gone (no such pid and start time).
        let dead = ConsumerRecord(
            pid: 999_999, processStart: 1, startedAt: now.timeIntervalSince1970, version: "test",
            workerType: "thread", workerCount: 1, workerPids: [], queue: "q", storage: "test storage",
            heartbeat: now.timeIntervalSince1970)
        try huey.registerConsumer(live, ttl: 60)
        try huey.registerConsumer(dead, ttl: 60)
        #expect(try huey.consumers(now: now).map(\.pid).sorted() == [me.pid, 999_999].sorted())
        live.workerPids = [me.pid, 12345]
        try huey.registerConsumer(live, ttl: 60)  // an update replaces the record
        #expect(try huey.consumers(now: now).first { $0.pid == me.pid }?.workerPids == [me.pid, 12345])
        #expect(try huey.pruneDeadConsumers(now: now).map(\.pid) == [999_999])
        #expect(try huey.consumers(now: now).map(\.pid) == [me.pid])
        // A claim held by one of its workers shows as that worker's current task.
        try huey.storage.enqueue(Array(#"{"id":"call-1","name":"slow","args":[]}"#.utf8), priority: 0)
        _ = try huey.storage.claim(owner: ClaimOwner(pid: 12345, startTime: 1), now: now.timeIntervalSince1970)
        let status = try #require(try huey.consumerStatuses(now: now).first)
        #expect(status.workers.map(\.pid) == [me.pid, 12345])
        #expect(status.workers[1].task == "slow")
        #expect(status.workers[1].callID == "call-1")
        #expect(status.workers[0].task == nil)
        // Expiry: seen as gone after its ttl by the reader's clock (Redis: by the server's).
        if !backend.isRedis { #expect(try huey.consumers(now: now.addingTimeInterval(61)).isEmpty) }
        #expect(try huey.deregisterConsumer(live))
        #expect(try huey.consumers(now: now).isEmpty)
    }
}

@Suite("Process memory")
struct ProcessMemoryTests {
    @Test("residentBytes follows memory a process touches; nil for no process")
    func residentBytes() throws {
        let before = try #require(ProcessTable.residentBytes(of: getpid()))
        #expect(before > 1 << 20)
        let size = 128 << 20
        let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { block.deallocate() }
        for offset in stride(from: 0, to: size, by: 4096) { block.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self) }
        let after = try #require(ProcessTable.residentBytes(of: getpid()))
        // Half of the 128 MB touched: other tests run in this process at the same time and
        // may free memory between the two readings.
        #expect(after - before >= 64 << 20, "before \(before), after \(after)")
        #expect(ProcessTable.residentBytes(of: 999_999) == nil)
    }
}
