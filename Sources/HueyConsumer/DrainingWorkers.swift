import Foundation
import Huey

/// A worker process a master handed over to its re-executed self on SIGHUP: it was told to
/// finish its task and leave, and it is still a child of the same pid.
struct InheritedWorker: Equatable {
    /// Its pid.
    let pid: pid_t
    /// Its number, for logs (the new master numbers its own workers after it).
    let number: Int
}

/// Carries the draining workers across the SIGHUP `execve` (`-k process`), so the new
/// program reaps them, recovers their claims and kills them on a timeout or an immediate
/// stop like its own.
///
/// The list travels in the environment variable ``environmentKey`` as `pid:number` pairs
/// separated by commas, as ``PeriodicMinutes`` carries the last periodic minute: `execve`
/// keeps the environment and only the re-executed program sees it, so nothing is left on
/// disk for a later, unrelated start to misread, and there is no file to clean up after a
/// crash. The new master takes it out of the environment at once (no child inherits it) and
/// keeps only pids that are its own children, so a stale or forged value adopts nothing.
enum DrainingWorkers {
    /// Carries the workers across `execv`.
    static let environmentKey = "HUEY_CONSUMER_DRAINING_WORKERS"

    /// Leaves `workers` for the re-executed master (the variable is removed when there are none).
    static func export(_ workers: [InheritedWorker]) {
        guard !workers.isEmpty else {
            unsetenv(environmentKey)
            return
        }
        setenv(environmentKey, encode(workers), 1)
    }

    /// The workers a predecessor left, removed from the environment; only those that are
    /// children of this process (running, or exited and not yet reaped) are returned.
    static func takeInherited() -> [InheritedWorker] {
        let text = getenv(environmentKey).map { String(cString: $0) }
        unsetenv(environmentKey)
        let me = getpid()
        return decode(text ?? "").filter { ProcessTable.entry($0.pid)?.parent == me }
    }

    /// `pid:number,pid:number`.
    static func encode(_ workers: [InheritedWorker]) -> String {
        workers.map { "\($0.pid):\($0.number)" }.joined(separator: ",")
    }

    /// The pairs of `text`; malformed ones are skipped.
    static func decode(_ text: String) -> [InheritedWorker] {
        text.split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, let number = Int(parts[1]) else { return nil }
            return InheritedWorker(pid: pid, number: number)
        }
    }
}
