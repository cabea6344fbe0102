/// The defaults of a storage that keeps no statistics: ``StorageWrite/tally(_:)`` is
/// ignored by its ack, nothing is read back, nothing to prune.
///
/// A storage that keeps them (Memory, SQLite, File, Redis) adds each tally to the row of
/// its (minute, task) inside the ack's transaction — never in a commit of its own — and
/// answers ``Storage/statistics(since:)`` and ``Storage/pruneStatistics(before:)``.
extension Storage {
    /// No statistics kept.
    public func statistics(since minute: Int) throws -> [StatsTally] { [] }
    /// Nothing to prune.
    public func pruneStatistics(before minute: Int) throws {}
    /// No statistics kept.
    public func addStatistics(_ tallies: [StatsTally]) throws {}
}

extension Array where Element == StatsTally {
    /// The tallies added up by (minute, task), sorted by minute then task (storages that
    /// keep several rows for one pair — none so far — and merged reports use it).
    public func merged() -> [StatsTally] {
        var byKey: [Pair: TaskCounters] = [:]
        for tally in self { byKey[Pair(minute: tally.minute, task: tally.task), default: TaskCounters()].add(tally.counters) }
        return byKey.map { StatsTally(minute: $0.key.minute, task: $0.key.task, counters: $0.value) }
            .sorted { ($0.minute, $0.task) < ($1.minute, $1.task) }
    }

    private struct Pair: Hashable {
        let minute: Int
        let task: String
    }
}
