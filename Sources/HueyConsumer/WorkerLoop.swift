import Foundation
import Logging

/// The claim-execute-ack loop shared by process and thread workers.
///
/// Claims the next call and runs it with ``Huey/execute(_:in:claimingNextFor:)``, whose
/// ack claims the call after it in the same transaction (on a ``ChainingStorage``), so a
/// busy worker commits once per task. A worker that is stopping, or about to reach
/// `--max-tasks`, claims nothing with its ack, and a call claimed that way but not yet run
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

    /// Runs until told to stop or until `--max-tasks`; returns the tasks run.
    @discardableResult
    func run() -> Int {
        let storage = huey.storage
        var done = 0
        var delay = options.delay
        var holdsStuckClaim = false
        /// A call claimed with the previous call's ack: the next one to run.
        var next: NextCall?
        while !shouldStop() {
            if holdsStuckClaim {
                // A claim this worker could not ack or release is still ours: put it back
                // before taking new work, or it would stay claimed by a live worker forever.
                holdsStuckClaim = !recoverOwnClaims(storage)
                if holdsStuckClaim {
                    sleep(seconds: delay)
                    delay = nextDelay(after: delay)
                    continue
                }
            }
            do {
                busyChanged(true)
                let retiring = options.maxTasks.map { done + 1 >= $0 } ?? false
                if try runOne(&next, storage: storage, chaining: !retiring && !shouldStop()) {
                    done += 1
                    delay = options.delay
                    if retiring, let maxTasks = options.maxTasks {
                        logger.info("worker \(owner.pid) ran \(done) tasks (-M \(maxTasks)), retiring")
                        break
                    }
                    continue
                }
            } catch {
                logger.error("worker \(owner.pid): storage error: \(error); retrying in \(format(delay)) s")
                holdsStuckClaim = !recoverOwnClaims(storage)
                sleep(seconds: delay)
                delay = nextDelay(after: delay)
                continue
            }
            busyChanged(false)
            whenIdle()
            wait(for: delay, storage: storage)
            delay = nextDelay(after: delay)
        }
        if let next { putBack(next, storage: storage) }
        return done
    }

    /// Runs `next` (a call claimed by the previous ack) or else claims a call and runs it;
    /// with `chaining`, `next` becomes the call claimed by this one's ack. Returns false
    /// when the queue was empty.
    private func runOne(_ next: inout NextCall?, storage: any Storage, chaining: Bool) throws -> Bool {
        let chainFor = chaining ? owner : nil
        if let held = next {
            next = nil
            next = try huey.execute(held, in: storage, claimingNextFor: chainFor)
            return true
        }
        guard let claim = try storage.claim(owner: owner, now: huey.clock().timeIntervalSince1970) else {
            return false
        }
        next = try huey.execute(claim, in: storage, claimingNextFor: chainFor)
        return true
    }

    /// Returns a call claimed but not started to the queue (the worker is stopping).
    private func putBack(_ call: NextCall, storage: any Storage) {
        do {
            try storage.release(call.claim)
        } catch {
            // Still held by this worker: the consumer recovers it once this worker is gone.
            logger.error("worker \(owner.pid): cannot put a call it did not start back in the queue: \(error)")
        }
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

    /// After a storage error a process worker puts back any claim it still holds (the
    /// call may have half-run; it runs again — at least once — rather than stay claimed
    /// by a live worker forever). Thread workers share an owner and leave that to the
    /// next consumer's recovery. Returns false when a claim could not be put back (the
    /// storage is still failing), so the loop tries again before claiming anything new.
    private func recoverOwnClaims(_ storage: any Storage) -> Bool {
        guard ownsItsClaims else { return true }
        do {
            for claim in try storage.claims() where claim.owner == owner {
                try huey.interrupt(claim, in: storage)
                logger.warning("worker \(owner.pid): put call back in the queue after a storage error")
            }
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
