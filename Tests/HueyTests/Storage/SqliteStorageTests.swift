import Foundation
import Huey
import Testing

/// What only the SQLite storage promises: its file format, durability settings, file
/// modes and errors (the shared behaviour is in the conformance suite).
@Suite("SQLite storage")
struct SqliteStorageTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func column(_ rows: [[String?]], _ index: Int = 0) -> [String?] { rows.map { $0[index] } }

    private func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test("WAL journal; synchronous NORMAL by default and FULL with fsync")
    func durabilitySettings() throws {
        let place = try ScratchDirectory()
        let normal = try SqliteStorage(name: "q", filename: place.file("normal.db"))
        #expect(try normal.textRows("PRAGMA journal_mode") == [["wal"]])
        #expect(try normal.textRows("PRAGMA synchronous") == [["1"]])  // NORMAL
        try normal.enqueue(bytes("x"), priority: 0)
        #expect(FileManager.default.fileExists(atPath: place.file("normal.db-wal")))

        let full = try SqliteStorage(name: "q", filename: place.file("full.db"), fsync: true)
        #expect(full.fsync)
        #expect(try full.textRows("PRAGMA journal_mode") == [["wal"]])
        #expect(try full.textRows("PRAGMA synchronous") == [["2"]])  // FULL
        // The setting belongs to the connection: a reopened connection gets it again.
        full.closeConnections()
        #expect(try full.textRows("PRAGMA synchronous") == [["2"]])
    }

    @Test("tables and columns are Python Huey's, plus counter, claim and dead")
    func schema() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "q", filename: place.file("huey.db"))
        func columns(_ table: String) throws -> [String?] {
            column(try storage.textRows("PRAGMA table_info(\(table))"), 1)
        }
        #expect(try columns("task") == ["id", "queue", "data", "priority"])
        #expect(try columns("schedule") == ["id", "queue", "data", "timestamp"])
        #expect(try columns("kv") == ["queue", "key", "value"])
        #expect(try columns("counter") == ["queue", "key", "value"])
        #expect(
            try columns("claim") == [
                "id", "queue", "data", "priority", "owner_pid", "owner_start", "claimed_at", "deadline",
            ])
        #expect(try columns("dead") == ["id", "queue", "data", "reason", "timestamp"])
        let kvKey = try storage.textRows("SELECT name, pk FROM pragma_table_info('kv') WHERE pk > 0 ORDER BY pk")
        #expect(kvKey == [["queue", "1"], ["key", "2"]])

        // Rows are what a Python Huey reads: queue name, raw bytes, priority as a real.
        try storage.enqueue(bytes("message"), priority: 5)
        try storage.putData(key: "result", value: bytes("42"))
        #expect(
            try storage.textRows("SELECT queue, CAST(data AS TEXT), typeof(data), priority FROM task") == [
                ["q", "message", "blob", "5.0"]
            ])
        #expect(try storage.textRows("SELECT queue, key, CAST(value AS TEXT) FROM kv") == [["q", "result", "42"]])
        let indexes = column(try storage.textRows("SELECT name FROM sqlite_master WHERE type = 'index'"))
        #expect(indexes.contains("task_queue_priority_id"))
        #expect(indexes.contains("schedule_queue_timestamp"))
    }

    @Test("strictFifo never reuses task ids; the default may")
    func strictFifo() throws {
        let place = try ScratchDirectory()
        func idsAfterDequeueAndEnqueue(_ storage: SqliteStorage) throws -> (Int, Int) {
            try storage.enqueue(bytes("a"), priority: 0)
            let first = Int(try #require(storage.textRows("SELECT max(id) FROM task")[0][0]))!
            _ = try storage.dequeue()
            try storage.enqueue(bytes("b"), priority: 0)
            let second = Int(try #require(storage.textRows("SELECT max(id) FROM task")[0][0]))!
            return (first, second)
        }
        let strict = try SqliteStorage(name: "q", filename: place.file("strict.db"), strictFifo: true)
        let taskSQL = try strict.textRows("SELECT sql FROM sqlite_master WHERE name = 'task'")[0][0] ?? ""
        #expect(taskSQL.uppercased().contains("AUTOINCREMENT"))
        let (a, b) = try idsAfterDequeueAndEnqueue(strict)
        #expect(b > a)

        let loose = try SqliteStorage(name: "q", filename: place.file("loose.db"))
        let (c, d) = try idsAfterDequeueAndEnqueue(loose)
        #expect(c == d)  // SQLite reuses the largest id once its row is gone
    }

    @Test("a file that is not a database: init succeeds, every use and verifyWritable give a clear .open error")
    func notADatabase() throws {
        let place = try ScratchDirectory()
        let path = place.file("notes.txt")
        let text = String(repeating: "these are not the bytes of a SQLite database\n", count: 100)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        // The file is opened on first use, so a program reaches HueyCommand.main to report it.
        let storage = try SqliteStorage(name: "q", filename: path)
        let checked = try #require(throws: StorageError.self) { try storage.verifyWritable() }
        let used = try #require(throws: StorageError.self) { try storage.enqueue(bytes("x"), priority: 0) }
        let again = try #require(throws: StorageError.self) { _ = try storage.queueSize() }
        for error in [checked, used, again] {
            #expect(error.code == .open)
            #expect(error.sqliteCode == 26)  // SQLITE_NOTADB
            #expect(error.message.contains(path))
            #expect(error.message.contains("not a database"))
        }
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("a database in a missing directory gives an .open error naming the file, until the directory exists")
    func missingDirectory() throws {
        let place = try ScratchDirectory()
        let path = place.file("no/such/dir/huey.db")
        let storage = try SqliteStorage(name: "q", filename: path)
        let error = try #require(throws: StorageError.self) { try storage.verifyWritable() }
        #expect(error.code == .open)
        #expect(error.message.contains(path))
        // Fixed: the next use opens the file.
        try FileManager.default.createDirectory(atPath: place.file("no/such/dir"), withIntermediateDirectories: true)
        try storage.enqueue(bytes("x"), priority: 0)
        #expect(try storage.queueSize() == 1)
    }

    @Test("a new database and its WAL files are private (0600)")
    func fileModes() throws {
        let place = try ScratchDirectory()
        let path = place.file("huey.db")
        let storage = try SqliteStorage(name: "q", filename: path)
        try storage.enqueue(bytes("x"), priority: 0)
        #expect(mode(path) == 0o600)
        #expect(mode(path + "-wal") == 0o600)
        #expect(mode(path + "-shm") == 0o600)
        _ = try storage.lock(named: "l").tryAcquire()
        #expect(mode(path + ".locks") == 0o700)
    }

    @Test("a writer kept out past the timeout gets .busy with SQLite's message")
    func busy() throws {
        let place = try ScratchDirectory()
        let path = place.file("huey.db")
        let holder = try SqliteStorage(name: "q", filename: path)
        let waiter = try SqliteStorage(name: "q", filename: path, timeout: 0.2)
        _ = try holder.textRows("BEGIN IMMEDIATE")
        let start = Date()
        let error = try #require(throws: StorageError.self) { try waiter.enqueue(bytes("x"), priority: 0) }
        #expect(Date().timeIntervalSince(start) >= 0.15)
        #expect(error.code == .busy)
        #expect(error.sqliteCode == 5)  // SQLITE_BUSY
        #expect(error.message.contains("locked"))
        #expect(try waiter.queueSize() == 0)  // readers are not blocked in WAL mode
        _ = try holder.textRows("ROLLBACK")
        try waiter.enqueue(bytes("x"), priority: 0)
        #expect(try holder.queueSize() == 1)
    }

    @Test("data outlives the connection and the storage object")
    func persistence() throws {
        let place = try ScratchDirectory()
        let path = place.file("huey.db")
        do {
            let storage = try SqliteStorage(name: "q", filename: path)
            try storage.enqueue(bytes("kept"), priority: 3)
            try storage.addToSchedule(bytes("later"), timestamp: 100)
            storage.closeConnections()
            #expect(try storage.queueSize() == 1)  // reopened lazily
        }
        let again = try SqliteStorage(name: "q", filename: path)
        #expect(try again.dequeue() == bytes("kept"))
        #expect(try again.readSchedule(timestamp: 100) == [bytes("later")])
    }

    @Test("a claim's token is never reused, so a stale ack cannot drop a newer claim")
    func staleAck() throws {
        let place = try ScratchDirectory()
        let storage = try SqliteStorage(name: "q", filename: place.file("huey.db"))
        let owner = ClaimOwner(pid: 1, startTime: 1)
        try storage.enqueue(bytes("job"), priority: 0)
        let first = try #require(try storage.claim(owner: owner, now: 1))
        #expect(try storage.release(first))  // e.g. recovered by the master
        let second = try #require(try storage.claim(owner: owner, now: 2))
        #expect(second.token != first.token)
        #expect(try !storage.ack(first, writes: [.put(key: "stale", value: bytes("x"))]))
        #expect(try !storage.hasData(key: "stale"))
        #expect(try storage.claims().map(\.token) == [second.token])
        #expect(try storage.ack(second, writes: []))
    }
}
