import Foundation
import Huey

/// What a test task returns: its value, the pid of the process that ran it, and when it
/// started and ended (real Unix seconds, not `huey.clock`).
///
/// Tests/HueyConsumerTests/Support/ConsumerTestTasks.swift declares the same shape.
struct ConsumerRan: Codable, Sendable {
    var value: Int
    var pid: Int32
    var start: Double
    var end: Double
}

/// What the helper's `fail` task throws.
struct HelperTaskFailure: Error, CustomStringConvertible {
    var n: Int
    var description: String { "fail(\(n)) failed as asked" }
}

/// The tasks the consumer process tests run, registered by `consumer` before it starts.
///
/// The test process registers the same names with the same options (it cannot import
/// this executable) only to enqueue calls and read results; keep both lists in step:
/// Tests/HueyConsumerTests/Support/ConsumerTestTasks.swift.
///
/// Marker files are appended to with one `write(2)` per line (`O_APPEND`), so lines from
/// several processes never interleave; a test reads them to see which process ran what.
enum ConsumerTasks {
    /// What `hoard` keeps (a worker process's memory, never freed).
    nonisolated(unsafe) static var hoarded: [[UInt8]] = []

    static func register(on huey: Huey, environment: [String: String]) throws {
        let tally = environment["HUEY_TEST_TALLY"]
        huey.task("add") { (a: Int, b: Int) in a + b }

        // `work(n, ms)`: sleeps `ms` milliseconds, returns n with the worker's pid.
        huey.task("work") { (n: Int, milliseconds: Int) -> ConsumerRan in
            let start = Date().timeIntervalSince1970
            if milliseconds > 0 { usleep(UInt32(milliseconds) * 1000) }
            return ConsumerRan(value: n, pid: getpid(), start: start, end: Date().timeIntervalSince1970)
        }

        // `hoard(megabytes, ms)`: allocates `megabytes` MB, writes every page and keeps it for the
        // rest of the worker's life, then sleeps `ms` milliseconds; returns the worker's
        // resident MB at the end of the body (for `--max-memory` tests).
        huey.task("hoard") { (megabytes: Int, milliseconds: Int) -> ConsumerRan in
            let start = Date().timeIntervalSince1970
            hoarded.append([UInt8](repeating: 1, count: megabytes << 20))
            if milliseconds > 0 { usleep(UInt32(milliseconds) * 1000) }
            let resident = (ProcessTable.residentBytes(of: getpid()) ?? 0) >> 20
            return ConsumerRan(value: resident, pid: getpid(), start: start, end: Date().timeIntervalSince1970)
        }

        // `nap(seconds, marker)`: appends its pid to `marker`, then runs for `seconds`.
        huey.task("nap") { (seconds: Double, marker: String) -> ConsumerRan in
            let start = Date().timeIntervalSince1970
            appendLine(marker, "\(getpid())")
            busyWait(until: start + seconds)
            return ConsumerRan(value: 0, pid: getpid(), start: start, end: Date().timeIntervalSince1970)
        }

        // `longOnce(seconds, marker)`: the first run (empty marker) runs for `seconds`;
        // later runs return at once — so a requeued call finishes quickly.
        huey.task("longOnce", retries: 2) { (seconds: Double, marker: String) -> ConsumerRan in
            let start = Date().timeIntervalSince1970
            let earlier = lineCount(marker)
            appendLine(marker, "\(getpid())")
            if earlier == 0 { busyWait(until: start + seconds) }
            return ConsumerRan(value: earlier, pid: getpid(), start: start, end: Date().timeIntervalSince1970)
        }

        // `plainSleep(seconds, marker)`: appends its pid to `marker`, then ONE `usleep` — no
        // loop resuming it — so a signal that interrupts it shows as a short run.
        // `value` is usleep's return (0, or -1 when interrupted).
        huey.task("plainSleep") { (seconds: Double, marker: String) -> ConsumerRan in
            let start = Date().timeIntervalSince1970
            appendLine(marker, "\(getpid())")
            let returned = usleep(UInt32(seconds * 1_000_000))
            return ConsumerRan(value: Int(returned), pid: getpid(), start: start, end: Date().timeIntervalSince1970)
        }

        // `readFifo(fifo, marker)`: opens the named pipe `fifo` (read-write, so it never sees
        // end-of-file), appends its pid (and thread name) to `marker`, then makes ONE blocking `read` of a byte.
        // `value` is read's return: 1 when the byte came, -errno when interrupted.
        huey.task("readFifo") { (fifo: String, marker: String) -> ConsumerRan in
            let start = Date().timeIntervalSince1970
            let fd = open(fifo, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return ConsumerRan(value: -1000 - Int(errno), pid: getpid(), start: start, end: start) }
            defer { close(fd) }
            // A worker thread (-k thread) adds its name: "<pid> huey-worker-<n>".
            let text = ProcessTable.currentThreadName ?? ""
            let thread = text.hasPrefix("huey-worker-") ? " \(text)" : ""
            appendLine(marker, "\(getpid())\(thread)")
            var byte: UInt8 = 0
            let count = read(fd, &byte, 1)
            let value = count < 0 ? -Int(errno) : count
            return ConsumerRan(value: value, pid: getpid(), start: start, end: Date().timeIntervalSince1970)
        }

        // `lockedTally(n)`: `tally` under the lock `helper-task-lock` (so `-f` has a task lock
        // to flush). Not enqueued by the tests.
        huey.task("lockedTally", lock: "helper-task-lock") { (n: Int) -> Int in
            if let tally { appendLine(tally, "\(n) \(getpid())") }
            return n
        }

        // `fail(n)` (retries 1, retry delay 1 s): always throws.
        huey.task("fail", retries: 1, retryDelay: 1) { (n: Int) -> Int in
            throw HelperTaskFailure(n: n)
        }

        // `flaky(failures, marker)` (retries 2): its first `failures` runs throw (runs are
        // counted as lines in `marker`); then it returns the number of earlier runs.
        huey.task("flaky", retries: 2) { (failures: Int, marker: String) -> Int in
            let earlier = lineCount(marker)
            appendLine(marker, "\(getpid())")
            if earlier < failures { throw HelperTaskFailure(n: earlier) }
            return earlier
        }

        if let signals = environment["HUEY_TEST_SIGNALS"] {
            // Every signal heard in any process of the consumer: "<signal> <task> <id> <pid>".
            huey.signal { signal, call, _ in appendLine(signals, "\(signal.rawValue) \(call.name) \(call.id) \(getpid())") }
        }

        // `registerPeriodic(name)`: registers a periodic task `name` (every minute, appending
        // "<name> <pid>" to $HUEY_TEST_TALLY) from inside a task body — Huey's "dynamic
        // periodic task" — and returns 1.
        huey.task("registerPeriodic") { (name: String) -> Int in
            huey.periodicTask(name, try crontab(minute: "*")) {
                if let tally { appendLine(tally, "\(name) \(getpid())") }
            }
            return 1
        }

        // `spin(marker)`: appends its pid to `marker`, then never returns.
        huey.task("spin", retries: 1, timeout: 1) { (marker: String) -> Int in
            appendLine(marker, "\(getpid())")
            var turns = 0
            while Date().timeIntervalSince1970 > 0 { turns &+= 1 }
            return turns
        }

        // `killInBatch(marker)` (retries 1): on its first run (empty marker), if its worker
        // holds other claims too (a batch), appends "kill <claims held>" and SIGKILLs its
        // own worker; else appends "skip". Later runs append "rerun". Returns the number of
        // earlier runs.
        huey.task("killInBatch", retries: 1) { (marker: String) -> Int in
            let earlier = lineCount(marker)
            if earlier == 0 {
                let pid = getpid()
                let held = try huey.storage.claims().filter { $0.owner.pid == pid }.count
                guard held >= 2 else {
                    appendLine(marker, "skip")
                    return 0
                }
                appendLine(marker, "kill \(held)")
                kill(pid, SIGKILL)
            }
            appendLine(marker, "rerun")
            return earlier
        }

        // `tally(n)`: appends "n pid" to $HUEY_TEST_TALLY (one O_APPEND write) and returns n,
        // so a test can count how often each call ran.
        huey.task("tally") { (n: Int) -> Int in
            if let tally { appendLine(tally, "\(n) \(getpid())") }
            return n
        }

        if let file = environment["HUEY_TEST_PERIODIC_FILE"] {
            try registerPeriodic(on: huey, file: file)
        }

        if environment["HUEY_TEST_URGENT_PERIODIC"] == "1" {
            // `urgent`: every minute at priority 100, appends "urgent <pid>" to $HUEY_TEST_TALLY.
            huey.periodicTask("urgent", try crontab(minute: "*"), priority: 100) {
                if let tally { appendLine(tally, "urgent \(getpid())") }
            }
        }
    }

    /// `record`, every minute (`crontab(minute: "*")`).
    ///
    /// The schedule predicate is the crontab's, and it also appends `E <minute> <pid> <real time>` when
    /// it answers yes (the master deciding to enqueue for that minute); the body appends
    /// `R <minute> <pid> <real time>`. Minutes are `huey.clock()` minutes since 1970;
    /// real time is Unix seconds.
    private static func registerPeriodic(on huey: Huey, file: String) throws {
        let cron = try crontab(minute: "*")
        let zone = huey.timeZone
        huey.periodicTask(
            "record",
            { date in
                let due = cron.matches(date, timeZone: zone)
                if due { appendLine(file, "E \(minute(date)) \(getpid()) \(Date().timeIntervalSince1970)") }
                return due
            }
        ) {
            appendLine(file, "R \(minute(huey.clock())) \(getpid()) \(Date().timeIntervalSince1970)")
        }
    }

    static func minute(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// Returns at `deadline` (real Unix seconds), sleeping in short steps so a signal that
    /// interrupts `usleep` does not end the wait early.
    private static func busyWait(until deadline: Double) {
        while Date().timeIntervalSince1970 < deadline { usleep(1_000) }
    }

    /// Appends `line` and a newline to `path` in one write.
    static func appendLine(_ path: String, _ line: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    private static func lineCount(_ path: String) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").count
    }
}
