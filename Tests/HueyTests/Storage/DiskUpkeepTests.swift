import Foundation
import Huey
import Logging
import Synchronization
import Testing

/// The disk side of the storages in one process: the WAL's bound, the full-disk pause and
/// its once-a-minute notice, sizes on disk, the integrity checks.
@Suite("Disk upkeep")
struct DiskUpkeepTests {
    private func length(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    @Test("walSizeLimit 1 MiB: 3,000 commits keep the -wal file under 1 MiB; maintain(final:) empties it")
    func walStaysUnderItsLimit() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "q", filename: place.file("q.db"), walSizeLimit: 1 << 20)
        #expect(try storage.textRows("PRAGMA journal_size_limit") == [["524288"]])
        var largest = 0
        let payload = [UInt8](repeating: 7, count: 600)
        for index in 0..<3000 {
            try storage.enqueue(payload, priority: Double(index % 3))
            if index % 2 == 1, let claim = try storage.claim(owner: .current, now: 0) {
                try storage.ack(claim, writes: [.put(key: "k\(index)", value: payload)])
            }
            largest = max(largest, length(place.file("q.db-wal")))
        }
        // SQLite alone (PASSIVE checkpoints from 1,000 frames) lets this WAL reach about 4 MiB.
        #expect(largest < 1 << 20, "the WAL reached \(largest) bytes")
        try storage.maintain(final: true)
        #expect(length(place.file("q.db-wal")) == 0)
        let usage = try #require(try storage.diskUsage())
        #expect(usage.parts.map(\.name) == ["database", "wal", "shm"])
        #expect(usage.bytes >= length(place.file("q.db")))
    }

    @Test("FullDiskPause retries a write that failed for a full disk and logs it once; gives up when told")
    func pauseRetriesFullDisk() throws {
        let logger = Logger(label: "test")
        let pause = FullDiskPause(label: "test", logger: logger, longestPause: 0.2, keepWaiting: { true })
        let tries = Mutex(0)
        let full = StorageError(code: .full, message: "no space left on the disk")
        let value = try pause.run { () throws -> Int in
            let attempt = tries.withLock { $0 += 1; return $0 }
            if attempt < 3 { throw full }
            return 42
        }
        #expect(value == 42)
        let attempts = tries.withLock { count in count }
        #expect(attempts == 3)

        let stopping = FullDiskPause(label: "test", logger: logger, keepWaiting: { false })
        #expect(throws: StorageError.self) { try stopping.run { () throws -> Int in throw full } }
        // Any other error is not waited for.
        let other = StorageError(code: .io, message: "broken")
        let once = Mutex(0)
        let outcome = Result { try pause.run { () throws -> Int in
            once.withLock { count in count += 1 }
            throw other
        } }
        #expect((try? outcome.get()) == nil)
        let calls = once.withLock { count in count }
        #expect(calls == 1)
    }

    @Test("FullDiskNotice: the first failure, then once per interval; reset after recovery")
    func noticeOncePerInterval() {
        var notice = FullDiskNotice(interval: 60)
        let said = [100.0, 101, 159, 160].map { notice.shouldLog(now: $0) }
        #expect(said == [true, false, false, true])
        let first = notice.recovered(now: 170)
        let second = notice.recovered(now: 171)
        #expect(first == 70 && second == nil)
        let again = notice.shouldLog(now: 172)
        #expect(again)
    }

    @Test("DiskUsage formats bytes for people")
    func diskUsageFormat() {
        #expect(DiskUsage.format(bytes: 512) == "512 B")
        #expect(DiskUsage.format(bytes: 132 * 1024) == "132 KiB")
        #expect(DiskUsage.format(bytes: 6 * 1024 * 1024 + 100_000) == "6.1 MiB")
        let usage = DiskUsage(parts: [.init(name: "database", bytes: 2048), .init(name: "wal", bytes: 1024)])
        #expect(usage.summary == "3.0 KiB (database 2.0 KiB, wal 1.0 KiB)")
    }

    @Test("File storage: sound folders pass the check; a stray file and an orphan deadline are reported")
    func fileStorageCheck() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"))
        try storage.enqueue(Array("x".utf8), priority: 0)
        #expect(try storage.integrityProblems() == [])
        try storage.verifyWritable()
        let queue = storage.directory + "/queue"
        try Data("junk".utf8).write(to: URL(fileURLWithPath: queue + "/not-an-entry"))
        try Data("1".utf8).write(to: URL(fileURLWithPath: storage.directory + "/claimed/x.deadline"))
        let problems = try storage.integrityProblems()
        #expect(problems.contains { $0.contains("not-an-entry") }, "\(problems)")
        #expect(problems.contains { $0.contains("x.deadline") }, "\(problems)")
        #expect(try storage.diskUsage().map { $0.bytes > 0 } == true)
    }

    @Test("File storage maintenance removes temp files of dead processes, not of live ones")
    func fileStorageRemovesDeadTemps() throws {
        let place = try ScratchDirectory()
        let storage = try FileStorage(name: "q", path: place.file("files"))
        let temp = storage.directory + "/tmp"
        // pid 2^22 + 1 is above Linux's pid_max limit: no process has it.
        try Data("a".utf8).write(to: URL(fileURLWithPath: temp + "/4194305-00ff"))
        try Data("b".utf8).write(to: URL(fileURLWithPath: temp + "/\(getpid())-00ff"))
        try storage.maintain(final: false)
        #expect(!FileManager.default.fileExists(atPath: temp + "/4194305-00ff"))
        #expect(FileManager.default.fileExists(atPath: temp + "/\(getpid())-00ff"))
    }
}
