import Foundation
import Metrics
import Logging
import Synchronization

/// A task queue: where tasks are registered, calls are enqueued, and results are read.
///
/// ```swift
/// let huey = try SqliteHuey(name: "demo", filename: "/tmp/demo.db")
/// let add = huey.task("add") { (a: Int, b: Int) in a + b }
/// let result = try add(1, 2)            // enqueued; a consumer runs it
/// try result(blocking: true, timeout: 5) // 3
/// ```
/// Use ``SqliteHuey``, ``FileHuey``, ``MemoryHuey`` or ``BlackHoleHuey``, or pass any
/// ``Storage``. A Huey is safe to use from several threads.
open class Huey: @unchecked Sendable {
    // open: storages of other modules (RedisHuey in HueyRedis) subclass it. @unchecked
    // Sendable: the class is not final; all of its mutable state lives in `state`, a Mutex.

    /// The queue's name.
    public let name: String
    /// Whether results are stored (Huey's `results`).
    public let results: Bool
    /// Whether a `nil`/`Void` return is stored as a result (Huey's `store_none`).
    public let storeNone: Bool
    /// Whether crontabs are read in UTC (`true`) or local time.
    public let utc: Bool
    /// Whether immediate mode uses a private in-memory storage.
    public let immediateUseMemory: Bool
    /// Every registered task.
    public let registry = TaskRegistry()
    /// This process's statistics not yet written (see ``StatsBuffer``).
    let statsBuffer = StatsBuffer()
    /// The logger (label `huey`). Made on first use rather than in `init`, so a logging
    /// backend bootstrapped after this Huey was created (the consumer's) is the one used.
    public var logger: Logger {
        state.withLock { state in
            if let logger = state.logger { return logger }
            var logger = Logger(label: "huey")
            logger[metadataKey: "queue"] = "\(name)"
            state.logger = logger
            return logger
        }
    }
    /// The largest message accepted at enqueue, in bytes.
    public var maxMessageSize: Int {
        get { state.withLock { $0.maxMessageSize } }
        set { state.withLock { $0.maxMessageSize = newValue } }
    }

    /// Whether a failed attempt with retries left stores its error result and enqueues its
    /// `on_error` handler (Huey's `store_intermediate_errors`, on by default); off, both wait
    /// for the final failure. Set it before enqueueing and before the consumer starts.
    public var storeIntermediateErrors: Bool {
        get { state.withLock { $0.storeIntermediateErrors } }
        set { state.withLock { $0.storeIntermediateErrors = newValue } }
    }

    /// How long (seconds) the per-task statistics are kept (default 24 hours; see
    /// ``statistics(window:)``); 0 turns recording off. Workers add each call's counts to
    /// the storage in the transaction of its ack; the consumer master prunes older minutes.
    /// Set it before the consumer starts.
    public var statisticsWindow: Double {
        get { state.withLock { $0.statisticsWindow } }
        set { state.withLock { $0.statisticsWindow = newValue } }
    }

    /// Where the per-call swift-metrics go (see ``CallMetrics``); nil (the default) is the
    /// process's `MetricsSystem.factory`, a no-op unless the application bootstraps a backend.
    public var metricsFactory: (any MetricsFactory)? {
        get { state.withLock { $0.metricsFactory } }
        set { state.withLock { $0.metricsFactory = newValue } }
    }

    /// The storage given at `init`, its capabilities looked up once.
    private let baseStorage: StorageCapabilities
    let state: Mutex<HueyState>

    /// Makes a Huey over `storage`.
    /// - Parameters:
    ///   - name: the queue name.
    ///   - storage: where calls and results live.
    ///   - results: store task results.
    ///   - storeNone: store `nil`/`Void` results too.
    ///   - utc: read crontabs in UTC (`false`: in local time).
    ///   - immediate: run calls synchronously at enqueue (for tests and development).
    ///   - immediateUseMemory: in immediate mode, use a private in-memory storage.
    public init(
        name: String, storage: any Storage, results: Bool = true, storeNone: Bool = false, utc: Bool = true,
        immediate: Bool = false, immediateUseMemory: Bool = true
    ) {
        self.name = name
        self.baseStorage = StorageCapabilities(storage)
        self.results = results
        self.storeNone = storeNone
        self.utc = utc
        self.immediateUseMemory = immediateUseMemory
        self.state = Mutex(HueyState(immediate: immediate))
    }

    /// Immediate mode: calls run synchronously in the caller's thread when enqueued, in a
    /// private in-memory storage unless `immediateUseMemory` is false.
    public var immediate: Bool {
        get { state.withLock { $0.immediate } }
        set { state.withLock { $0.immediate = newValue } }
    }

    /// The storage in use now (the in-memory one while in immediate mode).
    public var storage: any Storage { capabilities.storage }

    /// The storage in use now with its capabilities (looked up when it was opened).
    var capabilities: StorageCapabilities {
        state.withLock { state in
            guard state.immediate && immediateUseMemory else { return baseStorage }
            if let memory = state.immediateStorage { return memory }
            let memory = StorageCapabilities(MemoryStorage(name: name))
            state.immediateStorage = memory
            return memory
        }
    }

    /// The time source; tests replace it to check etas without sleeping.
    public var clock: @Sendable () -> Date {
        get { state.withLock { $0.clock } }
        set { state.withLock { $0.clock = newValue } }
    }

    /// The time zone crontabs are read in.
    public var timeZone: TimeZone { utc ? TimeZone(identifier: "UTC")! : TimeZone.current }
}

/// The mutable part of a ``Huey``.
struct HueyState: Sendable {
    var immediate: Bool
    var immediateStorage: StorageCapabilities?
    var clock: @Sendable () -> Date = { Date() }
    var maxMessageSize = MessageCodec.defaultMaxMessageSize
    var storeIntermediateErrors = true
    var statisticsWindow: Double = 24 * 3600
    var metricsFactory: (any MetricsFactory)?
    var signalHandlers: [(connection: SignalConnection, signals: Set<HueySignal>?, handler: SignalHandler)] = []
    var signalConnections = 0
    var preExecute: [(name: String, hook: @Sendable (TaskCall) throws -> Void)] = []
    var postExecute: [(name: String, hook: @Sendable (TaskCall, JSONValue?, (any Error)?) throws -> Void)] = []
    var startup: [(name: String, hook: @Sendable () throws -> Void)] = []
    var shutdown: [(name: String, hook: @Sendable () throws -> Void)] = []
    var messageSigner: (any MessageSigner)?
    var logger: Logger?
    /// Whether immediate mode's loop is running further up this call stack (a task body
    /// that enqueues leaves its call to that loop instead of starting another).
    var runningImmediately = false
    var taskLocks: Set<String> = []

    init(immediate: Bool) { self.immediate = immediate }
}

/// A Huey kept in this process's memory (tests, thread workers).
public final class MemoryHuey: Huey, @unchecked Sendable {
    /// Makes an in-memory Huey.
    public init(
        name: String = "huey", results: Bool = true, storeNone: Bool = false, utc: Bool = true,
        immediate: Bool = false
    ) {
        super.init(
            name: name, storage: MemoryStorage(name: name), results: results, storeNone: storeNone, utc: utc,
            immediate: immediate, immediateUseMemory: false)
    }
}

/// A Huey that keeps nothing.
public final class BlackHoleHuey: Huey, @unchecked Sendable {
    /// Makes a Huey whose storage discards everything.
    public init(name: String = "huey", immediate: Bool = false) {
        super.init(name: name, storage: BlackHoleStorage(name: name), immediate: immediate)
    }
}
