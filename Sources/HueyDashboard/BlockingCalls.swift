import NIOPosix

/// Runs the storage's synchronous calls on a small thread pool, so a slow disk or a busy
/// SQLite lock never stalls the event loop that serves requests.
///
/// The dashboard is a process of its own (never the consumer's master), so threads are
/// fine here.
struct BlockingCalls: Sendable {
    /// The pool the calls run on.
    let pool: NIOThreadPool

    /// Uses NIO's shared pool.
    init(pool: NIOThreadPool = .singleton) {
        self.pool = pool
    }

    /// Runs `body` on the pool and returns its value.
    /// - Throws: what `body` throws, or NIO's error when the pool has been shut down.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }
}
