/// The `stats` table: one row per (queue, minute, task), one INTEGER column per counter of
/// ``TaskCounters`` (named by ``TaskCounters/fieldNames``), added to by one upsert in the
/// ack's transaction.
extension SqliteSQL {
    private static let columns = TaskCounters.fieldNames

    /// The table, created with the others.
    static let statsTable = """
        CREATE TABLE IF NOT EXISTS stats (queue TEXT NOT NULL, minute INTEGER NOT NULL, task TEXT NOT NULL,
            \(columns.map { "\($0) INTEGER NOT NULL DEFAULT 0" }.joined(separator: ", ")),
            PRIMARY KEY (queue, minute, task));
        """

    /// Adds a tally to its row (made when missing): ?1 queue, ?2 minute, ?3 task, then the counters.
    static let addTally = """
        INSERT INTO stats (queue, minute, task, \(columns.joined(separator: ", ")))
            VALUES (?1, ?2, ?3, \(columns.indices.map { "?\($0 + 4)" }.joined(separator: ", ")))
            ON CONFLICT (queue, minute, task) DO UPDATE SET
            \(columns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", "))
        """

    /// The rows of a queue from minute ?2 on.
    static let readStats = """
        SELECT minute, task, \(columns.joined(separator: ", ")) FROM stats WHERE queue = ?1 AND minute >= ?2
            ORDER BY minute, task
        """

    static let pruneStats = "DELETE FROM stats WHERE queue = ?1 AND minute < ?2"
    static let flushStats = "DELETE FROM stats WHERE queue = ?1"

    /// The parameters of ``addTally`` for `tally`.
    static func tallyValues(_ tally: StatsTally, queue: String) -> [SQLiteValue] {
        [.text(queue), .integer(Int64(tally.minute)), .text(tally.task)]
            + tally.counters.values.map { .integer(Int64($0)) }
    }
}

extension SqliteStorage {
    public func statistics(since minute: Int) throws -> [StatsTally] {
        try withConnection { connection in
            try connection.query(SqliteSQL.readStats, [.text(name), .integer(Int64(minute))]) { row in
                StatsTally(
                    minute: row.int(0), task: row.text(1),
                    counters: TaskCounters(values: (0..<TaskCounters.fieldCount).map { row.int(Int32($0 + 2)) }))
            }
        }
    }

    public func addStatistics(_ tallies: [StatsTally]) throws {
        guard !tallies.isEmpty else { return }
        try write { connection in
            for tally in tallies { try connection.run(SqliteSQL.addTally, SqliteSQL.tallyValues(tally, queue: name)) }
        }
    }

    public func pruneStatistics(before minute: Int) throws {
        try write { connection in try connection.run(SqliteSQL.pruneStats, [.text(name), .integer(Int64(minute))]) }
    }
}
