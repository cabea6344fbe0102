import Foundation

extension SqliteStorage {
    /// Moves the due scheduled messages into the queue in one transaction.
    /// - Throws: ``StorageError``; then nothing moved.
    public func promoteDue(timestamp: Double, prepare: ([UInt8]) -> QueueItem) throws -> Int {
        try write { connection in
            let due = try connection.query(SqliteSQL.dueItems, [.text(name), .real(timestamp)]) { $0.blob(0) }
            guard !due.isEmpty else { return 0 }
            for data in due {
                let item = prepare(data)
                try connection.run(SqliteSQL.enqueue, [.text(name), .blob(item.data), .real(item.priority)])
            }
            try connection.run(SqliteSQL.deleteDue, [.text(name), .real(timestamp)])
            return due.count
        }
    }
}
