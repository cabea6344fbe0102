import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// This process's id, kept without a system call per use: read once, and refreshed in
/// the child by a `pthread_atfork` handler, so a connection inherited across `fork()` is
/// recognised as the parent's (see ``RedisConnection``). A child made by a raw `clone`
/// system call, which runs no fork handlers, is not supported (nor is it by hiredis).
enum ProcessIdentity {
    /// The id of the calling process.
    static var current: pid_t {
        _ = registered
        return cached.load(ordering: .relaxed)
    }

    private static let cached = Atomic<pid_t>(getpid())

    /// Registers the fork handler, once (a lazily initialised static is initialised once).
    private static let registered: Bool = {
        // The child handler runs in the new process before fork() returns there; it only
        // stores getpid(), which is async-signal-safe.
        pthread_atfork(nil, nil, { ProcessIdentity.refresh() })
        refresh()
        return true
    }()

    private static func refresh() { cached.store(getpid(), ordering: .relaxed) }
}
