/// The SQL of ``SqliteStorage``: Huey's tables (`task`, `schedule`, `kv`) with Huey's
/// column names, so a Python Huey can share the file, plus `counter`, `claim`, `dead`, `fleet` and `stats`.
///
/// Statements are plain constants so that each is prepared once per connection and reused.
enum SqliteSQL {
    /// The tables and indexes, created when missing. `strictFifo` gives `task` an
    /// AUTOINCREMENT id (ids are never reused), as Huey's `strict_fifo` does.
    static func schema(strictFifo: Bool) -> String {
        let taskKey = strictFifo ? "PRIMARY KEY AUTOINCREMENT" : "PRIMARY KEY"
        return """
            CREATE TABLE IF NOT EXISTS task (id INTEGER NOT NULL \(taskKey), queue TEXT NOT NULL,
                data BLOB NOT NULL, priority REAL NOT NULL DEFAULT 0.0);
            CREATE INDEX IF NOT EXISTS task_queue_priority_id ON task (queue, priority DESC, id);
            CREATE TABLE IF NOT EXISTS schedule (id INTEGER NOT NULL PRIMARY KEY, queue TEXT NOT NULL,
                data BLOB NOT NULL, timestamp REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS schedule_queue_timestamp ON schedule (queue, timestamp);
            CREATE TABLE IF NOT EXISTS kv (queue TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                PRIMARY KEY (queue, key));
            CREATE TABLE IF NOT EXISTS counter (queue TEXT NOT NULL, key TEXT NOT NULL,
                value INTEGER NOT NULL, PRIMARY KEY (queue, key));
            CREATE TABLE IF NOT EXISTS claim (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                queue TEXT NOT NULL, data BLOB NOT NULL, priority REAL NOT NULL,
                owner_pid INTEGER NOT NULL, owner_start INTEGER NOT NULL, claimed_at REAL NOT NULL,
                deadline REAL);
            CREATE TABLE IF NOT EXISTS dead (id INTEGER NOT NULL PRIMARY KEY, queue TEXT NOT NULL,
                data BLOB NOT NULL, reason TEXT NOT NULL, timestamp REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS fleet (queue TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                expires REAL, PRIMARY KEY (queue, key));
            \(statsTable)
            """
    }

    /// How many of our ``tableCount`` tables exist (all = nothing to create).
    static let countTables = """
        SELECT count(*) FROM sqlite_master WHERE type = 'table'
            AND name IN ('task', 'schedule', 'kv', 'counter', 'claim', 'dead', 'fleet', 'stats')
        """
    /// The number of tables ``schema(strictFifo:)`` makes.
    static let tableCount = 8

    // MARK: Durability

    static let synchronousNormal = "PRAGMA synchronous = NORMAL"
    static let synchronousFull = "PRAGMA synchronous = FULL"

    // MARK: Queue

    static let enqueue = "INSERT INTO task (queue, data, priority) VALUES (?1, ?2, ?3)"
    static let nextTask = "SELECT id FROM task WHERE queue = ?1 ORDER BY priority DESC, id LIMIT 1"
    static let takeNext = "DELETE FROM task WHERE id = (\(nextTask)) RETURNING data, priority"
    /// How many messages wait, counted up to ?2 (a bounded index scan).
    static let countWaiting = "SELECT count(*) FROM (SELECT 1 FROM task WHERE queue = ?1 LIMIT ?2)"
    /// Takes the first ?2 messages in queue order (RETURNING's row order is not promised).
    static let takeMany = """
        DELETE FROM task WHERE id IN (SELECT id FROM task WHERE queue = ?1 ORDER BY priority DESC, id LIMIT ?2)
            RETURNING id, data, priority
        """
    static let queueSize = "SELECT count(*) FROM task WHERE queue = ?1"
    static let queueItems = "SELECT data FROM task WHERE queue = ?1 ORDER BY priority DESC, id LIMIT ?2"
    static let flushQueue = "DELETE FROM task WHERE queue = ?1"

    // MARK: Schedule

    static let addToSchedule = "INSERT INTO schedule (queue, data, timestamp) VALUES (?1, ?2, ?3)"
    static let dueItems = """
        SELECT data FROM schedule WHERE queue = ?1 AND timestamp <= ?2 ORDER BY timestamp, id
        """
    static let deleteDue = "DELETE FROM schedule WHERE queue = ?1 AND timestamp <= ?2"
    static let scheduleItems = "SELECT data FROM schedule WHERE queue = ?1 ORDER BY timestamp, id LIMIT ?2"
    static let scheduleSize = "SELECT count(*) FROM schedule WHERE queue = ?1"
    static let flushSchedule = "DELETE FROM schedule WHERE queue = ?1"

    // MARK: Key/value

    static let put = "INSERT OR REPLACE INTO kv (queue, key, value) VALUES (?1, ?2, ?3)"
    static let putIfEmpty = "INSERT OR IGNORE INTO kv (queue, key, value) VALUES (?1, ?2, ?3)"
    static let peek = "SELECT value FROM kv WHERE queue = ?1 AND key = ?2"
    static let pop = "DELETE FROM kv WHERE queue = ?1 AND key = ?2 RETURNING value"
    static let deleteKey = "DELETE FROM kv WHERE queue = ?1 AND key = ?2"
    static let hasKey = "SELECT 1 FROM kv WHERE queue = ?1 AND key = ?2"
    static let kvSize = "SELECT count(*) FROM kv WHERE queue = ?1"
    static let kvItems = "SELECT key, value FROM kv WHERE queue = ?1"
    static let flushKV = "DELETE FROM kv WHERE queue = ?1"

    /// For each of `count` bounds (parameters 2…), the first key of queue ?1 at or after it:
    /// a key with a given prefix exists exactly when the first key at or after the prefix
    /// starts with it.
    static func firstKeys(atOrAfter count: Int) -> String {
        count <= firstKeysStatements.count ? firstKeysStatements[count - 1] : makeFirstKeys(count)
    }

    private static let firstKeysStatements = (1...4).map(makeFirstKeys)

    private static func makeFirstKeys(_ count: Int) -> String {
        let columns = (2...(count + 1)).map { "(SELECT key FROM kv WHERE queue = ?1 AND key >= ?\($0) ORDER BY key LIMIT 1)" }
        return "SELECT " + columns.joined(separator: ", ")
    }

    // MARK: Counters

    static let increment = """
        INSERT INTO counter (queue, key, value) VALUES (?1, ?2, ?3)
            ON CONFLICT (queue, key) DO UPDATE SET value = value + excluded.value RETURNING value
        """
    static let deleteCounter = "DELETE FROM counter WHERE queue = ?1 AND key = ?2"
    static let flushCounters = "DELETE FROM counter WHERE queue = ?1"

    // MARK: Claims

    static let insertClaim = """
        INSERT INTO claim (queue, data, priority, owner_pid, owner_start, claimed_at, deadline)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL) RETURNING id
        """
    static let setDeadline = "UPDATE claim SET deadline = ?3 WHERE queue = ?1 AND id = ?2"
    static let dropClaim = "DELETE FROM claim WHERE queue = ?1 AND id = ?2 RETURNING data, priority"
    static let claims = """
        SELECT id, data, priority, owner_pid, owner_start, claimed_at, deadline FROM claim
            WHERE queue = ?1 ORDER BY id
        """
    static let flushClaims = "DELETE FROM claim WHERE queue = ?1"

    // MARK: Dead letters

    static let addDead = "INSERT INTO dead (queue, data, reason, timestamp) VALUES (?1, ?2, ?3, ?4)"
    static let deadItems = "SELECT data, reason, timestamp, id FROM dead WHERE queue = ?1 ORDER BY id"
    static let flushDead = "DELETE FROM dead WHERE queue = ?1"
}
