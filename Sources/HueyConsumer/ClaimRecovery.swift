import Foundation
import Huey
import Logging

/// What becomes of a claim the consumer takes back from its owner: the one policy table
/// for recovering claims (DESIGN §6), applied by ``ClaimRecovery/apply(_:to:)``.
///
/// | case | found when | the call |
/// | --- | --- | --- |
/// | ``interrupted`` | the consumer stopped or restarted the worker (or stops its threads) | back in the queue, no retry used (signal `interrupted`) |
/// | ``timedOut(timeout:)`` | its deadline passed and the master killed the worker | fails with ``TaskTimeout``; the retry policy applies |
/// | ``crashed(reason:)`` | its worker died holding it, unasked | fails with ``WorkerCrashed``; the retry policy applies |
/// | ``notRunning`` | its worker died unasked, or was killed for another call's timeout, while this call of its batch was not running (not started, or finished but not yet acknowledged) | back in the queue, no retry used: it runs again — at least once |
/// | ``orphaned`` | its owner is gone and was no worker of this master: a consumer that was SIGKILLed (found at start or by the health check), a machine whose heartbeat expired | back in the queue, no retry used |
/// | ``releasedAfterError`` | its own worker put it back after a storage error mid-task | back in the queue: it runs again, at least once |
enum ClaimVerdict: Equatable {
    case interrupted
    case timedOut(timeout: Double)
    case crashed(reason: String)
    case notRunning
    case orphaned
    case releasedAfterError
}

/// The one scan-claims-and-recover loop: reads the storage's claims, judges each with a
/// caller's rule and applies the verdict from the policy table (``ClaimVerdict``). The
/// master uses it for dead workers, orphans, overrunning tasks and its own threads' claims;
/// a worker process uses it for its own claims after a storage error.
struct ClaimRecovery {
    /// The queue.
    let huey: Huey
    /// Where recoveries are logged.
    let logger: Logger

    /// Reads every claim and applies the verdict `judge` gives (none: the claim stays);
    /// returns how many claims were recovered.
    /// - Throws: ``StorageError`` when the claims cannot be read or a recovery fails (the
    ///   claims not yet recovered stay, for the next sweep).
    @discardableResult
    func sweep(_ judge: (Claim) throws -> ClaimVerdict?) throws -> Int {
        var recovered = 0
        for claim in try huey.storage.claims() {
            guard let verdict = try judge(claim) else { continue }
            try apply(verdict, to: claim)
            recovered += 1
        }
        return recovered
    }

    /// The claims past their deadline at clock time `clock`, held by processes of this machine.
    /// - Throws: ``StorageError`` when the claims cannot be read.
    func overrunning(at clock: Double) throws -> [Claim] {
        try huey.storage.claims().filter { claim in
            guard claim.owner.isLocal, let deadline = claim.deadline else { return false }
            return deadline <= clock
        }
    }

    /// Applies the policy table to one claim.
    /// - Throws: ``StorageError``; the claim then stays.
    func apply(_ verdict: ClaimVerdict, to claim: Claim) throws {
        let storage = huey.storage
        switch verdict {
        case .interrupted:
            try huey.interrupt(claim, in: storage)
            logger.info("Task \(describe(claim)) was interrupted; back in the queue.")
        case .timedOut(let timeout):
            try huey.fail(claim, with: TaskTimeout(timeout: timeout), in: storage)
        case .crashed(let reason):
            try huey.fail(claim, with: WorkerCrashed(reason: reason), in: storage)
        case .notRunning:
            try huey.interrupt(claim, in: storage)
            // "worker <pid>" is what log readers (the chaos driver) match.
            logger.warning(
                "Batch call \(describe(claim)) back in the queue: worker \(claim.owner.pid) died running another call.")
        case .orphaned:
            // DESIGN §6: a claim left by a process that is not our child (a master that was
            // SIGKILLed took its workers with it) is requeued without using a retry: the
            // task was interrupted, we cannot tell that it crashed anything.
            try huey.interrupt(claim, in: storage)
            // "<pid>." is what log readers (the chaos driver) match; another machine's owner adds " on <host>".
            let place = claim.owner.isLocal ? "" : " on \(claim.owner.host)"
            logger.warning("Requeued task \(describe(claim)) left by dead process \(claim.owner.pid)\(place).")
        case .releasedAfterError:
            try huey.interrupt(claim, in: storage)
            logger.warning("worker \(claim.owner.pid): put call back in the queue after a storage error")
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
