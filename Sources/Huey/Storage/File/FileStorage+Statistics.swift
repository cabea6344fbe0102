import Foundation

/// The statistics of a ``FileStorage``: one file per minute in `stats/` (named by the
/// minute), a JSON object of task name → the counters of ``TaskCounters/fieldNames``.
/// An ack adds its tally under the storage lock, with its other writes, by writing the
/// minute's new file and renaming it over the old one (not flushed to the disk even with
/// `fsync`: a power loss may lose the last counts, never a task).
extension FileStorage {
    var statsDirectory: String { directory + "/stats" }

    /// Adds `tallies` to their minutes' files. Call with the storage lock held.
    /// - Throws: ``StorageError``.
    func add(_ tallies: [StatsTally]) throws {
        guard !tallies.isEmpty else { return }
        try FileSystemCalls.makeDirectory(statsDirectory)
        for (minute, group) in Dictionary(grouping: tallies, by: \.minute) {
            let path = "\(statsDirectory)/\(minute)"
            var tasks = try readMinute(path)
            for tally in group { tasks[tally.task, default: TaskCounters()].add(tally.counters) }
            var object: [String: JSONValue] = [:]
            for (task, counters) in tasks { object[task] = .array(counters.values.map { .int($0) }) }
            let random = FileNames.hex(UInt64.random(in: .min ... .max))
            let temp = "\(tempDirectory)/\(getpid())-\(random)"
            try FileSystemCalls.createFile(temp, try JSONWriter.encode(.object(object)), sync: false)
            do { try moveTemp(temp, to: path) } catch {
                removeQuietly([temp])
                throw error
            }
        }
    }

    /// The counters of the minute file at `path`; empty when missing.
    /// - Throws: ``StorageError`` (`.corrupt`) when it is not what this storage writes.
    private func readMinute(_ path: String) throws -> [String: TaskCounters] {
        guard let bytes = try FileSystemCalls.readFile(path) else { return [:] }
        guard case .object(let members)? = try? JSONReader.parse(bytes) else {
            throw StorageError(code: .corrupt, message: "statistics file \(path) is not a JSON object")
        }
        var tasks: [String: TaskCounters] = [:]
        for (task, value) in members {
            guard case .array(let numbers) = value else {
                throw StorageError(code: .corrupt, message: "statistics file \(path): task \(task) has no counters")
            }
            tasks[task] = TaskCounters(values: numbers.map { $0.intValue ?? 0 })
        }
        return tasks
    }

    /// The minutes with a file, from `minute` on (all when `minute` is nil).
    private func minutes(from minute: Int?) throws -> [Int] {
        try FileSystemCalls.listDirectory(statsDirectory, missingIsEmpty: true).compactMap(Int.init)
            .filter { minute == nil || $0 >= minute! }.sorted()
    }

    public func statistics(since minute: Int) throws -> [StatsTally] {
        try lockFile.exclusive { _, _ in
            try minutes(from: minute).flatMap { minute in
                try readMinute("\(statsDirectory)/\(minute)").map {
                    StatsTally(minute: minute, task: $0.key, counters: $0.value)
                }
            }.merged()
        }
    }

    public func addStatistics(_ tallies: [StatsTally]) throws {
        try pausingWhenFull { try lockFile.exclusive { _, _ in try add(tallies) } }
    }

    public func pruneStatistics(before minute: Int) throws {
        try lockFile.exclusive { _, _ in
            for old in try minutes(from: nil) where old < minute {
                _ = try FileSystemCalls.unlinkIfPresent("\(statsDirectory)/\(old)")
            }
        }
    }
}
