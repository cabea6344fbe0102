import Foundation
import Logging

extension Consumer {
    /// How often (real seconds) the master reads the claims to find overrunning tasks.
    static let claimsCheckInterval = 0.5
    /// The longest the master sleeps in one `poll()`.
    static let longestSleep = 5.0

    /// The master's loop: sleep in `poll()` until a signal or the next due thing, handle
    /// signals, then do one tick. Returns when a stop has finished; re-executes on restart.
    func masterLoop() throws {
        startWorkers()
        tellSystemd("READY=1") { try $0.ready(status: "\(targetWorkers) \(pool.kind) worker(s), queue \(huey.name)") }
        while true {
            let bytes: [UInt8]
            do {
                bytes = try pipe.wait(timeout: secondsToNextWakeUp())
            } catch {
                logger.error("master: waiting on the signal pipe failed: \(error)")
                usleep(100_000)
                continue
            }
            for byte in bytes where byte != SignalPipe.threadExitedByte { handle(signal: Int32(byte)) }
            tick()
            if let outcome = finishedStopping() {
                try finish(outcome)
                return
            }
        }
    }

    /// One pass of the master's duties.
    func tick() {
        reapWorkers()
        recoverReapedClaims()
        pool.escalateKills()
        let real = MonotonicClock.now()
        let clock = huey.clock().timeIntervalSince1970
        timer.observe(clock: clock, real: real)
        if phase == .running && timer.isDue(clock: clock) {
            runScheduler(clock: clock)
            timer.ticked(clock: clock)
        }
        if real >= nextClaimsCheck {
            sendHeartbeat()
            checkDeadlines(clock: clock)
            nextClaimsCheck = real + Self.claimsCheckInterval
        }
        if phase == .running && real >= nextRegistration {
            register()
            pruneDeadConsumers()
            nextRegistration = real + options.healthCheckInterval
        }
        if phase == .running && options.healthCheck && real >= nextHealthCheck {
            recoverOrphanedClaims()
            nextHealthCheck = real + options.healthCheckInterval
        }
        if phase == .running { startWorkers() }
        maintainStorage()
        if case .draining(_, let deadline?) = phase, real >= deadline, pool.hasLiveWorkers {
            logger.warning("Shutdown timeout of \(format(options.shutdownTimeout ?? 0)) s elapsed, interrupting workers.")
            interruptWorkers()
        }
    }

    /// Real seconds until something is due: a scheduler tick, a claims check, a kill,
    /// the shutdown timeout, a delayed respawn.
    private func secondsToNextWakeUp() -> Double {
        let real = MonotonicClock.now()
        var wake = Self.longestSleep
        if phase == .running {
            wake = min(wake, timer.realSecondsToNextTick(clock: huey.clock().timeIntervalSince1970))
            if options.healthCheck { wake = min(wake, nextHealthCheck - real) }
            wake = min(wake, nextRegistration - real)
            if pool.liveCount < targetWorkers { wake = min(wake, pool.nextStartAt - real) }
        }
        wake = min(wake, nextClaimsCheck - real)
        if let killAt = pool.nextKillAt { wake = min(wake, killAt - real) }
        if case .draining(_, let deadline?) = phase { wake = min(wake, deadline - real) }
        if !recoveries.isEmpty { wake = min(wake, 1) }
        return max(0, wake)
    }

    /// Reacts to one signal (read from the pipe, outside any handler).
    func handle(signal: Int32) {
        let graceful = options.gracefulSignal == .int ? SIGINT : SIGTERM
        let immediate = options.gracefulSignal == .int ? SIGTERM : SIGINT
        switch signal {
        case SIGCHLD:
            break  // the tick reaps
        case graceful:
            switch phase {
            case .running:
                logger.info("Received \(SignalControl.name(of: signal)), shutting down gracefully...")
                drain(restart: false)
            case .draining(restart: true, _):
                logger.info("Received \(SignalControl.name(of: signal)) during restart, stopping instead.")
                drain(restart: false)
            case .draining(restart: false, _):
                logger.info("Received \(SignalControl.name(of: signal)) again, stopping now.")
                interruptWorkers()
            case .interrupting:
                break
            }
        case immediate:
            logger.info("Received \(SignalControl.name(of: signal)), stopping now.")
            interruptWorkers()
        case SIGHUP:
            if phase == .running {
                if pool.keepsWorkersAcrossRestart {
                    logger.info("Received SIGHUP, restarting now; running tasks finish in their workers under the new program...")
                } else {
                    logger.info(
                        "Received SIGHUP, restarting after running tasks finish (\(pool.kind) workers cannot outlive the re-exec)...")
                }
                tellSystemd("RELOADING=1") { try $0.reloading() }
                drain(restart: true)
            } else {
                logger.info("Received SIGHUP while stopping; ignored.")
            }
        case SIGTTIN:
            guard phase == .running else { return }
            targetWorkers += 1
            logger.info("Received SIGTTIN, increasing to \(targetWorkers) workers.")
        case SIGTTOU:
            guard phase == .running else { return }
            guard targetWorkers > 1 else {
                logger.info("Received SIGTTOU, keeping the last worker.")
                return
            }
            targetWorkers -= 1
            logger.info("Received SIGTTOU, decreasing to \(targetWorkers) workers.")
            pool.retireOne()
        default:
            logger.debug("Ignoring signal \(signal).")
        }
    }
}
