import Foundation
import Synchronization

/// The storage-wide lock file of a ``FileStorage`` (`<queue dir>/.lock`): an exclusive
/// `flock` on it is held around every multi-step operation, and it keeps two counters
/// (16 bytes: the entry sequence and the claim sequence, little-endian `UInt64`s).
///
/// The descriptor is opened lazily and belongs to the process that opened it: after a
/// `fork()` the child sees a different pid, closes the inherited descriptor (whose flock
/// would be shared with the parent) and opens its own. An in-process mutex is held with
/// the flock, because threads sharing one descriptor do not exclude each other.
final class StorageLockFile: Sendable {
    /// The sorted queue listing a process keeps between claims, valid while the entry
    /// sequence (bumped by every addition to the queue) is unchanged.
    struct QueueCache {
        /// The entry sequence when `names` was listed.
        var sequence: UInt64?
        /// Queue entry names in dequeue order; some may since have been taken by others.
        var names: [String] = []
        /// The first name not yet tried.
        var next = 0
    }

    private struct State {
        var pid: Int32 = 0
        var descriptor: Int32 = -1
        var cache = QueueCache()
    }

    /// The lock file's path.
    let path: String
    private let state = Mutex(State())

    /// Makes the lock for `path`; nothing is opened until first use.
    init(path: String) {
        self.path = path
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0, state.pid == getpid() { FileSystemCalls.closeDescriptor(state.descriptor) }
        }
    }

    /// Runs `body` holding the in-process mutex and the exclusive flock.
    /// - Throws: ``StorageError`` when the lock file cannot be opened or locked, or what
    ///   `body` throws.
    func exclusive<T: Sendable>(_ body: (Counters, inout QueueCache) throws -> T) throws -> T {
        try state.withLock { (state: inout State) throws -> T in
            let pid = getpid()
            if state.pid != pid {
                // A descriptor inherited across fork shares its flock with the parent.
                if state.descriptor >= 0 { FileSystemCalls.closeDescriptor(state.descriptor) }
                state = State(pid: pid)
            }
            if state.descriptor < 0 {
                let path = self.path
                state.descriptor = try FileSystemCalls.check("open lock file \(path)") {
                    open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
                }
            }
            let descriptor = state.descriptor
            try FileSystemCalls.lockFile(descriptor, LOCK_EX, path: path)
            defer { _ = try? System.call("flock(LOCK_UN)") { flock(descriptor, LOCK_UN) } }
            return try body(Counters(descriptor: descriptor, path: path), &state.cache)
        }
    }

    /// Closes this process's descriptor; the next operation reopens it.
    func close() {
        state.withLock { state in
            if state.descriptor >= 0, state.pid == getpid() { FileSystemCalls.closeDescriptor(state.descriptor) }
            state = State()
        }
    }

    /// The counters in the lock file; only valid inside ``exclusive(_:)``.
    struct Counters {
        /// Which counter.
        enum Slot: Int {
            /// Orders queue, schedule and dead entries; bumped by every addition.
            case entries = 0
            /// Orders claims.
            case claims = 1
        }

        let descriptor: Int32
        let path: String

        /// The current value of `slot` (0 for a new lock file).
        /// - Throws: ``StorageError``.
        func value(_ slot: Slot) throws -> UInt64 {
            let bytes = try FileSystemCalls.read(descriptor, count: 8, offset: off_t(slot.rawValue * 8), path: path)
            guard bytes.count == 8 else { return 0 }
            return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        /// Reserves `count` consecutive numbers of `slot` and returns the first.
        ///
        /// Numbers are at least the wall clock in nanoseconds, so they keep increasing
        /// even if the lock file is lost (a crash, a manual clean-up).
        /// - Throws: ``StorageError``.
        func reserve(_ slot: Slot, count: Int = 1) throws -> UInt64 {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let clock = UInt64(max(0, now.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, now.tv_nsec))
            let first = max(try value(slot) &+ 1, clock)
            let last = first &+ UInt64(max(count, 1) - 1)
            let bytes = (0..<8).map { UInt8(truncatingIfNeeded: last >> (8 * $0)) }
            try FileSystemCalls.write(descriptor, bytes, offset: off_t(slot.rawValue * 8), path: path)
            return first
        }
    }
}
