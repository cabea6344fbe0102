import Foundation
import Huey
import Synchronization

/// A server process a test starts (`redis-server`, PostgreSQL's `postgres`), killed when
/// the test process dies, even without stopping it.
///
/// The process is started from a new thread that lives until ``release()``:
/// - that thread has no blocked signals when it starts the process, which inherits its
///   signal mask (tests run on dispatch threads that block most signals, and the server
///   would then never see SIGINT or SIGTERM);
/// - through `setpriv --pdeathsig KILL` (when installed) the process is killed when that
///   thread ends: also when the test process crashes, times out or gets SIGKILL.
///
/// `setpriv` can also switch to another user first (`runAs`): PostgreSQL refuses to run
/// as root, and its parent-death signal is set after the switch, so it still holds.
struct ServerProcess: Sendable {
    /// The running process.
    let process: HelperProcess
    /// Signalled to let the starting thread end, once the process has exited.
    private let releaseSignal: DispatchSemaphore

    /// Lets the starting thread end; call after the process has exited.
    func release() { releaseSignal.signal() }

    /// The `setpriv` executable, when installed.
    static var setprivPath: String? {
        ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The `setpriv` arguments that run a program as `user` (all of its groups), or none
    /// when `user` is nil.
    static func userSwitch(_ user: String?) -> [String] {
        guard let user else { return [] }
        return ["--reuid=\(user)", "--regid=\(user)", "--init-groups"]
    }

    /// Starts `executable` with `arguments`, as `runAs` when given.
    /// - Throws: when the process cannot be started, or `runAs` is given and `setpriv`
    ///   is missing.
    static func start(
        executable: String, arguments: [String], runAs: String?, outputDirectory: String
    ) throws -> ServerProcess {
        let setpriv = setprivPath
        if runAs != nil, setpriv == nil {
            throw ServerProcessError(description: "setpriv (util-linux) is needed to run \(executable) as \(runAs!)")
        }
        let outcome = Mutex<Result<HelperProcess, any Error>?>(nil)
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let thread = Thread {
            var signals = sigset_t()
            sigemptyset(&signals)
            pthread_sigmask(SIG_SETMASK, &signals, nil)
            let result = Result {
                if let setpriv {
                    return try HelperProcess(
                        userSwitch(runAs) + ["--pdeathsig", "KILL", executable] + arguments, executable: setpriv,
                        outputDirectory: outputDirectory)
                }
                return try HelperProcess(arguments, executable: executable, outputDirectory: outputDirectory)
            }
            // Back to blocking everything, like the threads around it, while it waits.
            sigfillset(&signals)
            pthread_sigmask(SIG_SETMASK, &signals, nil)
            outcome.withLock { $0 = result }
            started.signal()
            if case .success = result { release.wait() }
        }
        thread.start()
        started.wait()
        return ServerProcess(process: try outcome.withLock { $0! }.get(), releaseSignal: release)
    }
}

/// A server process could not be started.
struct ServerProcessError: Error, CustomStringConvertible {
    /// Why.
    var description: String
}
