import CHueyShims
import Foundation

/// How a child process ended, from `waitpid`'s status.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// It called `exit`/`_exit` with this code.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Int32)

    /// Decodes a raw `waitpid` status.
    init(raw: Int32) {
        if _huey_wifsignaled(raw) != 0 {
            self = .signaled(_huey_wtermsig(raw))
        } else {
            self = .exited(_huey_wexitstatus(raw))
        }
    }

    /// "exited with status 3" or "killed by signal 9".
    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// The process calls the consumer makes — fork, waitpid, kill, execv, _exit — each
/// through ``systemCall(_:_:)``: `EINTR` is retried, failures throw ``SystemError``.
///
/// This is the only file that forks or reaps.
enum ProcessControl {
    /// Forks. In the parent returns the child's pid; in the child returns 0.
    ///
    /// The caller must have made the process fork-safe first (single thread, storage
    /// connections closed, stdio flushed, signals blocked): see `Consumer.spawnWorker`.
    /// - Throws: ``SystemError`` (`EAGAIN`, `ENOMEM`).
    static func fork() throws -> pid_t {
        try systemCall("fork") { _huey_fork() }
    }

    /// Reaps one exited child without blocking; `nil` when none has exited (or there are
    /// no children).
    /// - Throws: ``SystemError`` for anything but `ECHILD`.
    static func reapAny() throws -> (pid: pid_t, status: ExitStatus)? {
        var status: Int32 = 0
        let pid: pid_t
        do {
            pid = try systemCall("waitpid") { waitpid(-1, &status, WNOHANG) }
        } catch let error as SystemError where error.errno == ECHILD {
            return nil
        }
        return pid == 0 ? nil : (pid, ExitStatus(raw: status))
    }

    /// Sends `signal` to `pid`. Returns false when the process no longer exists.
    /// - Throws: ``SystemError`` for anything but `ESRCH`.
    @discardableResult
    static func send(_ signal: Int32, to pid: pid_t) throws -> Bool {
        do {
            try systemCall("kill") { kill(pid, signal) }
            return true
        } catch let error as SystemError where error.errno == ESRCH {
            return false
        }
    }

    /// Replaces this process's image with `path`, run with `arguments` (argv, including
    /// argv[0]) and the current environment. Returns only by throwing.
    /// - Throws: ``SystemError`` when `execv` fails.
    static func exec(_ path: String, arguments: [String]) throws -> Never {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        _ = try systemCall("execv") { execv(path, argv) }
        // execv returns only on failure, which systemCall turned into a throw.
        fatalError("execv returned success")
    }

    /// Leaves the process now, without running atexit handlers or flushing Swift's
    /// state (what a forked child must do). Flushes C stdio first.
    static func exitImmediately(_ code: Int32) -> Never {
        fflush(nil)
        _exit(code)
    }
}
