import Foundation
import Huey
import HueyTestSupport

/// Starting, killing and stopping the chaos run's consumers.
extension ChaosRun {
    /// The current master.
    var master: ChildProcess? { masters.last }

    /// Starts a new master: `consumer <storage> consume -w W -k process -c 1 -s 1`.
    /// - Throws: when it cannot be launched.
    func startMaster() throws {
        let log = "\(options.directory)/consumer-\(masters.count).log"
        let process = try ChildProcess(
            executable: ChildProcess.currentExecutable,
            arguments: ["consumer"] + options.storage.consumerArguments
                + ["consume", "-w", "\(options.workers)", "-k", "process", "-c", "1", "-s", "1"],
            environment: [ChaosTasks.journalVariable: journal], standardOutput: log, standardError: log)
        masters.append(process)
        lastMasterStart = Date().timeIntervalSince1970
    }

    /// SIGKILLs the current master (its workers die of PDEATHSIG) and starts a new one.
    /// - Throws: when the new master cannot be launched.
    func killMaster() throws {
        guard let master else { return }
        var workers = Set(ProcessTable.children(of: master.pid))
        let now = Date().timeIntervalSince1970
        master.send(SIGKILL)
        _ = master.waitForExit(timeout: 10)
        // Also any worker forked after the snapshot: whatever still runs on this storage
        // now (no other master runs) was the killed master's.
        workers.formUnion(ProcessTable.running(withArgument: options.storage.path))
        for worker in workers { orphans.append((worker, now + 5)) }
        masterKills += 1
        progress("killed master \(master.pid) (workers \(workers.map(\.pid))); starting master \(masters.count)")
        try startMaster()
    }

    /// SIGKILLs a random worker of the current master, sparing those that hold a
    /// `chaos.slow` call (so that its timeout, not the chaos, mostly ends its first
    /// attempt) unless every worker holds one, and then only one time in four.
    func killRandomWorker() {
        guard let master else { return }
        var spared: Set<Int32> = []
        for claim in (try? huey.storage.claims()) ?? [] {
            if (try? huey.decodeMessage(claim.data))?.name == ChaosTasks.Kind.slow.rawValue {
                spared.insert(claim.owner.pid)
            }
        }
        let workers = ProcessTable.children(of: master.pid)
        var candidates = workers.filter { !spared.contains($0.pid) }
        // When every worker holds a chaos.slow call, kill one of them now and then, so
        // that the kill rate does not drop to nothing while they wait for their timeouts.
        if candidates.isEmpty && Int.random(in: 0..<4, using: &rng) == 0 { candidates = workers }
        guard !candidates.isEmpty else { return }
        let victim = candidates[Int.random(in: 0..<candidates.count, using: &rng)]
        guard kill(victim.pid, SIGKILL) == 0 else { return }
        workerKills += 1
    }

    /// Stops the current master with SIGINT (graceful) and returns its exit status
    /// (128 + n when a signal n ended it), or nil when it was still running after 30 s
    /// (it is then killed).
    ///
    /// A master just started may not have installed its signal handlers yet (SIGINT
    /// would kill it outright): it has once it has forked a worker, so wait for one.
    func stopMaster() -> Int32? {
        guard let master, master.isRunning else { return nil }
        let ready = Date().timeIntervalSince1970 + 10
        while ProcessTable.children(of: master.pid).isEmpty && Date().timeIntervalSince1970 < ready {
            usleep(20_000)
        }
        master.send(SIGINT)
        guard let exit = master.waitForExit(timeout: 30) else {
            master.send(SIGKILL)
            _ = master.waitForExit(timeout: 5)
            return nil
        }
        return exit.reason == .exited ? exit.status : 128 + exit.status
    }

    /// Kills every process this run started that still runs: masters, their children,
    /// and anything with this run's storage path on its command line. Idempotent.
    func killEverything() {
        let live = masters.filter(\.isRunning)
        // Their children first, while they are still their children.
        let children = live.flatMap { ProcessTable.children(of: $0.pid) }
        for process in live { process.send(SIGKILL) }
        for process in masters { _ = process.waitForExit(timeout: 5) }
        for _ in 0..<3 {
            let left = Set(
                children + ProcessTable.running(withArgument: options.storage.path) + orphans.map(\.process))
                .filter(\.isRunning)
            if left.isEmpty { return }
            for process in left { kill(process.pid, SIGKILL) }
            let deadline = Date().timeIntervalSince1970 + 2
            while left.contains(where: \.isRunning) && Date().timeIntervalSince1970 < deadline { usleep(10_000) }
        }
    }
}
