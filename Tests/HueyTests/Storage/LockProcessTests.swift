import Foundation
import Huey
import HueyTestSupport
import Testing

/// Task locks shared with another real process (the test helper's `hold-lock`).
@Suite("Storage locks across processes", .serialized)
struct LockProcessTests {
    @Test(
        "a lock held by another process is refused, and free the moment that process is killed",
        .timeLimit(.minutes(1)), arguments: [StorageBackend.sqlite, .file] + StorageBackend.testable.filter { $0 == .postgres })
    func killedHolder(backend: StorageBackend) throws {
        let place = try ScratchDirectory()
        let storage = try backend.make(name: "test", in: place)
        let lock = try storage.lock(named: "reports")
        let ready = place.file("ready")
        let holder = try HelperProcess(
            ["hold-lock", backend.rawValue, backend.helperPath(in: place), "reports", ready],
            outputDirectory: place.path)

        let started = waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: ready) }
        try #require(started, "hold-lock never got ready: \(holder.standardError)")
        #expect(try lock.isHeld())
        #expect(try !lock.tryAcquire())

        holder.send(SIGKILL)
        let exit = holder.waitForExit(timeout: 10)
        #expect(
            exit?.reason == .signaled && exit?.status == SIGKILL, "holder ended with \(String(describing: exit))")

        // The kernel dropped the flock with the process: no waiting, no stale lock. PostgreSQL
        // ends the session (and its advisory locks) as it sees the socket close: no expiry.
        if backend == .postgres {
            #expect(waitUntil(timeout: 10) { (try? lock.isHeld()) == false })
        }
        #expect(try !lock.isHeld())
        #expect(try lock.tryAcquire())
        lock.release()
    }
}
