import Foundation
import Huey
import Synchronization
import Testing

/// Huey's `BaseTestCase` for the ports of its API tests: a `MemoryHuey` on a clock the test
/// moves by hand (starting at the real time's whole second), with Huey's `dequeue()`, `execute(task)` and
/// `execute_next()`, which return what the call returned (`nil` when it did not run or failed).
final class APIHarness: Sendable {
    let huey: MemoryHuey
    let clock: TestClock
    private let lastValue = Slot()

    init(name: String = "compat", results: Bool = true) {
        huey = MemoryHuey(name: name, results: results)
        clock = TestClock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        clock.install(on: huey)
        let slot = lastValue
        huey.postExecute("harness.value") { _, value, _ in slot.value.withLock { $0 = value } }
    }

    /// Huey's `len(huey)`.
    var pending: Int { get throws { try huey.pendingCount } }

    /// Huey's `dequeue()`: claims the next queued call.
    func dequeue(sourceLocation: SourceLocation = #_sourceLocation) throws -> Claim {
        let claim = try huey.storage.claim(owner: .current, now: clock.seconds)
        return try #require(claim, "nothing queued", sourceLocation: sourceLocation)
    }

    /// The message of a claimed call.
    func message(_ claim: Claim) throws -> Message { try JSONCodec.decode(Message.self, from: claim.data) }

    /// Huey's `execute(task)`: runs a claimed call now (the harness clock's now).
    @discardableResult
    func execute(_ claim: Claim) throws -> JSONValue? {
        lastValue.value.withLock { $0 = nil }
        try huey.execute(claim, in: huey.storage)
        return lastValue.value.withLock { $0 }
    }

    /// Huey's `execute_next()`.
    @discardableResult
    func executeNext(sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue? {
        try execute(dequeue(sourceLocation: sourceLocation))
    }

    /// Moves due scheduled calls to the queue (the consumer's scheduler; Huey's
    /// `read_schedule` + `enqueue`); returns how many moved.
    @discardableResult
    func promoteDue() throws -> Int { try huey.enqueueDueScheduled() }

    /// The value the last call returned, as the post-execute hook saw it.
    final class Slot: Sendable {
        let value = Mutex<JSONValue?>(nil)
    }
}

/// A list that task bodies append to from any thread (the `state = []` of Huey's tests).
final class Recorded<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])

    func append(_ item: T) { items.withLock { $0.append(item) } }
    var all: [T] { items.withLock { $0 } }
}

/// Whether `date` is `seconds` (Unix time) to within a microsecond: a `Date` does not keep
/// every bit of a Unix time it was made from.
func isAbout(_ date: Date?, _ seconds: Double) -> Bool {
    guard let date else { return false }
    return abs(date.timeIntervalSince1970 - seconds) < 1e-6
}
