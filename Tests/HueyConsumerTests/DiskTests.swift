import Foundation
import Huey
import HueyTestSupport
import Testing

extension ConsumerProcessTests {
    @Suite("The disk: a bounded WAL, a full disk, read-only and damaged storages")
    struct Disk {
        @Test("A sustained drain of 100,000 tasks with -w 2 keeps the WAL under 16 MiB; after a clean stop it is at most 1 MiB",
              .timeLimit(.minutes(6)))
        func walStaysBoundedDuringSustainedDrain() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            let master = try fixture.start(["consume", "-w", "2", "-k", "process", "-q"])
            #expect(fixture.waitForWorkers(of: master, count: 2) != nil, "\(fixture.log)")
            let wal = fixture.database + "-wal"
            let bound = SqliteStorage.defaultWALSizeLimit
            var largest = 0
            var samples = 0
            func sample() {
                largest = max(largest, DiskSize.length(wal))
                samples += 1
            }
            let total = 100_000
            let started = now()
            // Enqueued in chunks while the consumer drains: one transaction of 100,000 rows
            // would by itself write more than the bound to the WAL.
            for chunk in stride(from: 0, to: total, by: 5_000) {
                _ = try fixture.tasks.add.map((chunk..<(chunk + 5_000)).map { ($0, 1) })
                sample()
            }
            var nextCount = 0.0
            let drained = try poll(timeout: 300) {
                sample()
                guard now() >= nextCount else { return false }
                nextCount = now() + 0.25
                return try fixture.huey.resultCount >= total && fixture.huey.pendingCount == 0
            }
            let seconds = now() - started
            note("WAL: \(total) tasks drained in \(String(format: "%.1f", seconds)) s, largest WAL \(largest) bytes in \(samples) samples")
            let results = try fixture.huey.resultCount
            #expect(drained, "\(results) results; \(fixture.log)")
            #expect(largest > 0, "the WAL was never seen")
            #expect(largest < bound, "the WAL reached \(largest) bytes; the bound is \(bound)")

            master.send(SIGINT)
            #expect(exited(master.waitForExit(timeout: 30), code: 0), "\(fixture.log)")
            let after = DiskSize.length(wal)
            note("WAL after the consumer's clean stop: \(after) bytes")
            #expect(after <= 1 << 20, "the WAL is \(after) bytes after a clean stop")
            #expect(try fixture.huey.storage.claims().isEmpty)
        }

        @Test("A full SQLite disk pauses the consumer: enqueue throws .full and adds nothing, every task ends with its result",
              .timeLimit(.minutes(4)))
        func fullDiskSqlite() throws {
            try runDiskFull("sqlite")
        }

        @Test("A full disk under FileHuey pauses the consumer the same way", .timeLimit(.minutes(4)))
        func fullDiskFile() throws {
            try runDiskFull("file")
        }

        @Test("A full SQLite disk pauses thread workers (-k thread) as it pauses processes; the master never waits",
              .timeLimit(.minutes(4)))
        func fullDiskThreads() throws {
            try runDiskFull("sqlite", workerType: "thread")
        }

        /// Runs the helper's `disk-full` driver (a tmpfs in a private mount namespace: needs root).
        private func runDiskFull(_ kind: String, workerType: String = "process") throws {
            try #require(getuid() == 0, "the full-disk test mounts a tmpfs: run the tests as root (CI does)")
            let directory = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let helper = HelperProcess.executablePath("HueyTestHelper")
            let driver = try HelperProcess(
                ["-m", "--propagation", "private", helper, "disk-full", kind, directory, "-k", workerType],
                executable: "/usr/bin/unshare", outputDirectory: directory)
            let exit = driver.waitForExit(timeout: 220)
            let output = driver.standardOutput
            for line in output.split(separator: "\n") { note(String(line)) }
            let log = (try? String(contentsOfFile: directory + "/consumer.log", encoding: .utf8)) ?? ""
            #expect(exited(exit, code: 0), "\(output)\n\(driver.standardError)\n\(log.suffix(4000))")
            #expect(output.contains("disk-full-result storage=\(kind) workers=\(workerType)") && output.contains("failures=0"))
        }

        @Test("A database on a read-only file system: consume exits 2 at once with a clear error, starting no worker",
              .timeLimit(.minutes(1)))
        func readOnlyDatabase() throws {
            try #require(getuid() == 0, "the read-only test mounts a tmpfs: run the tests as root (CI does)")
            let directory = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let helper = HelperProcess.executablePath("HueyTestHelper")
            let disk = directory + "/disk"
            try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
            // Make the queue, make its file system read-only, then start a consumer on it.
            let script = """
                mount -t tmpfs -o size=4m tmpfs '\(disk)' && '\(helper)' consumer '\(disk)/queue.db' pending >/dev/null \
                && mount -o remount,ro '\(disk)' && exec '\(helper)' consumer '\(disk)/queue.db' consume -w 2
                """
            let consumer = try HelperProcess(
                ["-m", "--propagation", "private", "sh", "-c", script], executable: "/usr/bin/unshare",
                outputDirectory: directory)
            let exit = consumer.waitForExit(timeout: 30)
            let error = consumer.standardError
            #expect(exited(exit, code: 2), "\(String(describing: exit)): \(error)")
            #expect(error.contains("\(disk)/queue.db is read-only"), "\(error)")
            #expect(!error.contains("Started worker"), "\(error)")
        }

        @Test("A read-only FileHuey folder: consume exits 2 at once with a clear error naming the folder, starting no worker",
              .timeLimit(.minutes(1)))
        func readOnlyFileFolder() throws {
            try #require(getuid() == 0, "the read-only test mounts a tmpfs: run the tests as root (CI does)")
            let directory = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let helper = HelperProcess.executablePath("HueyTestHelper")
            let disk = directory + "/disk"
            try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
            // Make the queue's folders, make their file system read-only, then start a consumer on it.
            let script = """
                mount -t tmpfs -o size=4m tmpfs '\(disk)' && '\(helper)' consumer --file '\(disk)/queue' pending >/dev/null \
                && mount -o remount,ro '\(disk)' && exec '\(helper)' consumer --file '\(disk)/queue' consume -w 2
                """
            let consumer = try HelperProcess(
                ["-m", "--propagation", "private", "sh", "-c", script], executable: "/usr/bin/unshare",
                outputDirectory: directory)
            let exit = consumer.waitForExit(timeout: 30)
            let error = consumer.standardError
            #expect(exited(exit, code: 2), "\(String(describing: exit)): \(error)")
            #expect(error.contains("Error: the queue folder \(disk)/queue/test is not writable"), "\(error)")
            #expect(!error.contains("Started worker") && !error.contains("Fatal error"), "\(error)")
        }

        @Test("A FileHuey path with a file in the way: consume exits 2 with an error naming it", .timeLimit(.minutes(1)))
        func fileInTheWayOfFileHuey() throws {
            let directory = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let plain = directory + "/plain"
            _ = FileManager.default.createFile(atPath: plain, contents: Data("x".utf8))
            let consumer = try HelperProcess(["consumer", "--file", plain + "/queue", "consume"], outputDirectory: directory)
            let exit = consumer.waitForExit(timeout: 20)
            let error = consumer.standardError
            #expect(exited(exit, code: 2), "\(String(describing: exit)): \(error)")
            #expect(error.contains("Error: \(plain) exists and is not a directory"), "\(error)")
        }

        @Test("A file that is not a database: consume exits 2 with a clear error naming the file; a damaged one: `check` lists the damage, exit 1",
              .timeLimit(.minutes(1)))
        func damagedDatabase() throws {
            let directory = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let garbage = directory + "/garbage.db"
            try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }).write(to: URL(fileURLWithPath: garbage))
            // The helper makes its SqliteHuey as a user's program does (`try SqliteHuey(...)`)
            // and hands over to HueyCommand.main, which must report the file, not trap.
            let notDatabase = try HelperProcess(["consumer", garbage, "consume", "-w", "2"], outputDirectory: directory)
            let refused = notDatabase.waitForExit(timeout: 20)
            let message = notDatabase.standardError
            #expect(exited(refused, code: 2), "\(String(describing: refused)): \(message)")
            #expect(message.contains("Error: cannot use \(garbage) as a Huey database"), "\(message)")
            #expect(message.contains("not a database"), "\(message)")
            #expect(!message.contains("Started worker") && !message.contains("Fatal error"), "\(message)")

            // A real queue, then pages in the middle overwritten.
            let damaged = directory + "/damaged.db"
            do {
                let storage = try SqliteStorage(name: "test", filename: damaged)
                try storage.enqueue(batch: (0..<3000).map { QueueItem(data: Array("call \($0)".utf8), priority: 0) })
                try storage.maintain(final: true)
                storage.closeConnections()
            }
            let sound = try HelperProcess(["consumer", damaged, "check"], outputDirectory: directory)
            #expect(exited(sound.waitForExit(timeout: 20), code: 0), "\(sound.standardOutput)\(sound.standardError)")
            #expect(sound.standardOutput.contains("sound"))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
            try handle.seek(toOffset: 4096 * 3)
            handle.write(Data(repeating: 0xA5, count: 4096 * 4))
            try handle.close()
            let check = try HelperProcess(["consumer", damaged, "check"], outputDirectory: directory)
            let exit = check.waitForExit(timeout: 20)
            #expect(exited(exit, code: 1), "\(String(describing: exit)) \(check.standardOutput)\(check.standardError)")
            #expect(check.standardOutput.contains(damaged), "\(check.standardOutput)\(check.standardError)")
        }

        @Test("`stats` and `pending` show the storage's size on disk", .timeLimit(.minutes(1)))
        func statsShowDiskSize() throws {
            let fixture = try ConsumerFixture()
            defer { fixture.stop() }
            _ = try fixture.tasks.add.map((0..<500).map { ($0, 1) })
            let stats = try fixture.start(["stats", "--json"])
            #expect(exited(stats.waitForExit(timeout: 20), code: 0), "\(stats.standardError)")
            let object = try JSONSerialization.jsonObject(with: Data(stats.standardOutput.utf8)) as? [String: Any]
            #expect(object?["pending"] as? Int == 500, "\(stats.standardOutput)")
            let bytes = object?["disk_bytes"] as? Int ?? 0
            let files = DiskSize.allocated(fixture.database) + DiskSize.allocated(fixture.database + "-wal")
            #expect(bytes >= files && bytes > 0, "\(stats.standardOutput) vs \(files) bytes of database and WAL")
            let pending = try fixture.start(["pending", "--limit", "1"])
            #expect(exited(pending.waitForExit(timeout: 20), code: 0), "\(pending.standardError)")
            #expect(pending.standardOutput.contains("Storage on disk: "), "\(pending.standardOutput)")
        }
    }
}

/// File sizes for the disk tests.
enum DiskSize {
    /// The length of `path`, 0 when it is missing.
    static func length(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The bytes allocated to `path`, 0 when it is missing.
    static func allocated(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_blocks) * 512 : 0
    }
}

/// A new scratch folder for a test.
func scratchDirectory() throws -> String {
    var template = Array("\(FileManager.default.temporaryDirectory.path)/huey-disk-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
    return String(cString: made)
}
