import Foundation
import Logging

extension Consumer {
    /// One scheduler tick: due scheduled calls to the queue, then the periodic tasks of
    /// any minute not yet enqueued.
    func runScheduler(clock: Double) {
        do {
            let moved = try huey.enqueueDueScheduled(now: Date(timeIntervalSince1970: clock))
            if moved > 0 { logger.debug("Moved \(moved) scheduled call(s) to the queue.") }
        } catch {
            logStorageError("scheduler: cannot move due calls to the queue", error)
        }
        guard options.periodic else { return }
        let minute = PeriodicMinutes.minute(of: clock)
        guard minute > periodicMinutes.lastMinute else { return }
        if minute > periodicMinutes.lastMinute + 1 {
            logger.warning("scheduler: skipped periodic tasks of \(minute - periodicMinutes.lastMinute - 1) minute(s).")
        }
        do {
            let names = try huey.enqueuePeriodicTasks(at: Date(timeIntervalSince1970: Double(minute) * 60))
            periodicMinutes.lastMinute = minute
            for name in names { logger.info("Enqueueing periodic task \(name).") }
        } catch {
            // lastMinute is unchanged: the next tick of this minute tries again.
            logStorageError("scheduler: cannot enqueue periodic tasks", error)
        }
    }

    /// Finds claims past their deadline. Process mode: kills the worker holding one
    /// (SIGTERM, SIGKILL after the grace period); the claim fails with ``TaskTimeout``
    /// when it is reaped. Thread mode: timeouts are cooperative, so it only warns.
    func checkDeadlines(clock: Double) {
        let claims: [Claim]
        do { claims = try huey.storage.claims() } catch {
            logger.error("cannot read claims to check timeouts: \(error)")
            return
        }
        for claim in claims where claim.owner.isLocal {
            guard let deadline = claim.deadline, deadline <= clock else { continue }
            let timeout = timeout(of: claim)
            switch options.workerType {
            case .process:
                guard let record = processes[claim.owner.pid], record.fate == .running || record.fate == .retiring
                else { continue }
                logger.warning(
                    "Task \(describe(claim)) ran past its timeout of \(format(timeout)) s; killing worker \(record.number) (pid \(record.pid)).")
                terminate(record.pid, fate: .timedOut(token: claim.token, timeout: timeout))
            case .thread:
                guard claim.owner.pid == masterPID, overrunWarnings.insert(claim.token).inserted else { continue }
                logger.warning(
                    "Task \(describe(claim)) ran past its timeout of \(format(timeout)) s; thread workers stop only when the task checks (TaskContext.checkTimeout()).")
            }
        }
        if overrunWarnings.count > 1000 { overrunWarnings.removeAll() }
    }

    /// Tells a storage shared between machines that this consumer still runs (so no other
    /// machine takes its workers' claims). Logged, never fatal: heartbeats resume with the storage.
    func sendHeartbeat() {
        do { try huey.storage.heartbeat(now: Date().timeIntervalSince1970) } catch {
            logger.error("cannot send this consumer's heartbeat to the storage: \(error)")
        }
    }

    /// Recovers the claims of reaped workers, as decided when each was reaped. Kept for
    /// the next tick when the storage fails.
    func recoverReapedClaims() {
        guard !recoveries.isEmpty else { return }
        let storage = huey.storage
        do {
            let claims = try storage.claims()
            for (pid, recovery) in recoveries {
                let held = claims.filter { $0.owner.isLocal && $0.owner.pid == pid && !$0.owner.isAlive }
                for claim in held { try recover(claim, recovery, storage: storage) }
                recoveries.removeValue(forKey: pid)
                if case .crash(_, let early) = recovery { noteCrash(early: early, heldTask: !held.isEmpty) }
            }
            recoveryFailures = 0
        } catch {
            recoveryFailures += 1
            logStorageError("cannot recover the tasks of dead workers yet", error)
        }
    }

    private func recover(_ claim: Claim, _ recovery: Recovery, storage: any Storage) throws {
        switch recovery {
        case .interrupt:
            try huey.interrupt(claim, in: storage)
            logger.info("Task \(describe(claim)) was interrupted; back in the queue.")
        case .timeout(let token, let timeout) where token == claim.token:
            try huey.fail(claim, with: TaskTimeout(timeout: timeout), in: storage)
        case .timeout:
            try huey.interrupt(claim, in: storage)
            logger.info("Task \(describe(claim)) was interrupted; back in the queue.")
        case .crash(let reason, _):
            try huey.fail(claim, with: WorkerCrashed(reason: reason), in: storage)
        }
    }

    /// The health check's claim scan: claims whose owner is gone and was not one of this
    /// master's workers (a consumer that was SIGKILLed, a crashed consumer's threads, a
    /// machine that stopped sending heartbeats to a shared storage) are requeued. Runs at
    /// start and every `-c` seconds.
    func recoverOrphanedClaims() {
        let storage = huey.storage
        do {
            for claim in try storage.claims() {
                let pid = claim.owner.pid
                if claim.owner.isLocal, processes[pid] != nil || recoveries[pid] != nil { continue }
                guard try !storage.isAlive(claim.owner) else { continue }
                // DESIGN §6: a claim left by a process that is not our child (a master that was
                // SIGKILLed took its workers with it) is requeued without using a retry: the
                // task was interrupted, we cannot tell that it crashed anything.
                try huey.interrupt(claim, in: storage)
                // "<pid>." is what log readers (the chaos driver) match; another machine's owner adds " on <host>".
                let place = claim.owner.isLocal ? "" : " on \(claim.owner.host)"
                logger.warning("Requeued task \(describe(claim)) left by dead process \(pid)\(place).")
            }
        } catch {
            logStorageError("health check: cannot recover claims of dead processes", error)
        }
    }

    /// Puts back every claim of this process (thread mode's immediate stop).
    func interruptOwnClaims() {
        let storage = huey.storage
        do {
            for claim in try storage.claims() where claim.owner.isLocal && claim.owner.pid == masterPID && claim.owner.isAlive {
                try huey.interrupt(claim, in: storage)
                logger.info("Task \(describe(claim)) was interrupted; back in the queue.")
            }
        } catch {
            logger.error("cannot put interrupted tasks back in the queue: \(error); the next consumer will")
        }
    }

    /// "name id" of a claimed call, for logs (read through the message signer, if any).
    func describe(_ claim: Claim) -> String {
        guard let message = try? huey.decodeMessage(claim.data) else { return "(undecodable)" }
        return "\(message.name) \(message.id)"
    }

    /// The claimed call's timeout (from its message, else from its deadline).
    func timeout(of claim: Claim) -> Double {
        if let message = try? huey.decodeMessage(claim.data), let timeout = message.timeout {
            return timeout
        }
        return max(0, (claim.deadline ?? claim.claimedAt) - claim.claimedAt)
    }
}
