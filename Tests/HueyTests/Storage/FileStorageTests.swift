import Foundation
import Huey
import Synchronization
import Testing

/// What only the file storage has: its layout on disk, permissions, names and errors.
@Suite("File storage")
struct FileStorageTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func mode(_ path: String) -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return info.st_mode & 0o777
    }

    private func names(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test("directories are 0700 and files 0600")
    func permissions() throws {
        let place = try ScratchDirectory()
        let base = place.file("deep/files")
        let storage = try FileStorage(name: "q", path: base)
        try storage.enqueue(bytes("a"), priority: 0)
        try storage.putData(key: "k", value: bytes("v"))
        try storage.addToSchedule(bytes("s"), timestamp: 1)
        _ = try storage.increment(key: "c", by: 1)
        _ = try storage.lock(named: "l").tryAcquire()
        #expect(mode(place.file("deep")) == 0o700)
        #expect(mode(base) == 0o700)
        for folder in ["", "/queue", "/schedule", "/kv", "/counters", "/claimed", "/dead", "/tmp", "/locks"] {
            #expect(mode(storage.directory + folder) == 0o700, "\(folder)")
        }
        let files =
            try names(storage.directory + "/queue").map { "queue/\($0)" }
            + names(storage.directory + "/kv").map { "kv/\($0)" }
            + names(storage.directory + "/schedule").map { "schedule/\($0)" }
            + names(storage.directory + "/counters").map { "counters/\($0)" }
            + names(storage.directory + "/locks").map { "locks/\($0)" } + [".lock"]
        #expect(files.count == 6)
        for file in files { #expect(mode("\(storage.directory)/\(file)") == 0o600, "\(file)") }
    }

    @Test("queue file names sort by priority desc, then FIFO, for any priority")
    func nameOrder() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"))
        let priorities: [Double] = [
            0, -1.5, 0.25, -0.0, 1e9, -1e-9, .infinity, -1, 1, -.infinity, 0.5, -1e9, 1e-9, 0, -0.5, 100, -100,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
        ]
        for (index, priority) in priorities.enumerated() {
            try storage.enqueue(bytes("\(index)"), priority: priority)
        }
        // Stable sort by priority desc: the order the storage must dequeue in.
        let expected = priorities.indices.sorted { lhs, rhs in
            priorities[lhs] != priorities[rhs] ? priorities[lhs] > priorities[rhs] : lhs < rhs
        }.map(String.init)
        // A plain byte-order sort of the directory listing is that order.
        let queue = storage.directory + "/queue"
        let listed = try names(queue).map {
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(queue)/\($0)")), as: UTF8.self)
        }
        #expect(listed == expected)
        // And claims report the priority exactly.
        let owner = ClaimOwner(pid: 1, startTime: 1)
        var claimed: [(String, Double)] = []
        while let claim = try storage.claim(owner: owner, now: 0) {
            claimed.append((String(decoding: claim.data, as: UTF8.self), claim.priority))
        }
        #expect(claimed.map(\.0) == expected)
        #expect(claimed.map(\.1) == expected.map { priorities[Int($0)!] == 0 ? 0 : priorities[Int($0)!] })
    }

    @Test("schedule file names sort by time, then FIFO, also for negative and fractional times")
    func scheduleOrder() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"))
        let times: [Double] = [5.5, -3, 5.25, 0, 1_700_000_000.123, 5.5, -0.5]
        for (index, time) in times.enumerated() { try storage.addToSchedule(bytes("\(index)"), timestamp: time) }
        let expected = times.indices.sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
            .map(String.init)
        let items = try storage.scheduledItems(limit: nil).map { String(decoding: $0, as: UTF8.self) }
        #expect(items == expected)
        let due = try storage.readSchedule(timestamp: 5.5).map { String(decoding: $0, as: UTF8.self) }
        #expect(due == Array(expected.prefix(6)))
    }

    @Test("a file where the directory should be: a clear .open error from verifyWritable and every write, until fixed")
    func fileInTheWay() throws {
        let place = try ScratchDirectory()
        let path = place.file("plain")
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        // init does not throw (the program reaches HueyCommand.main, which reports it).
        let storage = try FileStorage(name: "q", path: path)
        let error = try #require(throws: StorageError.self) { try storage.verifyWritable() }
        #expect(error.code == .open)
        #expect(error.description.contains(path))
        #expect(error.description.contains("not a directory"))
        let write = try #require(throws: StorageError.self) { try storage.enqueue(bytes("x"), priority: 0) }
        #expect(write.code == .open && write.description.contains(path))
        let locked = try #require(throws: StorageError.self) { _ = try storage.dequeue() }
        #expect(locked.code == .open && locked.description.contains(path))

        // Below a file, too.
        let below = try #require(throws: StorageError.self) { try FileStorage(name: "q", path: path + "/sub").verifyWritable() }
        #expect(below.code == .open)

        // And a file in place of one of the queue's folders.
        let base = place.file("files")
        let first = try FileStorage(name: "q", path: base)
        try FileManager.default.removeItem(atPath: first.directory + "/kv")
        _ = FileManager.default.createFile(atPath: first.directory + "/kv", contents: nil)
        let inner = try #require(throws: StorageError.self) { try FileStorage(name: "q", path: base).verifyWritable() }
        #expect(inner.code == .open)
        #expect(inner.description.contains("/kv"))

        // Fixed: the same storage sets its folders up on its next use.
        try FileManager.default.removeItem(atPath: path)
        try storage.enqueue(bytes("x"), priority: 0)
        #expect(try storage.dequeue() == bytes("x"))

        #expect(throws: StorageError.self) { try FileStorage(name: "q", path: "") }
    }

    @Test("any key round-trips: slashes, unicode, dots, empty, very long")
    func keys() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"))
        let keys = [
            "a/b/c", "/", "..", ".", ".hidden", "", "%41", "plus+sign", "space here", "naïve/日本語/🙂",
            "a+", String(repeating: "k/", count: 300), String(repeating: "é", count: 200), "tab\tnew\nline",
        ]
        for (index, key) in keys.enumerated() { try storage.putData(key: key, value: bytes("v\(index)")) }
        #expect(try storage.resultStoreSize() == keys.count)
        var expected: [String: [UInt8]] = [:]
        for (index, key) in keys.enumerated() { expected[key] = bytes("v\(index)") }
        #expect(try storage.resultItems() == expected)
        for (index, key) in keys.enumerated() {
            #expect(try storage.peekData(key: key) == bytes("v\(index)"), "\(key)")
            #expect(try !storage.putIfEmpty(key: key, value: bytes("other")))
        }
        // Nothing escaped the kv folder.
        let folders = try names(storage.directory).filter { $0 != ".lock" }
        #expect(folders == ["claimed", "counters", "dead", "kv", "locks", "queue", "schedule", "tmp"])
        for key in keys { #expect(try storage.popData(key: key) != nil, "\(key)") }
        #expect(try storage.resultStoreSize() == 0)
        #expect(try names(storage.directory + "/kv").isEmpty)  // long keys' folders pruned
        #expect(try storage.increment(key: "x/y/ü", by: 2) == 2)
        #expect(try storage.increment(key: "x/y/ü", by: 2) == 4)
    }

    @Test("queue names are escaped and kept apart; a second object sees the same data")
    func queueNames() throws {
        let place = try ScratchDirectory()
        let base = place.file("files")
        let slash = try FileStorage(name: "a/b", path: base)
        let dots = try FileStorage(name: "..", path: base)
        try slash.enqueue(bytes("1"), priority: 0)
        try dots.putData(key: "k", value: bytes("v"))
        #expect(try names(base).count == 2)
        #expect(try FileStorage(name: "a/b", path: base).queueSize() == 1)
        #expect(try FileStorage(name: "..", path: base + "/").peekData(key: "k") == bytes("v"))
        #expect(try FileStorage(name: "a", path: base).queueSize() == 0)
    }

    @Test("claims are files in claimed/ named by their token, and survive a new storage object")
    func claimFiles() throws {
        let place = try ScratchDirectory()
        let base = place.file("files")
        let storage = try FileStorage(name: "q", path: base)
        try storage.enqueue(bytes("job"), priority: 2.5)
        let owner = ClaimOwner(pid: 77, startTime: 123_456)
        let claim = try #require(try storage.claim(owner: owner, now: 1234.5))
        #expect(try names(storage.directory + "/claimed") == [claim.token])
        try storage.setDeadline(claim, deadline: 1300.25)
        let other = try FileStorage(name: "q", path: base)
        let seen = try other.claims()
        let expected = Claim(
            token: claim.token, data: bytes("job"), priority: 2.5, owner: owner, claimedAt: 1234.5, deadline: 1300.25)
        #expect(seen == [expected])
        try other.setDeadline(claim, deadline: nil)
        #expect(try storage.claims().first?.deadline == nil)
        // A token that is not one of ours never touches a file.
        var forged = claim
        forged.token = "../kv/x"
        #expect(try !storage.ack(forged, writes: [.put(key: "x", value: bytes("y"))]))
        #expect(try !storage.release(forged))
        #expect(try storage.ack(claim, writes: []))
        #expect(try names(storage.directory + "/claimed").isEmpty)
        #expect(try names(storage.directory + "/tmp").isEmpty)
    }

    @Test("closeConnections leaves the storage usable")
    func closeAndReopen() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"))
        try storage.enqueue(bytes("a"), priority: 0)
        storage.closeConnections()
        try storage.enqueue(bytes("b"), priority: 0)
        storage.closeConnections()
        #expect(try storage.dequeue() == bytes("a"))
        #expect(try storage.dequeue() == bytes("b"))
        let wait = Date()
        #expect(try !storage.waitForWork(timeout: 0.2))
        #expect(Date().timeIntervalSince(wait) >= 0.15)
    }

    @Test("fsync mode stores and reads the same")
    func fsyncMode() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"), fsync: true)
        #expect(storage.fsync)
        try storage.enqueue(batch: [QueueItem(data: bytes("a"), priority: 1), QueueItem(data: bytes("b"), priority: 2)])
        let claim = try #require(try storage.claim(owner: ClaimOwner(pid: 1, startTime: 1), now: 1))
        #expect(claim.data == bytes("b"))
        let writes: [StorageWrite] = [.put(key: "r", value: bytes("42")), .schedule(data: bytes("s"), timestamp: 5)]
        #expect(try storage.ack(claim, writes: writes))
        #expect(try storage.peekData(key: "r") == bytes("42"))
        #expect(try storage.readSchedule(timestamp: 5) == [bytes("s")])
        #expect(try storage.dequeue() == bytes("a"))
    }

    @Test("threads of one process sharing a storage each claim an item exactly once")
    func threads() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"))
        let total = 400
        try storage.enqueue(batch: (0..<total).map { QueueItem(data: bytes("\($0)"), priority: Double($0 % 4)) })
        let seen = Mutex<[String]>([])
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let owner = ClaimOwner(pid: Int32(worker + 1), startTime: 1)
            do {
                while let claim = try storage.claim(owner: owner, now: 0) {
                    let text = String(decoding: claim.data, as: UTF8.self)
                    guard try storage.ack(claim, writes: [.put(key: "r/\(text)", value: [])]) else {
                        failures.withLock { $0 += 1 }
                        continue
                    }
                    seen.withLock { $0.append(text) }
                }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(seen.withLock { $0.sorted() } == (0..<total).map(String.init).sorted())
        #expect(try storage.resultStoreSize() == total)
        #expect(try storage.claims().isEmpty)
    }
}
