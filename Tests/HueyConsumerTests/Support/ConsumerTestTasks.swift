import Foundation
import Huey

/// What the helper's test tasks return (same shape as `ConsumerRan` in
/// Sources/HueyTestHelper/ConsumerTasks.swift): a value, the pid that ran the task, and
/// its real start and end times (Unix seconds).
struct Ran: Codable, Sendable, Equatable {
    var value: Int
    var pid: Int32
    var start: Double
    var end: Double
}

/// Raised if one of the stand-in closures below ever runs: they must not.
struct StandInRan: Error, CustomStringConvertible {
    var name: String
    var description: String { "the test process ran task \(name); only the consumer may" }
}

/// The consumer helper's tasks, registered again in the test process.
///
/// Tests cannot import the `HueyTestHelper` executable, so the real task bodies live in
/// Sources/HueyTestHelper/ConsumerTasks.swift and run only in the consumer's workers.
/// The test registers the same names **with the same options** (a call carries its
/// task's retries and timeout in its message, set by whoever enqueues it) so that it can
/// enqueue calls and read typed results. These closures are never run: nothing in the
/// test process consumes the queue, and each throws ``StandInRan`` if it ever were.
struct ConsumerTestTasks {
    /// `add(a, b)` → a + b.
    let add: TaskWrapper<Int, Int, Int>
    /// `work(n, ms)`: sleeps `ms` ms in a worker → `Ran(value: n, pid: worker)`.
    let work: TaskWrapper<Int, Int, Ran>
    /// `nap(seconds, marker)`: appends its pid to `marker`, runs `seconds`.
    let nap: TaskWrapper<Double, String, Ran>
    /// `hoard(megabytes, ms)`: keeps `megabytes` MB allocated in the worker; `value` is its resident MB.
    let hoard: TaskWrapper<Int, Int, Ran>
    /// `longOnce(seconds, marker)` (retries 2): appends its pid to `marker`; only its first
    /// run (empty marker) takes `seconds`; `value` is the number of earlier runs.
    let longOnce: TaskWrapper<Double, String, Ran>
    /// `plainSleep(seconds, marker)`: appends its pid to `marker`, then one `usleep`;
    /// `value` is usleep's return (-1 when a signal cut it short).
    let plainSleep: TaskWrapper<Double, String, Ran>
    /// `readFifo(fifo, marker)`: appends its pid to `marker`, then one blocking `read` of a
    /// byte from the named pipe `fifo`; `value` is read's return (1, or -errno).
    let readFifo: TaskWrapper<String, String, Ran>
    /// `fail(n)` (retries 1, retry delay 1 s): always throws.
    let fail: TaskWrapper<Int, Int>
    /// `registerPeriodic(name)`: registers the periodic task `name` inside its body → 1.
    let registerPeriodic: TaskWrapper<String, Int>
    /// `spin(marker)` (timeout 1, retries 1): appends its pid to `marker`, never returns.
    let spin: TaskWrapper<String, Int>
    /// `tally(n)`: appends "n pid" to the consumer's `HUEY_TEST_TALLY` file → n.
    let tally: TaskWrapper<Int, Int>
    /// `killInBatch(marker)` (retries 1): SIGKILLs its worker on its first run if that
    /// worker holds a batch ("kill <claims>" in `marker`; else "skip"); later runs append
    /// "rerun" → the number of earlier runs.
    let killInBatch: TaskWrapper<String, Int>
    /// `flaky(failures, marker)` (retries 2): fails its first `failures` runs (counted in
    /// `marker`, one line a run), then returns the number of earlier runs.
    let flaky: TaskWrapper<Int, String, Int>

    init(huey: Huey) {
        add = huey.task("add") { (_: Int, _: Int) -> Int in throw StandInRan(name: "add") }
        work = huey.task("work") { (_: Int, _: Int) -> Ran in throw StandInRan(name: "work") }
        nap = huey.task("nap") { (_: Double, _: String) -> Ran in throw StandInRan(name: "nap") }
        hoard = huey.task("hoard") { (_: Int, _: Int) -> Ran in throw StandInRan(name: "hoard") }
        longOnce = huey.task("longOnce", retries: 2) { (_: Double, _: String) -> Ran in
            throw StandInRan(name: "longOnce")
        }
        plainSleep = huey.task("plainSleep") { (_: Double, _: String) -> Ran in throw StandInRan(name: "plainSleep") }
        readFifo = huey.task("readFifo") { (_: String, _: String) -> Ran in throw StandInRan(name: "readFifo") }
        fail = huey.task("fail", retries: 1, retryDelay: 1) { (_: Int) -> Int in throw StandInRan(name: "fail") }
        registerPeriodic = huey.task("registerPeriodic") { (_: String) -> Int in
            throw StandInRan(name: "registerPeriodic")
        }
        spin = huey.task("spin", retries: 1, timeout: 1) { (_: String) -> Int in throw StandInRan(name: "spin") }
        tally = huey.task("tally") { (_: Int) -> Int in throw StandInRan(name: "tally") }
        killInBatch = huey.task("killInBatch", retries: 1) { (_: String) -> Int in throw StandInRan(name: "killInBatch") }
        flaky = huey.task("flaky", retries: 2) { (_: Int, _: String) -> Int in throw StandInRan(name: "flaky") }
    }
}
