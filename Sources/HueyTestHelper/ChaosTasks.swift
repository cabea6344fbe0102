import Foundation
import Huey
import HueyTestSupport

/// What `chaos.fail` always throws.
struct ChaosFailure: Error, CustomStringConvertible {
    /// The call's index.
    var index: Int
    var description: String { "chaos.fail(\(index)) fails on purpose" }
}

/// The tasks of the chaos run (`HueyTestHelper chaos`, Tools/chaos/run.sh).
///
/// Registered by `consumer` (which runs them) and by the `chaos` driver (which only
/// enqueues them, with the same options, so each message carries its retries and
/// timeout). Every call takes its index `i` and returns it.
///
/// | task | options | first attempt | later attempts |
/// | --- | --- | --- | --- |
/// | `chaos.ok(i)` | retries 3 | sleeps 0–20 ms, returns `i` | the same |
/// | `chaos.crashFirst(i, dir)` | retries 2 | creates `dir/crash-<id>`, then SIGKILLs its own worker | returns `i` |
/// | `chaos.slow(i, dir)` | timeout 1 s, retries 1 | creates `dir/slow-<id>`, then never returns (the master kills it: TaskTimeout) | returns `i` |
/// | `chaos.fail(i)` | retries 1 | throws ``ChaosFailure`` | throws ``ChaosFailure`` → final error result |
///
/// "First attempt" is decided by the marker file, not by the retries left, so an
/// attempt cut short by the chaos (its worker killed, its master killed) still counts.
///
/// With `journal` set (`HUEY_CHAOS_JOURNAL` in the consumer), each body appends
/// `S <id> <pid> <unix time>` when it starts and `E <id> <pid> <unix time>` when it
/// returns a value — one `write(2)` per line, `O_APPEND` — so the driver can tell a
/// call that completed twice, and whether the first completion's worker was killed
/// before it could acknowledge.
enum ChaosTasks {
    /// The consumer's environment variable naming the journal file.
    static let journalVariable = "HUEY_CHAOS_JOURNAL"

    /// The four kinds of call, by task name.
    enum Kind: String, CaseIterable, Sendable {
        case ok = "chaos.ok"
        case crashFirst = "chaos.crashFirst"
        case slow = "chaos.slow"
        case fail = "chaos.fail"
    }

    /// The registered tasks, for enqueueing.
    struct Wrappers {
        let ok: TaskWrapper<Int, Int>
        let crashFirst: TaskWrapper<Int, String, Int>
        let slow: TaskWrapper<Int, String, Int>
        let fail: TaskWrapper<Int, Int>
    }

    /// Registers the chaos tasks on `huey`.
    /// - Parameter journal: the file the bodies append to, or nil for none.
    @discardableResult
    static func register(on huey: Huey, journal: String?) -> Wrappers {
        let ok = huey.task(Kind.ok.rawValue, retries: 3, context: true) { (context: TaskContext, i: Int) -> Int in
            log(journal, "S", context)
            usleep(UInt32.random(in: 0...20_000))
            log(journal, "E", context)
            return i
        }
        let crashFirst = huey.task(Kind.crashFirst.rawValue, retries: 2, context: true) {
            (context: TaskContext, i: Int, markers: String) -> Int in
            log(journal, "S", context)
            if createMarker("\(markers)/crash-\(context.id)") { kill(getpid(), SIGKILL) }
            log(journal, "E", context)
            return i
        }
        let slow = huey.task(Kind.slow.rawValue, retries: 1, timeout: 1, context: true) {
            (context: TaskContext, i: Int, markers: String) -> Int in
            log(journal, "S", context)
            if createMarker("\(markers)/slow-\(context.id)") { hang() }
            log(journal, "E", context)
            return i
        }
        let fail = huey.task(Kind.fail.rawValue, retries: 1, context: true) { (context: TaskContext, i: Int) -> Int in
            log(journal, "S", context)
            throw ChaosFailure(index: i)
        }
        return Wrappers(ok: ok, crashFirst: crashFirst, slow: slow, fail: fail)
    }

    /// Creates `path` if it does not exist; true when this call created it.
    private static func createMarker(_ path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// Never returns (until the master kills this worker).
    private static func hang() -> Never {
        while true { usleep(10_000) }
    }

    private static func log(_ journal: String?, _ event: String, _ context: TaskContext) {
        guard let journal else { return }
        ConsumerTasks.appendLine(journal, "\(event) \(context.id) \(getpid()) \(Date().timeIntervalSince1970)")
    }
}
