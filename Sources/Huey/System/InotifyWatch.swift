import Foundation

/// An inotify instance watching one directory, for storages to sleep in `poll()` until
/// another process changes something instead of polling (DESIGN §4, `waitForWork`).
///
/// Owns its descriptor (`IN_CLOEXEC | IN_NONBLOCK`), closed in `deinit`. Not thread-safe:
/// one thread uses it at a time (``InotifyWatchPool`` hands each waiting thread its own).
/// It belongs to the process that made it (``pid``): a child forked from that process
/// must not use it and makes its own.
///
/// Events are counted only when their mask is among the watched ones and, with a name
/// filter, when they concern one of the given names; a queue overflow and the removal
/// of the directory always count.
// @unchecked Sendable: only so the pool's Mutex can hold it and hand it over. Its mutable
// state (the read buffer, `isFresh`, `isRemoved`) is touched only by the one thread that
// checked it out of an InotifyWatchPool, which never hands a watch to two threads.
final class InotifyWatch: @unchecked Sendable {
    /// The process that made the watch.
    let pid: pid_t
    /// The watched directory.
    let directory: String
    /// Whether the directory went away (or the watch was otherwise removed): the watch
    /// will never report anything again and should be dropped.
    private(set) var isRemoved = false

    private let descriptor: Int32
    private let names: Set<String>?
    private let buffer: UnsafeMutableRawBufferPointer
    /// True until the first ``drain()``: changes made before the watch existed are unknown.
    private var isFresh = true

    /// Room for many events at once (an event is 16 bytes plus its padded name).
    private static let bufferSize = 16 * 1024

    /// Watches `directory` for `events` (an `IN_*` mask), optionally only for the
    /// entries called `names`.
    /// - Throws: ``StorageError`` (`.unsupported`) with the errno when inotify cannot be
    ///   set up (too many instances or watches, a missing directory, …).
    init(directory: String, events: UInt32, names: Set<String>? = nil) throws {
        let descriptor = try Self.check(.unsupported, "create an inotify instance") {
            inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        }
        do {
            try Self.check(.unsupported, "watch \(directory) with inotify") {
                inotify_add_watch(descriptor, directory, events | UInt32(IN_ONLYDIR))
            }
        } catch {
            close(descriptor)
            throw error
        }
        self.pid = getpid()
        self.directory = directory
        self.descriptor = descriptor
        self.names = names
        self.buffer = .allocate(byteCount: Self.bufferSize, alignment: MemoryLayout<inotify_event>.alignment)
    }

    deinit {
        // Also right in a forked child: closing its copy leaves the parent's alone.
        close(descriptor)
        buffer.deallocate()
    }

    /// Reads every pending event without blocking. Returns whether any counted, or whether
    /// this is the first call (changes made before the watch existed cannot be known).
    /// - Throws: ``StorageError`` when reading fails.
    func drain() throws -> Bool {
        let fresh = isFresh
        isFresh = false
        return try readPending() || fresh
    }

    /// Blocks in `poll()` until a counted event arrives (true) or `timeout` seconds pass
    /// (false), reading every pending event. A signal does not end the wait early.
    /// - Throws: ``StorageError`` when polling or reading fails.
    func wait(timeout: Double) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(max(0, timeout))
        while true {
            let remaining = deadline - .now
            if remaining <= .zero { return false }
            let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
            let ready: Bool
            do {
                ready = try System.pollInput(descriptor, timeout: seconds, name: "poll")
            } catch {
                throw StorageError(code: .io, message: "cannot poll inotify for \(directory)", errno: error.errno)
            }
            if ready, try readPending() { return true }
            if isRemoved { return false }
        }
    }

    /// Reads until the descriptor is empty; returns whether any event counted.
    private func readPending() throws -> Bool {
        var counted = false
        while true {
            let read: Int?
            do {
                read = try System.readAvailable(descriptor, into: buffer, name: "read")
            } catch {
                throw StorageError(code: .io, message: "cannot read inotify events for \(directory)", errno: error.errno)
            }
            guard let got = read, got > 0 else { return counted }
            if parse(count: got) { counted = true }
        }
    }

    /// Walks the `got` bytes of events in the buffer; returns whether any counted.
    private func parse(count got: Int) -> Bool {
        var counted = false
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= got {
            let mask = buffer.load(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
            if mask & UInt32(IN_IGNORED) != 0 { isRemoved = true }
            if mask & UInt32(IN_Q_OVERFLOW | IN_IGNORED) != 0 || matches(nameAt: offset + header, length: length) {
                counted = true
            }
            offset += header + length
        }
        return counted
    }

    /// Whether the NUL-padded name of `length` bytes at `start` passes the name filter.
    private func matches(nameAt start: Int, length: Int) -> Bool {
        guard let names else { return true }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[start..<start + length])
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return names.contains(String(decoding: bytes[..<end], as: UTF8.self))
    }

    /// Runs `body` through ``System/call(_:_:)``; a failure becomes a ``StorageError``
    /// with `code` and the errno.
    @discardableResult
    private static func check(
        _ code: StorageError.Code, _ what: @autoclosure () -> String, _ body: () -> Int32
    ) throws -> Int32 {
        do {
            return try System.call(what(), body)
        } catch {
            throw StorageError(code: code, message: "cannot \(what())", errno: error.errno)
        }
    }
}
