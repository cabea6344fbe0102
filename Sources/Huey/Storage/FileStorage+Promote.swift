import Foundation

extension FileStorage {
    /// Moves the due scheduled messages into the queue, under the storage lock. Each
    /// message moves by one rename, so a process that dies midway leaves every message in
    /// the schedule or in the queue, never in neither.
    /// - Throws: ``StorageError``.
    public func promoteDue(timestamp: Double, priority: ([UInt8]) -> Double) throws -> Int {
        let moved = try lockFile.exclusive { counters, _ -> Int in
            var due: [(entry: String, data: [UInt8])] = []
            for entry in try sortedEntries(scheduleDirectory, Self.isScheduleEntry) {
                if let time = FileNames.timestamp(ofScheduleEntry: entry), time > timestamp { break }
                guard let data = try FileSystemCalls.readFile("\(scheduleDirectory)/\(entry)") else { continue }
                due.append((entry, data))
            }
            guard !due.isEmpty else { return 0 }
            let first = try counters.reserve(.entries, count: due.count)
            for (offset, item) in due.enumerated() {
                let target = FileNames.queueEntry(priority: priority(item.data), sequence: first &+ UInt64(offset))
                _ = try FileSystemCalls.renameIfPresent(
                    "\(scheduleDirectory)/\(item.entry)", to: "\(queueDirectory)/\(target)")
            }
            return due.count
        }
        if moved > 0 { try syncDirectories(scheduleDirectory, queueDirectory) }
        return moved
    }
}
