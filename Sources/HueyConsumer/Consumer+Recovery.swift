import Foundation
import Huey
import Logging

/// The master's claim scans, each a ``ClaimRecovery`` sweep judged by the policy table
/// (``ClaimVerdict``): overrunning tasks, the claims of reaped workers, and orphans.
extension Consumer {
    /// The claim recovery of this consumer.
    var recovery: ClaimRecovery { ClaimRecovery(huey: huey, logger: logger) }

    /// Finds claims past their deadline and tells the pool: a process pool kills the
    /// worker (the claim fails with ``TaskTimeout`` once it is reaped); a thread pool warns,
    /// timeouts being cooperative there.
    func checkDeadlines(clock: Double) {
        let recovery = self.recovery
        do {
            for claim in try recovery.overrunning(at: clock) {
                pool.overran(claim, named: recovery.describe(claim), timeout: recovery.timeout(of: claim))
            }
        } catch {
            logger.error("cannot read claims to check timeouts: \(error)")
        }
    }

    /// Recovers the claims of reaped workers, as decided when each was reaped. Kept for
    /// the next tick when the storage fails.
    func recoverReapedClaims() {
        guard !recoveries.isEmpty else { return }
        let recovery = self.recovery
        do {
            for (pid, worker) in recoveries {
                let held = try recovery.sweep { claim in
                    claim.owner.isLocal && claim.owner.pid == pid && !claim.owner.isAlive
                        ? worker.recovery.verdict(for: claim) : nil
                }
                recoveries.removeValue(forKey: pid)
                pool.noteRecovered(worker, heldTask: held > 0)
            }
            recoveryFailures = 0
        } catch {
            recoveryFailures += 1
            logStorageError("cannot recover the tasks of dead workers yet", error)
        }
    }

    /// The health check's claim scan: claims whose owner is gone and was not one of this
    /// master's workers (a consumer that was SIGKILLed, a crashed consumer's threads, a
    /// machine that stopped sending heartbeats to a shared storage) are requeued
    /// (``ClaimVerdict/orphaned``). Runs at start and every `-c` seconds.
    func recoverOrphanedClaims() {
        let storage = huey.storage
        do {
            try recovery.sweep { claim in
                let pid = claim.owner.pid
                if claim.owner.isLocal, pool.owns(pid: pid) || recoveries[pid] != nil { return nil }
                return try storage.isAlive(claim.owner) ? nil : .orphaned
            }
        } catch {
            logStorageError("health check: cannot recover claims of dead processes", error)
        }
    }
}
