import Foundation

extension FileStorage {
    /// Moves the due scheduled messages into the queue, under the storage lock. Each
    /// message moves by one rename (a message `prepare` rewrites first replaces its schedule
    /// entry by another rename), so a process that dies midway leaves every message in the
    /// schedule or in the queue, never in neither.
    /// - Throws: ``StorageError``.
    public func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int {
        let moved = try exclusive { counters, _ -> Int in
            var due: [(entry: String, data: [UInt8])] = []
            for entry in try sortedEntries(scheduleDirectory, Self.isScheduleEntry) {
                if let time = FileNames.timestamp(ofScheduleEntry: entry), time > timestamp { break }
                guard let data = try FileSystemCalls.readFile("\(scheduleDirectory)/\(entry)") else { continue }
                due.append((entry, data))
            }
            guard !due.isEmpty else { return 0 }
            let first = try counters.reserve(.entries, count: due.count)
            for (offset, due) in due.enumerated() {
                let item = prepare(due.data)
                let source = "\(scheduleDirectory)/\(due.entry)"
                if item.data != due.data { try moveTemp(try writeTemp(item.data), to: source) }
                let target = FileNames.queueEntry(priority: item.priority, sequence: first &+ UInt64(offset))
                _ = try FileSystemCalls.renameIfPresent(source, to: "\(queueDirectory)/\(target)")
            }
            return due.count
        }
        if moved > 0 { try syncDirectories(scheduleDirectory, queueDirectory) }
        return moved
    }
}
