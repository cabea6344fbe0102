import Foundation
import Synchronization

/// A worker process's statistics not yet written: each call's counts are added here, and
/// written with the ack of the first call at least ``flushInterval`` after the last write
/// (so most acks write no statistics), and by ``Huey/flushStatistics(in:)`` when the worker
/// finds the queue empty. A worker that dies loses what it had not written: at most about
/// a second of its counts. The consumer master's own writes (calls its claim recovery fails)
/// bypass it, so a forked worker never inherits counts to write twice.
final class StatsBuffer: Sendable {
    /// Seconds between two writes of a busy worker's counts.
    static let flushInterval: Duration = .seconds(1)

    private struct Pending {
        var counters: [Key: TaskCounters] = [:]
        var lastFlush = ContinuousClock.now
    }

    private struct Key: Hashable {
        let minute: Int
        let task: String
    }

    private let pending = Mutex(Pending())

    /// Adds one call's counts.
    func add(_ tally: StatsTally) { add([tally]) }

    /// Adds counts (or puts back those a failed write took).
    func add(_ tallies: [StatsTally]) {
        pending.withLock { pending in
            for tally in tallies {
                pending.counters[Key(minute: tally.minute, task: tally.task), default: TaskCounters()].add(tally.counters)
            }
        }
    }

    /// Takes every pending count when a write is due (or with `force`); nil when not due.
    func take(force: Bool = false) -> [StatsTally]? {
        pending.withLock { pending in
            let now = ContinuousClock.now
            guard force || pending.lastFlush.duration(to: now) >= Self.flushInterval else { return nil }
            pending.lastFlush = now
            let taken = pending.counters.map { StatsTally(minute: $0.key.minute, task: $0.key.task, counters: $0.value) }
            pending.counters.removeAll()
            return taken
        }
    }
}

extension Huey {
    /// Writes the statistics this process's workers have not written yet (see
    /// ``StatsBuffer``), in one transaction; nothing when there are none. Workers call it
    /// when they find the queue empty.
    /// - Throws: ``StorageError``; the counts are kept for the next write.
    public func flushStatistics(in storage: any Storage) throws {
        guard let taken = statsBuffer.take(force: true), !taken.isEmpty else { return }
        do { try storage.addStatistics(taken) } catch {
            statsBuffer.add(taken)
            throw error
        }
    }
}
