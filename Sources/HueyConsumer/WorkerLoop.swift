import Foundation
import Logging

/// A worker's life around the claim-execute loop (``TaskRunner``), shared by process and
/// thread workers: stop requests, `--max-tasks`, `--max-memory`, idle waits and storage errors.
///
/// With a ``memoryCap`` (process workers with `--max-memory`), the worker reads its resident
/// memory after each task's body, before the ack; past the cap the ack claims nothing more
/// and the worker retires like `-M` — between tasks, never during one.
///
/// The runner's ack claims the call after it in the same transaction (on a
/// ``ChainingStorage``), so a busy worker commits once per task — or once per batch of
/// calls on a deep queue (``BatchClaimingStorage``). A worker that is
/// stopping, or about to reach `--max-tasks`, claims nothing with its ack, and a call claimed that way but not yet run
/// when a stop arrives is put back in the queue before the loop ends.
///
/// When the queue is empty it waits with ``Storage/waitForWork(timeout:)`` for `-d`
/// seconds, then `-b` times longer each time up to `-m`, and goes back to the first wait
/// as soon as it runs a task. The wait is cut into slices of at most ``waitSlice`` seconds
/// so a stop request is seen promptly. Storage errors are logged and backed off from; they
/// never end the loop.
struct WorkerLoop {
    /// Longest single `waitForWork` call, so stop requests are noticed within it.
    static let waitSlice = 0.25

    let huey: Huey
    let options: ConsumerOptions
    let logger: Logger
    /// The claim owner (the worker process, or the consumer process for threads).
    let owner: ClaimOwner
    /// Whether this worker's claims are its own alone (process workers), so it may put
    /// them back after a storage error in the middle of a task.
    let ownsItsClaims: Bool
    /// Asked before every claim and during waits.
    let shouldStop: () -> Bool
    /// Called each time the queue is found empty, before the idle wait (a process worker
    /// looks for periodic tasks registered by its task bodies there).
    var whenIdle: () -> Void = {}
    /// Told `true` before each attempt to claim and run a call, `false` when the queue was
    /// empty (a thread worker shows the master whether it is idle, for SIGTTOU).
    var busyChanged: (Bool) -> Void = { _ in }
    /// Told each call just before it runs, and `nil` once it has run (see ``TaskRunner/willRun``).
    var willRun: (Claim?) -> Void = { _ in }
    /// Resident bytes past which the worker retires after a task (nil: no cap).
    var memoryCap: Int? = nil

    /// Runs until told to stop or until `--max-tasks`; returns the tasks run.
    @discardableResult
    func run() -> Int {
        let storage = huey.storage
        var runner = TaskRunner(huey: huey, owner: owner, storage: storage)
        runner.willRun = willRun
        var done = 0
        var delay = options.delay
        var holdsStuckClaim = false
        while !shouldStop() {
            if holdsStuckClaim {
                // A claim this worker could not ack or release is still ours: put it back
                // before taking new work, or it would stay claimed by a live worker forever.
                holdsStuckClaim = !recoverOwnClaims()
                if holdsStuckClaim {
                    sleep(seconds: delay)
                    delay = nextDelay(after: delay)
                    continue
                }
            }
            do {
                busyChanged(true)
                let retiring = options.maxTasks.map { done + 1 >= $0 } ?? false
                var overCap = false
                let ran = try runner.runNext(chaining: !retiring && !shouldStop()) {
                    overCap = isOverMemoryCap()
                    return !overCap
                }
                if ran {
                    done += 1
                    delay = options.delay
                    if retiring, let maxTasks = options.maxTasks {
                        logger.info("worker \(owner.pid) ran \(done) tasks (-M \(maxTasks)), retiring")
                        break
                    }
                    if overCap { break }
                    continue
                }
            } catch {
                logger.error("worker \(owner.pid): storage error: \(error); retrying in \(format(delay)) s")
                holdsStuckClaim = !recoverOwnClaims()
                sleep(seconds: delay)
                delay = nextDelay(after: delay)
                continue
            }
            busyChanged(false)
            whenIdle()
            wait(for: delay, storage: storage)
            delay = nextDelay(after: delay)
        }
        do {
            try runner.putBack()
        } catch {
            // Still held by this worker: the consumer recovers it once this worker is gone.
            logger.error("worker \(owner.pid): cannot put a call it did not start back in the queue: \(error)")
        }
        return done
    }

    /// Whether this worker's resident memory is past ``memoryCap`` (logged when it is).
    private func isOverMemoryCap() -> Bool {
        guard let memoryCap, let resident = ProcessTable.residentBytes(of: owner.pid), resident > memoryCap else {
            return false
        }
        logger.info("worker \(owner.pid) uses \(resident >> 20) MB after a task (--max-memory \(memoryCap >> 20)), retiring")
        return true
    }

    private func nextDelay(after delay: Double) -> Double {
        min(max(delay, 0.001) * options.backoff, options.maxDelay)
    }

    /// Waits up to `seconds` for work, in slices, returning early when work may be ready
    /// or a stop was requested.
    private func wait(for seconds: Double, storage: any Storage) {
        let end = MonotonicClock.now() + seconds
        while !shouldStop() {
            let remaining = end - MonotonicClock.now()
            if remaining <= 0 { return }
            do {
                if try storage.waitForWork(timeout: min(remaining, Self.waitSlice)) { return }
            } catch {
                logger.error("worker \(owner.pid): waiting for work failed: \(error)")
                sleep(seconds: min(remaining, Self.waitSlice))
            }
        }
    }

    /// After a storage error a process worker puts back any claim it still holds
    /// (``ClaimVerdict/releasedAfterError``: the call may have half-run; it runs again — at
    /// least once — rather than stay claimed by a live worker forever). Thread workers share
    /// an owner and leave that to the next consumer's recovery. Returns false when a claim
    /// could not be put back (the storage is still failing), so the loop tries again before
    /// claiming anything new.
    private func recoverOwnClaims() -> Bool {
        guard ownsItsClaims else { return true }
        do {
            try ClaimRecovery(huey: huey, logger: logger).sweep { $0.owner == owner ? .releasedAfterError : nil }
            return true
        } catch {
            logger.error("worker \(owner.pid): cannot release its claims yet: \(error)")
            return false
        }
    }

    private func sleep(seconds: Double) {
        let end = MonotonicClock.now() + seconds
        while !shouldStop() {
            let remaining = end - MonotonicClock.now()
            if remaining <= 0 { return }
            usleep(UInt32(min(remaining, Self.waitSlice) * 1_000_000))
        }
    }
}

/// A number of seconds for a log line: "0.1", "1.52".
func format(_ seconds: Double) -> String {
    let rounded = (seconds * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
