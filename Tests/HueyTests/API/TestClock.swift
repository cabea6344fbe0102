import Foundation
import Huey
import Synchronization

/// A clock a test moves by hand, so etas can be checked without sleeping.
final class TestClock: Sendable {
    private let now: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) { now = Mutex(start) }

    var date: Date { now.withLock { $0 } }
    var seconds: Double { date.timeIntervalSince1970 }

    func advance(_ seconds: Double) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// Installs this clock on `huey`.
    func install(on huey: Huey) {
        huey.clock = { [self] in self.date }
    }
}

/// Records the signals a Huey emits.
final class SignalLog: Sendable {
    private let entries = Mutex<[(HueySignal, String)]>([])

    init(_ huey: Huey) {
        huey.signal { [self] signal, call, _ in self.entries.withLock { $0.append((signal, call.name)) } }
    }

    var signals: [HueySignal] { entries.withLock { $0.map(\.0) } }
    func signals(for name: String) -> [HueySignal] { entries.withLock { $0.filter { $0.1 == name }.map(\.0) } }
}
