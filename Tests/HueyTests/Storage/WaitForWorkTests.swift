import Foundation
import Huey
import HueyTestSupport
import Synchronization
import Testing

/// `waitForWork` woken by another process's enqueue (inotify), not by polling or by
/// nothing. The waiter is the test helper's `wait-for-work`, blocked for up to 30 s.
@Suite("Waiting for work across processes", .serialized)
struct WaitForWorkTests {
    /// Starts `wait-for-work` on queue `test` and waits until it is about to block.
    private func startWaiter(_ backend: StorageBackend, in place: ScratchDirectory) throws -> HelperProcess {
        let ready = place.file("ready")
        let waiter = try HelperProcess(
            ["wait-for-work", backend.rawValue, backend.helperPath(in: place), "test", ready],
            outputDirectory: place.path)
        let started = waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: ready) }
        try #require(started, "wait-for-work never got ready: \(waiter.standardError)")
        return waiter
    }

    @Test(
        "a waiter in another process sleeps until an enqueue, then wakes long before its timeout",
        .timeLimit(.minutes(1)), arguments: [StorageBackend.sqlite, .file] + StorageBackend.testable.filter { $0 == .postgres })
    func wokenByEnqueue(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "test", in: place)
        let waiter = try startWaiter(backend, in: place)

        // Nothing enqueued: the waiter must still be blocked half a second later.
        #expect(waiter.waitForExit(timeout: 0.5) == nil, "woken with nothing enqueued: \(waiter.standardOutput) \(waiter.standardError)")

        try storage.enqueue(Array("job".utf8), priority: 0)
        let exit = waiter.waitForExit(timeout: 10)
        #expect(
            exit?.reason == .exited && exit?.status == 0,
            "waiter: \(String(describing: exit)), \(waiter.standardError)")
        // SQLite and File storage wait on inotify; PostgreSQL in LISTEN on its connection.
        let expected = backend == .postgres ? "woken=true" : "woken=true inotify=yes"
        #expect(waiter.standardOutput.contains(expected), "\(waiter.standardOutput)")
    }

    @Test(
        "an enqueue on another queue sharing the storage does not end the wait",
        .timeLimit(.minutes(1)), arguments: [StorageBackend.sqlite, .file] + StorageBackend.testable.filter { $0 == .postgres })
    func otherQueueKeepsWaiting(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let other = try backend.make(name: "other", in: place)
        let storage = try backend.make(name: "test", in: place)
        let waiter = try startWaiter(backend, in: place)

        try other.enqueue(Array("not yours".utf8), priority: 0)
        #expect(waiter.waitForExit(timeout: 0.5) == nil, "woken by another queue: \(waiter.standardOutput) \(waiter.standardError)")

        try storage.enqueue(Array("yours".utf8), priority: 0)
        let exit = waiter.waitForExit(timeout: 10)
        #expect(
            exit?.reason == .exited && exit?.status == 0,
            "waiter: \(String(describing: exit)), \(waiter.standardError)")
    }

    @Test(
        "two threads of one process waiting at once are both woken by one enqueue",
        .timeLimit(.minutes(1)), arguments: [StorageBackend.sqlite, .file])
    func twoThreadsWoken(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "test", in: place)
        let producer = try backend.make(name: "test", in: place)
        let woken = WokenCount()
        let ready = WokenCount()
        let threads = (0..<2).map { _ in
            Thread {
                // A first call sets up the thread's watch; after it no commit is missed.
                _ = try? storage.waitForWork(timeout: 0)
                ready.add()
                if (try? storage.waitForWork(timeout: 30)) == true { woken.add() }
            }
        }
        for thread in threads { thread.start() }
        #expect(waitUntil(timeout: 20) { ready.value == 2 }, "ready: \(ready.value) of 2")
        #expect(woken.value == 0, "woken with nothing enqueued")
        try producer.enqueue(Array("job".utf8), priority: 0)
        #expect(waitUntil(timeout: 20) { woken.value == 2 }, "woken: \(woken.value) of 2")
    }
}

/// A thread-safe counter of waiters (ready, woken).
private final class WokenCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
