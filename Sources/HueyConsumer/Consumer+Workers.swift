import Foundation
import Logging

extension Consumer {
    /// The workers counted toward the target: not told to leave.
    var liveWorkerCount: Int {
        switch options.workerType {
        case .process:
            return processes.values.count { $0.fate != .retiring && $0.fate != .interrupted }
        case .thread:
            return threads.count { !$0.isFinished && !$0.isRetiring }
        }
    }

    /// Whether any worker process or thread has not ended yet.
    var hasLiveWorkers: Bool {
        switch options.workerType {
        case .process: return !processes.isEmpty
        case .thread: return threads.contains { !$0.isFinished }
        }
    }

    /// Starts workers until there are as many as wanted (unless a crash loop is being
    /// backed off from).
    func startWorkers() {
        while phase == .running && liveWorkerCount < targetWorkers && MonotonicClock.now() >= spawnNotBefore {
            workerNumbers += 1
            switch options.workerType {
            case .process:
                do {
                    try spawnProcess(number: workerNumbers)
                } catch {
                    logger.error("cannot start worker \(workerNumbers): \(error); retrying in 1 s")
                    spawnNotBefore = MonotonicClock.now() + 1
                    return
                }
            case .thread:
                let thread = WorkerThread(number: workerNumbers)
                threads.append(thread)
                // A new thread inherits the creator's signal mask: start it with every
                // signal blocked so signals are delivered to the master thread only.
                try? SignalControl.blockAll()
                thread.start(huey: huey, options: options, stopAll: stopThreads, wakeDescriptor: pipe.writeDescriptor)
                try? SignalControl.unblockAll()
            }
        }
    }

    /// Forks one worker process. Before the fork: no storage connection open, stdio
    /// flushed, every signal blocked (so the child never runs the master's handlers
    /// before it has set its own); after it, the parent unblocks.
    private func spawnProcess(number: Int) throws {
        huey.storage.closeConnections()
        fflush(nil)
        try SignalControl.blockAll()
        let pid: pid_t
        do {
            pid = try ProcessControl.fork()
        } catch {
            try? SignalControl.unblockAll()
            throw error
        }
        if pid == 0 {
            WorkerProcess.run(huey: huey, options: options, masterPID: masterPID, number: number, pipe: pipe)
        }
        try? SignalControl.unblockAll()
        processes[pid] = WorkerRecord(pid: pid, number: number, startedAt: MonotonicClock.now())
        logger.info("Started worker \(number) (pid \(pid)).")
    }

    /// Reaps every exited worker process (and forgets ended threads), deciding what
    /// becomes of each one's claims.
    func reapWorkers() {
        if options.workerType == .thread {
            threads.removeAll { $0.isFinished }
            return
        }
        while true {
            let reaped: (pid: pid_t, status: ExitStatus)?
            do { reaped = try ProcessControl.reapAny() } catch {
                logger.error("master: waitpid failed: \(error)")
                return
            }
            guard let (pid, status) = reaped else { return }
            guard let record = processes.removeValue(forKey: pid) else {
                logger.debug("reaped pid \(pid), not a worker (\(status))")
                continue
            }
            recoveries[pid] = classify(record, status: status)
        }
    }

    private func classify(_ record: WorkerRecord, status: ExitStatus) -> Recovery {
        let name = "worker \(record.number) (pid \(record.pid))"
        switch record.fate {
        case .interrupted:
            logger.info("\(name) stopped (\(status)).")
            return .interrupt
        case .timedOut(let token, let timeout):
            logger.warning("\(name) was killed: its task ran past its timeout of \(format(timeout)) s.")
            return .timeout(token: token, timeout: timeout)
        case .retiring, .running:
            let early = MonotonicClock.now() - record.startedAt < 1
            if status == .exited(0) {
                logger.debug("\(name) exited.")
            } else {
                logger.error("\(name) died: \(status).")
                if !options.healthCheck && phase == .running && record.fate == .running {
                    targetWorkers = max(0, targetWorkers - 1)
                    logger.warning("Health check disabled (-C): worker \(record.number) is not replaced.")
                }
            }
            return .crash(reason: "worker \(record.pid) \(status)", early: early && status != .exited(0))
        }
    }

    /// Backs off from replacing workers that keep dying right after they start without
    /// holding a task (a startup hook that crashes, say), so the master does not fork in
    /// a tight loop. A worker killed by its task does not count.
    func noteCrash(early: Bool, heldTask: Bool) {
        guard early && !heldTask else {
            quickCrashes = 0
            return
        }
        quickCrashes += 1
        let delay = min(0.1 * pow(2, Double(quickCrashes)), 10)
        spawnNotBefore = MonotonicClock.now() + delay
        logger.warning("Workers are dying at start; next one in \(format(delay)) s.")
    }

    /// Asks one worker to finish its task and leave (SIGTTOU): the newest idle one when
    /// there is one (a process holding no claim in the storage; a thread waiting for work),
    /// else the newest. Either way it leaves
    /// between tasks; a body it is running is never interrupted (see ``WorkerProcess``).
    func retireOneWorker() {
        switch options.workerType {
        case .process:
            let candidates = processes.values.filter { $0.fate == .running }
            let busy = busyWorkerPIDs()
            let idle = candidates.filter { !busy.contains($0.pid) }
            guard let record = (idle.isEmpty ? candidates : idle).max(by: { $0.number < $1.number }) else { return }
            processes[record.pid]?.fate = .retiring
            signal(WorkerProcess.stopSignal, to: record.pid)
            logger.info("Retiring \(idle.isEmpty ? "busy" : "idle") worker \(record.number) (pid \(record.pid)).")
        case .thread:
            let live = threads.filter { !$0.isFinished && !$0.isRetiring }
            let idle = live.filter(\.isIdle)
            guard let thread = (idle.isEmpty ? live : idle).last else { return }
            thread.retire()
            logger.info("Retiring \(idle.isEmpty ? "busy" : "idle") worker thread \(thread.number).")
        }
    }

    /// The pids of this machine's processes that hold a claim now; empty when the claims
    /// cannot be read (logged), so retirement then falls back to the newest worker.
    private func busyWorkerPIDs() -> Set<pid_t> {
        do {
            return Set(try huey.storage.claims().filter(\.owner.isLocal).map(\.owner.pid))
        } catch {
            logger.error("cannot read claims to find an idle worker: \(error)")
            return []
        }
    }

    /// Sends SIGKILL to workers still alive after their SIGTERM grace period.
    func escalateKills() {
        let now = MonotonicClock.now()
        for (pid, record) in processes {
            guard let killAt = record.killAt, now >= killAt else { continue }
            logger.warning("Worker \(record.number) (pid \(pid)) ignored SIGTERM; sending SIGKILL.")
            signal(SIGKILL, to: pid)
            processes[pid]?.killAt = nil
        }
    }

    /// Sends SIGTERM to worker `pid`, remembering why, with SIGKILL to follow.
    func terminate(_ pid: pid_t, fate: WorkerFate) {
        processes[pid]?.fate = fate
        processes[pid]?.killAt = MonotonicClock.now() + options.killGracePeriod
        signal(SIGTERM, to: pid)
    }

    /// Sends a signal to a worker, logging a failure.
    func signal(_ signal: Int32, to pid: pid_t) {
        do {
            try ProcessControl.send(signal, to: pid)
        } catch {
            logger.error("cannot send \(SignalControl.name(of: signal)) to worker \(pid): \(error)")
        }
    }
}
