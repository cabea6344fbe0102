import Foundation
import Logging
import Synchronization

/// How a consumer's worker process waits out a full disk: a write that fails with
/// ``StorageError/Code/full`` is tried again after a pause (0.1 s, doubling up to
/// `longestPause`), for as long as `keepWaiting` says so. The claim being acknowledged
/// stays with its worker meanwhile, and the call's result is written when space returns
/// — the call does not run again.
///
/// It logs one warning when the disk is first found full, then at most one every
/// `logEvery` seconds while it stays full (``FullDiskNotice``), and one line when a write
/// succeeds again. Storages take it through ``Storage/pauseWhenFull(_:)`` for a whole
/// process, or through ``current`` for one thread; the consumer gives one to each worker
/// process and to each worker thread (never to the master, which must stay responsive,
/// nor to producers, whose writes throw at once).
public final class FullDiskPause: Sendable {
    /// Seconds between two warnings while the disk stays full.
    public let logEvery: Double
    /// The longest pause between two tries, in seconds.
    public let longestPause: Double
    private let label: String
    private let logger: Logger
    private let keepWaiting: @Sendable () -> Bool
    private let notice: Mutex<FullDiskNotice>

    /// Makes a pause policy.
    /// - Parameters:
    ///   - label: Who waits, for the log lines ("worker 1234").
    ///   - logger: Where the warnings go (default: label `huey`).
    ///   - logEvery: Seconds between two warnings while the disk stays full.
    ///   - longestPause: The longest pause between two tries, in seconds.
    ///   - keepWaiting: Asked before each pause; when false the write's error is thrown.
    public init(
        label: String, logger: Logger = Logger(label: "huey"), logEvery: Double = 60, longestPause: Double = 5,
        keepWaiting: @escaping @Sendable () -> Bool
    ) {
        self.label = label
        self.logger = logger
        self.logEvery = logEvery
        self.longestPause = longestPause
        self.keepWaiting = keepWaiting
        notice = Mutex(FullDiskNotice(interval: logEvery))
    }

    /// Runs `body`, and again after a pause each time it fails because the disk is full.
    /// `body` must leave nothing half-written when it throws (a transaction, temp files).
    /// - Throws: what `body` throws when it is not `.full`, or `.full` once `keepWaiting`
    ///   is false.
    public func run<T>(_ body: () throws -> T) throws -> T {
        var pause = 0.1
        while true {
            do {
                let value = try body()
                if let seconds = notice.withLock({ $0.recovered(now: Self.now()) }) {
                    logger.notice("\(label): the disk has space again after \(format(seconds)) s; carrying on")
                }
                return value
            } catch let error as StorageError where error.code == .full {
                guard keepWaiting() else { throw error }
                if notice.withLock({ $0.shouldLog(now: Self.now()) }) {
                    logger.warning(
                        "\(label): \(error). Waiting for space (the task keeps its claim; retrying every \(format(longestPause)) s at most, this is logged once every \(format(logEvery)) s).")
                }
                usleep(UInt32(pause * 1_000_000))
                pause = min(pause * 2, longestPause)
            }
        }
    }

    private static func now() -> Double { Date().timeIntervalSince1970 }

    /// The pause of the running thread, bound with `FullDiskPause.$current.withValue(pause) { … }`
    /// around a worker thread's whole life: that thread's storage writes wait out a full
    /// disk while the other threads of the process (the consumer's master) still fail at
    /// once. Outside any task, as in a worker thread, the value is bound to the thread.
    /// Storages look here first, then at the process-wide ``Storage/pauseWhenFull(_:)``.
    @TaskLocal public static var current: FullDiskPause?
}

/// Decides when to say that the disk is (still) full: the first time, then once per
/// `interval` seconds while it lasts — never once per failed write.
public struct FullDiskNotice: Sendable {
    /// Seconds between two lines while the disk stays full.
    public let interval: Double
    private var fullSince: Double?
    private var lastLogged = -Double.infinity

    /// Makes a notice that speaks at most once per `interval` seconds.
    public init(interval: Double = 60) {
        self.interval = interval
    }

    /// Called on each failure because the disk is full; true when it should be logged.
    public mutating func shouldLog(now: Double) -> Bool {
        if fullSince == nil { fullSince = now }
        guard now - lastLogged >= interval else { return false }
        lastLogged = now
        return true
    }

    /// Called after a success; the seconds the disk was full when it had been, else nil.
    public mutating func recovered(now: Double) -> Double? {
        guard let since = fullSince else { return nil }
        fullSince = nil
        lastLogged = -Double.infinity
        return now - since
    }
}

/// Seconds for a log line: "0.1", "12.35".
private func format(_ seconds: Double) -> String {
    let rounded = (seconds * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
