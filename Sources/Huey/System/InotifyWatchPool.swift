import Foundation
import Logging
import Synchronization

/// The ``InotifyWatch``es of one storage in this process: each thread that waits checks
/// one out, so concurrent waiters never steal each other's events, and gives it back
/// afterwards to keep it (and the events it gathers meanwhile) for the next wait.
///
/// Per process: the pool remembers the pid it serves; in a forked child it drops (closes)
/// the parent's watches and makes its own. When inotify cannot be set up, the pool says
/// so once (debug log, label `huey`) and hands out nothing more in this process (until
/// ``closeAll()``), and the storage falls back to polling.
final class InotifyWatchPool: Sendable {
    /// The directory every watch observes.
    let directory: String
    private let events: UInt32
    private let names: Set<String>?

    private struct State {
        var pid: pid_t = 0
        var idle: [InotifyWatch] = []
        var unavailable = false
    }

    private struct Unavailable: Error {}

    // A watch is checked out under the lock to one thread and only comes back in.
    private let state = Mutex(State())

    /// A pool of watches on `directory` for `events`, counting only events on `names`
    /// when given.
    init(directory: String, events: UInt32, names: Set<String>? = nil) {
        self.directory = directory
        self.events = events
        self.names = names
    }

    /// A watch for the calling thread, made if none is idle; nil when inotify is
    /// unavailable here (then poll instead). Give it back with ``checkIn(_:)``.
    func checkOut() -> InotifyWatch? {
        let pid = getpid()
        let idle: Result<InotifyWatch?, Unavailable> = state.withLock { state in
            if state.pid != pid { state = State(pid: pid) }  // forked: drop the parent's
            return state.unavailable ? .failure(Unavailable()) : .success(state.idle.popLast())
        }
        switch idle {
        case .failure: return nil
        case .success(let watch?): return watch
        case .success(nil): break
        }
        do {
            return try InotifyWatch(directory: directory, events: events, names: names)
        } catch {
            let first = state.withLock { state in
                defer { state.unavailable = true }
                return !state.unavailable
            }
            if first { Logger(label: "huey").debug("no inotify for \(directory), polling instead: \(error)") }
            return nil
        }
    }

    /// Keeps `watch` for the next wait, unless it belongs to another process or its
    /// directory went away.
    func checkIn(_ watch: InotifyWatch) {
        guard !watch.isRemoved, watch.pid == getpid() else { return }
        state.withLock { state in
            if state.pid == watch.pid { state.idle.append(watch) }
        }
    }

    /// Closes the idle watches of this process (``Storage/closeConnections()``).
    func closeAll() {
        state.withLock { state in state = State() }
    }
}
