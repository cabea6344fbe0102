import Foundation
import Logging

/// How the master's loop ends.
enum StopOutcome {
    /// ``Consumer/run()`` returns.
    case stop
    /// The master re-executes itself.
    case restart
}

extension Consumer {
    /// Path of the running executable, re-executed on SIGHUP.
    static let executablePath = "/proc/self/exe"

    /// Graceful stop or restart: no new tasks; running tasks finish (until `-t`).
    func drain(restart: Bool) {
        let deadline = options.shutdownTimeout.map { MonotonicClock.now() + $0 }
        if !restart { tellSystemd("STOPPING=1") { try $0.stopping() } }
        phase = .draining(restart: restart, deadline: deadline)
        pool.retireAll()
    }

    /// Immediate stop: workers are stopped now and their tasks put back in the queue.
    func interruptWorkers() {
        if !phase.isStopping { tellSystemd("STOPPING=1") { try $0.stopping() } }
        phase = .interrupting
        pool.interruptAll()
    }

    /// Whether a stop or restart has finished: every worker gone (for a restart of process
    /// workers: none being killed, see ``WorkerPool/holdsRestart``) and the claims of the
    /// dead ones recovered.
    func finishedStopping() -> StopOutcome? {
        let restart: Bool
        switch phase {
        case .running: return nil
        case .draining(let again, _): restart = again
        case .interrupting: restart = false
        }
        if restart && pool.keepsWorkersAcrossRestart {
            guard !pool.holdsRestart else { return nil }
        } else {
            guard !pool.hasLiveWorkers else { return nil }
        }
        if !recoveries.isEmpty {
            guard recoveryFailures >= 3 else { return nil }
            logger.error("Giving up recovering \(recoveries.count) dead worker(s)' tasks; the next consumer will.")
        }
        return restart ? .restart : .stop
    }

    /// Sends one `sd_notify` message (`what` names it in the log) when systemd listens;
    /// a failure is logged and changes nothing else.
    func tellSystemd(_ what: String, _ send: (SystemdNotifier) throws -> Bool) {
        guard notifier.isActive else { return }
        do {
            _ = try send(notifier)
        } catch {
            logger.warning("systemd: cannot send \(what): \(error)")
        }
    }

    /// Leaves the loop: returns from ``run()``, or re-executes the program for a restart.
    func finish(_ outcome: StopOutcome) throws {
        maintainStorage(final: true)
        if outcome == .stop { deregister() }
        huey.storage.closeConnections()
        switch outcome {
        case .stop:
            logger.info("Consumer exiting.")
        case .restart:
            let draining = pool.workerPIDs.count
            let handed = draining > 0 ? " (\(draining) worker(s) finishing their tasks are handed over)" : ""
            logger.info("Consumer restarting: executing \(CommandLine.arguments.joined(separator: " "))\(handed)")
            periodicMinutes.export()
            pool.handOver()
            fflush(nil)
            do {
                // Held until the new program has installed its handlers (the mask survives
                // execve; a SIGHUP or SIGCHLD in between waits instead of killing or being lost).
                try SignalControl.blockAll()
                try ProcessControl.exec(Self.executablePath, arguments: CommandLine.arguments)
            } catch {
                try? SignalControl.unblockAll()
                logger.critical("restart failed: \(error)")
                throw error
            }
        }
    }
}
