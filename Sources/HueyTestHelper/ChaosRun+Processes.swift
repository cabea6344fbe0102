import Foundation
import Huey
import HueyTestSupport

/// Starting, killing and stopping the chaos run's consumers.
extension ChaosRun {
    /// The current master.
    var master: Process? { masters.last }

    /// Starts a new master: `consumer <storage> consume -w W -k process -c 1 -s 1`.
    /// - Throws: when it cannot be launched.
    func startMaster() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ChaosProcesses.selfExecutable)
        process.arguments =
            ["consumer"] + options.storage.consumerArguments
            + ["consume", "-w", "\(options.workers)", "-k", "process", "-c", "1", "-s", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment[ChaosTasks.journalVariable] = journal
        process.environment = environment
        let log = "\(options.directory)/consumer-\(masters.count).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardInput = FileHandle.nullDevice
        let output = FileHandle(forWritingAtPath: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        masters.append(process)
        lastMasterStart = Date().timeIntervalSince1970
    }

    /// SIGKILLs the current master (its workers die of PDEATHSIG) and starts a new one.
    /// - Throws: when the new master cannot be launched.
    func killMaster() throws {
        guard let master else { return }
        var workers = Set(ChaosProcesses.children(of: master.processIdentifier))
        let now = Date().timeIntervalSince1970
        kill(master.processIdentifier, SIGKILL)
        _ = wait(for: master, timeout: 10)
        // Also any worker forked after the snapshot: whatever still runs on this storage
        // now (no other master runs) was the killed master's.
        workers.formUnion(ChaosProcesses.running(withArgument: options.storage.path))
        for worker in workers { orphans.append((worker, now + 5)) }
        masterKills += 1
        progress("killed master \(master.processIdentifier) (workers \(workers.map(\.pid))); starting master \(masters.count)")
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
        let workers = ChaosProcesses.children(of: master.processIdentifier)
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
        while ChaosProcesses.children(of: master.processIdentifier).isEmpty && Date().timeIntervalSince1970 < ready {
            usleep(20_000)
        }
        kill(master.processIdentifier, SIGINT)
        guard wait(for: master, timeout: 30) else {
            kill(master.processIdentifier, SIGKILL)
            _ = wait(for: master, timeout: 5)
            return nil
        }
        return master.terminationReason == .exit ? master.terminationStatus : 128 + master.terminationStatus
    }

    /// Kills every process this run started that still runs: masters, their children,
    /// and anything with this run's storage path on its command line. Idempotent.
    func killEverything() {
        let live = masters.filter(\.isRunning)
        // Their children first, while they are still their children.
        let children = live.flatMap { ChaosProcesses.children(of: $0.processIdentifier) }
        for process in live { kill(process.processIdentifier, SIGKILL) }
        for process in masters { _ = wait(for: process, timeout: 5) }
        for _ in 0..<3 {
            let left = Set(
                children + ChaosProcesses.running(withArgument: options.storage.path) + orphans.map(\.process))
                .filter(\.isRunning)
            if left.isEmpty { return }
            for process in left { kill(process.pid, SIGKILL) }
            let deadline = Date().timeIntervalSince1970 + 2
            while left.contains(where: \.isRunning) && Date().timeIntervalSince1970 < deadline { usleep(10_000) }
        }
    }

    /// Waits up to `timeout` seconds for `process` to exit; whether it did.
    private func wait(for process: Process, timeout: Double) -> Bool {
        let deadline = Date().timeIntervalSince1970 + timeout
        while process.isRunning {
            if Date().timeIntervalSince1970 > deadline { return false }
            usleep(5_000)
        }
        return true
    }
}
