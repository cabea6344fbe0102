import Foundation
import Huey

/// Reads what the dashboard shows from a Huey's storage, through Huey's public API.
///
/// Every method is synchronous (the storage is); the routes call them through
/// ``BlockingCalls`` so they run off the event loop.
public struct DashboardReader: Sendable {
    /// How far ahead the next run of a periodic task is looked for: 31 days.
    public static let periodicHorizon: Double = 31 * 24 * 3600

    /// The Huey whose storage is read.
    public let huey: Huey

    /// Reads `huey`'s storage.
    public init(huey: Huey) {
        self.huey = huey
    }

    /// The time now by the Huey's clock (Unix seconds), which every page uses.
    public var now: Double { huey.clock().timeIntervalSince1970 }

    /// The queue's counts now (``Huey/queueCounts()``) and whether it is paused.
    /// - Throws: ``StorageError`` when the storage cannot be read.
    public func summary() throws -> QueueSummary {
        let counts = try huey.queueCounts()
        let pausedSince = try huey.pausedSince()
        return QueueSummary(
            name: huey.name, pending: counts.pending, scheduled: counts.scheduled, inFlight: counts.claimed,
            results: counts.results, dead: counts.dead, diskBytes: counts.disk?.bytes, paused: pausedSince != nil,
            pausedSince: pausedSince?.timeIntervalSince1970, time: now)
    }

    /// The statistics of the last `window` seconds (``Huey/statistics(window:)``).
    /// - Throws: ``StorageError``.
    public func statistics(window: Double) throws -> StatisticsReport {
        try huey.statistics(window: window)
    }

    /// Each task's throughput and run-time p95 per minute over `report`'s window, by name.
    public static func charts(_ report: StatisticsReport) -> [TaskChart] {
        report.tasks.map { task in
            let series = report.series(task: task.name)
            return TaskChart(
                name: task.name,
                throughput: series.map { ChartPoint(time: Double($0.minute * 60), value: Double($0.counters[.completed])) },
                runP95: series.compactMap { tally in
                    guard let p95 = TaskCounters.percentile(0.95, of: tally.counters.runTime), p95.isFinite else { return nil }
                    return ChartPoint(time: Double(tally.minute * 60), value: p95)
                })
        }
    }

    /// The live consumers, each worker with the call it runs (``Huey/consumerStatuses(now:)``).
    /// - Throws: ``StorageError``.
    public func consumers() throws -> [ConsumerStatus] {
        try huey.consumerStatuses(now: huey.clock())
    }

    /// The queued calls in the order they will run, at most `limit`.
    /// - Throws: ``StorageError``.
    public func pending(limit: Int) throws -> [CallSummary] {
        try huey.pending(limit: limit).map(Self.call)
    }

    /// The scheduled calls, earliest first, at most `limit`.
    /// - Throws: ``StorageError``.
    public func scheduled(limit: Int) throws -> [CallSummary] {
        try huey.scheduled(limit: limit).map(Self.call)
    }

    /// The calls workers run now, oldest first.
    /// - Throws: ``StorageError``.
    public func running() throws -> [RunningCall] {
        let now = self.now
        return try huey.storage.claims().map { claim in
            let message = try? huey.decodeMessage(claim.data)
            return RunningCall(
                id: message?.id, name: message?.name, pid: claim.owner.pid, host: claim.owner.host,
                claimedAt: claim.claimedAt, runningFor: max(0, now - claim.claimedAt), deadline: claim.deadline)
        }
    }

    /// The periodic tasks registered on the Huey, with their next run after `now`.
    /// - Throws: ``StorageError`` when revocations cannot be read.
    public func periodic(now: Date? = nil) throws -> [PeriodicSummary] {
        let now = now ?? huey.clock()
        return try huey.registry.periodicNames.map { name in
            let next = huey.registry.periodicSchedule(named: name).flatMap { Self.nextRun(of: $0, after: now) }
            return PeriodicSummary(
                name: name, nextRun: next?.timeIntervalSince1970, revoked: try huey.isRevoked(task: name))
        }
    }

    /// The error results in the result store (calls that failed for good), at most
    /// `limit`, ordered by error type then id. The store keeps no time for a result, so
    /// "recent" means "still stored".
    /// - Throws: ``StorageError``.
    public func failures(limit: Int) throws -> [FailureSummary] {
        var failures: [FailureSummary] = []
        for (key, bytes) in try huey.storage.resultItems() {
            guard case .error(let info)? = try? MessageCodec.decodeOutcome(bytes) else { continue }
            failures.append(
                FailureSummary(
                    id: info.taskID.isEmpty ? key : info.taskID, type: info.type, error: info.error,
                    retries: info.retries, traceback: info.traceback))
        }
        failures.sort { ($0.type, $0.id) < ($1.type, $1.id) }
        return Array(failures.prefix(limit))
    }

    /// The dead letters, oldest first, at most `limit`.
    /// - Throws: ``StorageError``.
    public func dead(limit: Int) throws -> [DeadSummary] {
        try huey.storage.deadItems().prefix(limit).map { letter in
            let message = try? huey.decodeMessage(letter.data)
            let text = String(decoding: letter.data, as: UTF8.self)
            return DeadSummary(
                letter: letter.id, timestamp: letter.timestamp, reason: letter.reason, id: message?.id,
                name: message?.name, data: text.count > 500 ? String(text.prefix(499)) + "…" : text)
        }
    }

    /// Whether the call `id` is revoked and what the result store holds for it.
    /// - Throws: ``StorageError``.
    public func status(of id: String) throws -> CallStatus {
        let stored = try huey.storage.peekData(key: id)
        let result: String
        switch stored.flatMap({ try? MessageCodec.decodeOutcome($0) }) {
        case .error?: result = "error"
        case .value?: result = "value"
        case nil: result = stored == nil ? "none" : "value"
        }
        return CallStatus(id: id, revoked: try huey.isRevoked(id: id), result: result)
    }

    /// The first whole minute after `date` that `schedule` matches, looking up to
    /// ``periodicHorizon`` ahead; nil when none does.
    static func nextRun(of schedule: (Date) -> Bool, after date: Date) -> Date? {
        let start = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        var minute = start
        while minute <= start + periodicHorizon {
            let candidate = Date(timeIntervalSince1970: minute)
            if schedule(candidate) { return candidate }
            minute += 60
        }
        return nil
    }

    private static func call(_ call: TaskCall) -> CallSummary {
        CallSummary(
            id: call.id, name: call.name, args: JSONValue.array(call.args).description, priority: call.priority,
            retries: call.retries, eta: call.eta?.timeIntervalSince1970)
    }
}
