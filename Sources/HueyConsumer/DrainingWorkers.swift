import Foundation
import Huey

/// A worker process a master handed over to its re-executed self on SIGHUP: it was told to
/// finish its task and leave, and it is still a child of the same pid.
struct InheritedWorker: Equatable {
    /// Its pid.
    let pid: pid_t
    /// Its number, for logs (the new master numbers its own workers after it).
    let number: Int
    /// The descriptor of its ``RunningCallMark``, left open across `execve`; nil when it has
    /// none (no memfd, or handed over by a version that did not pass it).
    var markDescriptor: Int32? = nil
}

/// Carries the draining workers across the SIGHUP `execve` (`-k process`), so the new
/// program reaps them, recovers their claims and kills them on a timeout or an immediate
/// stop like its own.
///
/// The list travels in the environment variable ``environmentKey`` as `pid:number:mark`
/// entries separated by commas (`mark`, the worker's ``RunningCallMark`` descriptor, is left
/// out when there is none; a `pid:number` pair is read as such), as ``PeriodicMinutes``
/// carries the last periodic minute: `execve` keeps the environment and only the
/// re-executed program sees it, so nothing is left on disk for a later, unrelated start to
/// misread, and there is no file to clean up after a crash. The new master takes it out of the environment at once (no child inherits it) and
/// keeps only pids that are its own children, so a stale or forged value adopts nothing (the
/// mark descriptors of the others are closed).
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
    /// children of this process (running, or exited and not yet reaped) are returned. The
    /// mark descriptors of the others are closed (when they are marks).
    static func takeInherited() -> [InheritedWorker] {
        let text = getenv(environmentKey).map { String(cString: $0) }
        unsetenv(environmentKey)
        let me = getpid()
        var children: [InheritedWorker] = []
        for worker in decode(text ?? "") {
            if ProcessTable.entry(worker.pid)?.parent == me {
                children.append(worker)
            } else if let mark = worker.markDescriptor {
                RunningCallMark.closeIfMark(mark)
            }
        }
        return children
    }

    /// `pid:number:mark,pid:number` (no `:mark` without a descriptor).
    static func encode(_ workers: [InheritedWorker]) -> String {
        workers.map { worker in
            "\(worker.pid):\(worker.number)" + (worker.markDescriptor.map { ":\($0)" } ?? "")
        }.joined(separator: ",")
    }

    /// The entries of `text`; malformed ones are skipped (a malformed mark alone is left out).
    static func decode(_ text: String) -> [InheritedWorker] {
        text.split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3, let pid = pid_t(parts[0]), pid > 0, let number = Int(parts[1])
            else { return nil }
            let mark = parts.count == 3 ? Int32(parts[2]).flatMap { $0 >= 0 ? $0 : nil } : nil
            return InheritedWorker(pid: pid, number: number, markDescriptor: mark)
        }
    }
}
