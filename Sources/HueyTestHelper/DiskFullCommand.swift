import Foundation
import Huey
import HueyTestSupport

/// `disk-full <sqlite|file> <dir> [--tasks N] [-k process|thread]`: a consumer meets a full disk and carries on
/// when space returns. Run it as root in a private mount namespace
/// (`unshare -m --propagation private HueyTestHelper disk-full …`): it mounts a 16 MiB tmpfs
/// on `<dir>/disk` (gone with the namespace), and there:
/// 1. opens the queue (`queue.db` or `queue/`), enqueues N calls of `work(i, 10)` (default
///    300) and starts `consumer … consume -w 2 -k <kind>` (its log in `<dir>/consumer.log`;
///    process workers unless `-k thread`);
/// 2. once 40 calls have results, fills the rest of the disk with `<dir>/disk/filler`;
/// 3. checks that an enqueue of 20 calls now throws `StorageError` `.full` and adds none of them (or, rarely, all: see checkEnqueueFails);
/// 4. waits until the workers have said the disk is full, and no result came for 2 s;
/// 5. removes the filler and waits (up to 120 s) until every call has its result (its own
///    value), and the queue, the schedule and the claims are empty;
/// 6. stops the consumer with SIGINT and checks that it exited 0, logged the full disk
///    at most a few times per process (not once per retry) and logged no error.
///
/// Prints `disk-full: …` lines and a last `disk-full-result …` line; exits 0 when every
/// check passed, 1 when one failed (each printed as `FAILED: …`), 2 on bad arguments or
/// when it cannot mount (not root, no private namespace).
enum DiskFullCommand {
    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.count >= 2, ["sqlite", "file"].contains(arguments[0]) else {
            FileHandle.standardError.write(
                Data("usage: disk-full <sqlite|file> <dir> [--tasks N] [-k process|thread]\n".utf8))
            return 2
        }
        var tasks = 300
        var workerType = "process"
        var options = arguments.dropFirst(2)
        while let flag = options.popFirst() {
            switch (flag, options.popFirst()) {
            case ("--tasks", let value?) where (Int(value) ?? 0) >= 60: tasks = Int(value) ?? tasks
            case ("-k", let value?) where ["process", "thread"].contains(value): workerType = value
            default:
                FileHandle.standardError.write(Data("disk-full: bad option \(flag)\n".utf8))
                return 2
            }
        }
        let mountPoint = arguments[1] + "/disk"
        do {
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        } catch {
            say("cannot create \(mountPoint): \(error)")
            return 2
        }
        guard mount("tmpfs", mountPoint, "tmpfs", 0, "size=16m,mode=0700") == 0 else {
            say("cannot mount a tmpfs on \(mountPoint) (errno \(errno)): run as root under unshare -m")
            return 2
        }
        let storage: HelperHuey =
            arguments[0] == "sqlite" ? .sqlite(path: mountPoint + "/queue.db") : .file(directory: mountPoint + "/queue")
        var run = DiskFullRun(
            storage: storage, log: arguments[1] + "/consumer.log", filler: mountPoint + "/filler", workerType: workerType)
        run.execute(tasks: tasks)
        for failure in run.failures { say("FAILED: \(failure)") }
        say("disk-full-result storage=\(arguments[0]) workers=\(workerType) tasks=\(tasks) failures=\(run.failures.count) \(run.figures)")
        return run.failures.isEmpty ? 0 : 1
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The steps of ``DiskFullCommand``.
struct DiskFullRun {
    let storage: HelperHuey
    let log: String
    let filler: String
    /// `-k`: "process" or "thread".
    let workerType: String
    private(set) var failures: [String] = []
    private(set) var figures = ""

    init(storage: HelperHuey, log: String, filler: String, workerType: String) {
        self.storage = storage
        self.log = log
        self.filler = filler
        self.workerType = workerType
    }

    mutating func execute(tasks: Int) {
        let huey: Huey
        do { huey = try storage.open() } catch {
            failures.append("cannot open the storage: \(error)")
            return
        }
        // A stand-in with the helper's task name and options: only the consumer runs it.
        let work = huey.task("work") { (n: Int, ms: Int) -> ConsumerRan in
            ConsumerRan(value: -n, pid: 0, start: 0, end: 0)
        }
        let group: ResultGroup<ConsumerRan>
        let consumer: HelperProcess
        do {
            group = try work.map((0..<tasks).map { ($0, 10) })
            consumer = try HelperProcess(
                ["consumer"] + storage.consumerArguments + ["consume", "-w", "2", "-k", workerType, "-l", log],
                outputDirectory: (log as NSString).deletingLastPathComponent)
        } catch {
            failures.append("cannot enqueue or start the consumer: \(error)")
            return
        }
        defer {
            consumer.send(SIGKILL)
            for process in ProcessTable.running(withArgument: storage.path) { kill(process.pid, SIGKILL) }
        }
        let count = { (try? huey.resultCount) ?? -1 }
        guard waitUntil(timeout: 60, { count() >= 40 }) else {
            failures.append("no 40 results within 60 s (\(count())); see \(log)")
            return
        }
        let doneBeforeFull = count()
        fillDisk()
        checkEnqueueFails(huey, work: work)
        // The workers notice when their next write needs space; results stop coming.
        let noticed = waitUntil(timeout: 60) { Self.lines(of: log).contains { $0.contains("Waiting for space") } }
        if !noticed { failures.append("no worker said the disk is full within 60 s; see \(log)") }
        var stalled = count()
        _ = waitUntil(timeout: 20) {
            usleep(2_000_000)
            let now = count()
            defer { stalled = now }
            return now == stalled
        }
        let doneWhileFull = count()
        if doneWhileFull >= tasks { failures.append("every call finished although the disk was full") }
        unlink(filler)
        let finished = waitUntil(timeout: 120) { count() >= tasks && ((try? huey.pendingCount) ?? 1) == 0 }
        if !finished { failures.append("only \(count()) of \(tasks) results 120 s after space returned; see \(log)") }
        checkResults(group, tasks: tasks, huey: huey)
        consumer.send(SIGINT)
        let exit = consumer.waitForExit(timeout: 30)
        if exit != ProcessExit(reason: .exited, status: 0) {
            failures.append("the consumer's graceful stop ended with \(exit.map(\.description) ?? "no exit")")
        }
        let warnings = Self.lines(of: log).count { $0.contains("Waiting for space") || $0.contains("The disk is full") }
        if warnings > 6 { failures.append("\(warnings) full-disk warnings: more than one per process per minute") }
        // Without the pause each worker logged an error per retry (70–130 lines here).
        let errors = Self.lines(of: log).count { $0.contains(" ERROR ") }
        if errors > 0 { failures.append("\(errors) error lines: a full disk is a pause, logged as warnings") }
        figures = "before-full=\(doneBeforeFull) while-full=\(doneWhileFull) warnings=\(warnings) errors=\(errors) "
            + "back=\(Self.lines(of: log).count { $0.contains("has space again") })"
    }

    /// Writes `filler` until the file system says it is full.
    private mutating func fillDisk() {
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            failures.append("cannot create the filler file (errno \(errno))")
            return
        }
        defer { close(fd) }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        if errno != ENOSPC { failures.append("filling the disk stopped with errno \(errno), not ENOSPC") }
    }

    /// With the disk full, an enqueue throws `.full` and leaves none or (rarely, see the check) all of its calls.
    private mutating func checkEnqueueFails(_ huey: Huey, work: TaskWrapper<Int, Int, ConsumerRan>) {
        let before = (try? huey.storage.enqueuedItems(limit: nil).count) ?? -1
        do {
            _ = try work.map((0..<20).map { (100_000 + $0, 0) })
            failures.append("an enqueue of 20 calls on a full disk did not throw")
        } catch let error as StorageError {
            if error.code != .full { failures.append("an enqueue on a full disk threw \(error.code): \(error)") }
            DiskFullCommand.say("disk-full: enqueue on the full disk: \(error)")
        } catch {
            failures.append("an enqueue on a full disk threw \(error)")
        }
        let items = (try? huey.storage.enqueuedItems(limit: nil)) ?? []
        let added = items.count {
            guard let message = try? JSONCodec.decode(Message.self, from: $0) else { return false }
            if case .int(let n)? = message.args.first { return n >= 100_000 }
            return false
        }
        // All or nothing: SQLite can report `.full` for a commit whose log record reached the WAL
        // before a later write failed (seen once in many runs); the batch is then there whole.
        // Part of it would be a broken transaction.
        if added != 0 && added != 20 {
            failures.append("\(added) of 20 calls of the failed enqueue are in the queue (was \(before) queued)")
        }
        if added == 20 { DiskFullCommand.say("disk-full: the failed enqueue's commit reached the WAL (all 20 calls there)") }
    }

    /// Every call has its own value; queue, schedule and claims are empty.
    private mutating func checkResults(_ group: ResultGroup<ConsumerRan>, tasks: Int, huey: Huey) {
        var wrong = 0
        var missing = 0
        for (index, result) in group.results.enumerated() {
            switch Result(catching: { try result() }) {
            case .success(let ran?): if ran.value != index { wrong += 1 }
            case .success(nil): missing += 1
            case .failure: wrong += 1
            }
        }
        if missing > 0 || wrong > 0 { failures.append("\(missing) calls without a result, \(wrong) with a wrong one") }
        let left = [
            ("queue", (try? huey.pendingCount) ?? -1), ("schedule", (try? huey.scheduledCount) ?? -1),
            ("claims", (try? huey.storage.claims().count) ?? -1),
        ]
        for (name, count) in left where count != 0 { failures.append("\(count) left in \(name)") }
    }

    private static func lines(of path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
