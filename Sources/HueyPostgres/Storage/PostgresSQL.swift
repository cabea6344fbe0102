import Huey

/// The SQL of ``PostgresStorage`` for one table prefix.
///
/// Huey 3.x's tables, with its column names and types (huey/storage.py `PostgresStorage`),
/// so Python's `PostgresHuey` can share them: `<prefix>_task(id bigserial, queue, data bytea,
/// priority double precision)`, `<prefix>_schedule(id, queue, data, timestamp double
/// precision)`, `<prefix>_kv(queue, key, value bytea)`, `<prefix>_counter(queue, key, value
/// bigint)`. This project's own tables: `<prefix>_claim` (messages taken by a worker, with
/// their owner), `<prefix>_dead` (dead letters), `<prefix>_host` (each machine's
/// heartbeat, per queue) and `<prefix>_fleet` (fleet state: periodic slots, the consumer
/// registry, the pause flag). One extra index on `<prefix>_kv` (`text_pattern_ops`) makes the
/// revocation-prefix lookup an index range scan; Huey does not mind it.
///
/// Every statement names the queue as `$1`; they are prepared once per connection.
struct PostgresSQL: Sendable {
    /// The prefix, reduced to `[A-Za-z0-9_]` as Huey does.
    let prefix: String

    init(prefix: String) {
        let kept = prefix.unicodeScalars.filter {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        self.prefix = String(String.UnicodeScalarView(kept))
    }

    private var task: String { prefix + "_task" }
    private var schedule: String { prefix + "_schedule" }
    private var kv: String { prefix + "_kv" }
    private var counter: String { prefix + "_counter" }
    private var claim: String { prefix + "_claim" }
    private var dead: String { prefix + "_dead" }
    private var host: String { prefix + "_host" }
    private var fleet: String { prefix + "_fleet" }

    /// The tables and indexes by name, in creation order (Huey's four with Huey's DDL, then
    /// ours), each created only when missing: DDL on a table in use takes locks that can
    /// deadlock with the workers using it.
    var schema: [(name: String, ddl: String)] {
        [
            (kv, "create table if not exists \(kv) (queue text not null, key text not null, value bytea not null, "
                + "primary key(queue, key))"),
            (schedule, "create table if not exists \(schedule) (id bigserial primary key, queue text not null, "
                + "data bytea not null, timestamp double precision not null)"),
            (schedule + "_queue_timestamp",
             "create index if not exists \(schedule)_queue_timestamp on \(schedule) (queue, timestamp)"),
            (task, "create table if not exists \(task) (id bigserial primary key, queue text not null, "
                + "data bytea not null, priority double precision not null default 0.0)"),
            (task + "_queue_priority_id",
             "create index if not exists \(task)_queue_priority_id on \(task) (queue, priority desc, id)"),
            (counter, "create table if not exists \(counter) (queue text not null, key text not null, "
                + "value bigint not null default 0, primary key(queue, key))"),
            (kv + "_queue_key_pattern",
             "create index if not exists \(kv)_queue_key_pattern on \(kv) (queue, key text_pattern_ops)"),
            (claim, "create table if not exists \(claim) (id bigserial primary key, queue text not null, "
                + "data bytea not null, priority double precision not null, owner_host text not null, "
                + "owner_pid bigint not null, owner_start bigint not null, "
                + "claimed_at double precision not null, deadline double precision)"),
            (claim + "_queue_id", "create index if not exists \(claim)_queue_id on \(claim) (queue, id)"),
            (dead, "create table if not exists \(dead) (id bigserial primary key, queue text not null, "
                + "data bytea not null, reason text not null, timestamp double precision not null)"),
            (host, "create table if not exists \(host) (queue text not null, host text not null, "
                + "expires_at timestamptz not null, primary key(queue, host))"),
            (fleet, "create table if not exists \(fleet) (queue text not null, key text not null, "
                + "value bytea not null, expires_at double precision, primary key(queue, key))"),
        ]
    }

    /// Which of the schema's tables and indexes exist (visible on the search path).
    var existingObjects: String {
        "select c.relname from pg_catalog.pg_class c where pg_catalog.pg_table_is_visible(c.oid) and c.relname in ("
            + schema.map { "'\($0.name)'" }.joined(separator: ", ") + ")"
    }

    /// TCP keepalives on the server's side of this session's socket.
    let serverKeepalives =
        "set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3"

    /// Serialises schema creation between processes starting together (concurrent
    /// `create table if not exists` can fail on PostgreSQL's catalog).
    let schemaLock = "select pg_advisory_xact_lock(hashtextextended('huey schema', 0))"

    // MARK: Queue

    var enqueue: String { "insert into \(task) (queue, data, priority) values ($1, $2, $3)" }
    let notify = "select pg_notify($1, '')"
    private var nextTask: String {
        "select id from \(task) where queue = $1 order by priority desc, id limit 1 for update skip locked"
    }
    var dequeue: String { "delete from \(task) where id = (\(nextTask)) returning data" }
    var queueSize: String { "select count(*) from \(task) where queue = $1" }
    var queueItems: String { "select data from \(task) where queue = $1 order by priority desc, id limit $2" }
    var flushQueue: String { "delete from \(task) where queue = $1" }

    // MARK: Schedule

    var addToSchedule: String { "insert into \(schedule) (queue, data, timestamp) values ($1, $2, $3)" }
    /// Takes the due messages (rows another transaction is taking are skipped).
    var takeDue: String {
        "delete from \(schedule) where id in (select id from \(schedule) where queue = $1 and timestamp <= $2 "
            + "for update skip locked) returning timestamp, id, data"
    }
    var scheduleItems: String {
        "select data from \(schedule) where queue = $1 order by timestamp, id limit $2"
    }
    var scheduleSize: String { "select count(*) from \(schedule) where queue = $1" }
    var flushSchedule: String { "delete from \(schedule) where queue = $1" }

    // MARK: Key/value and counters

    var put: String {
        "insert into \(kv) (queue, key, value) values ($1, $2, $3) on conflict (queue, key) do update set value = excluded.value"
    }
    var putIfEmpty: String { "insert into \(kv) (queue, key, value) values ($1, $2, $3) on conflict do nothing" }
    var peek: String { "select value from \(kv) where queue = $1 and key = $2" }
    var pop: String { "delete from \(kv) where queue = $1 and key = $2 returning value" }
    var deleteKey: String { "delete from \(kv) where queue = $1 and key = $2" }
    var hasKey: String { "select 1 from \(kv) where queue = $1 and key = $2" }
    /// Stored results only (fleet state has its own table; the filter keeps rows an earlier
    /// version kept in `kv` under ``Storage/fleetKeyPrefix`` out of the count).
    var kvSize: String {
        "select count(*) from \(kv) where queue = $1 and key not like '\(PostgresStorage.fleetKeyPrefix)%'"
    }
    var kvItems: String { "select key, value from \(kv) where queue = $1" }
    var flushKV: String { "delete from \(kv) where queue = $1" }
    /// Whether a key starts with one of several prefixes, in one statement: for each prefix,
    /// in order, either a bytewise range `[$n, $n+1)` (an index range scan on the pattern
    /// index; `bounded` true) or `starts_with(key, $n)` (a prefix without such a bound).
    func anyKeyWithPrefix(bounded: [Bool]) -> String {
        var parameter = 2
        let tests = bounded.map { bounded in
            defer { parameter += bounded ? 2 : 1 }
            let test = bounded ? "key ~>=~ $\(parameter) and key ~<~ $\(parameter + 1)" : "starts_with(key, $\(parameter))"
            return "exists (select 1 from \(kv) where queue = $1 and \(test))"
        }
        return "select " + tests.joined(separator: " or ")
    }
    var increment: String {
        "insert into \(counter) as c (queue, key, value) values ($1, $2, $3) on conflict (queue, key) "
            + "do update set value = c.value + excluded.value returning value"
    }
    var deleteCounter: String { "delete from \(counter) where queue = $1 and key = $2" }
    var flushCounters: String { "delete from \(counter) where queue = $1" }

    // MARK: Claims

    /// Moves the next message to the claims in one statement: $2 host, $3 pid, $4 start, $5 time.
    /// Takes nothing while the pause flag is live at $5 (read in this statement, so no claim
    /// starts after a pause commits).
    var claimNext: String {
        "with next as (delete from \(task) where id = (\(nextTask)) and not exists (\(livePause)) returning data, priority) "
            + "insert into \(claim) (queue, data, priority, owner_host, owner_pid, owner_start, claimed_at) "
            + "select $1::text, data, priority, $2::text, $3::bigint, $4::bigint, $5::float8 from next returning id, data, priority"
    }
    var setDeadline: String { "update \(claim) set deadline = $3 where queue = $1 and id = $2" }
    var dropClaim: String { "delete from \(claim) where queue = $1 and id = $2 returning data, priority" }
    var claims: String {
        "select id, data, priority, owner_host, owner_pid, owner_start, claimed_at, deadline from \(claim) "
            + "where queue = $1 order by id"
    }
    var flushClaims: String { "delete from \(claim) where queue = $1" }

    // MARK: Dead letters

    var addDead: String { "insert into \(dead) (queue, data, reason, timestamp) values ($1, $2, $3, $4)" }
    var deadItems: String { "select data, reason, timestamp, id from \(dead) where queue = $1 order by id" }
    var flushDead: String { "delete from \(dead) where queue = $1" }
    var takeDead: String { "delete from \(dead) where queue = $1 and id = $2 returning data" }

    // MARK: Fleet state ($2 key, $3 value, $4 expiry or null, $5 now)

    var fleetPut: String {
        "insert into \(fleet) (queue, key, value, expires_at) values ($1, $2, $3, $4) "
            + "on conflict (queue, key) do update set value = excluded.value, expires_at = excluded.expires_at"
    }
    /// Puts when no live row is there (an expired row is overwritten); returns a row when it did.
    var fleetPutIfAbsent: String {
        "insert into \(fleet) as f (queue, key, value, expires_at) values ($1, $2, $3, $4) "
            + "on conflict (queue, key) do update set value = excluded.value, expires_at = excluded.expires_at "
            + "where f.expires_at is not null and f.expires_at <= $5::float8 returning 1"
    }
    var fleetValues: String {
        "select key, value from \(fleet) where queue = $1 and starts_with(key, $2) "
            + "and (expires_at is null or expires_at > $3)"
    }
    var fleetDelete: String { "delete from \(fleet) where queue = $1 and key = $2 returning 1" }
    /// The queue's pause flag when it is live at `$5`, for ``claimNext``.
    private var livePause: String {
        "select 1 from \(fleet) where queue = $1 and key = '\(FleetKeys.paused)' "
            + "and (expires_at is null or expires_at > $5::float8)"
    }

    // MARK: Machines

    /// Sets machine $2's heartbeat to expire $3 seconds from now, on the server's clock (so
    /// the machines' clocks need not agree).
    var heartbeat: String {
        "insert into \(host) (queue, host, expires_at) values ($1, $2, clock_timestamp() + make_interval(secs => $3)) "
            + "on conflict (queue, host) do update set expires_at = excluded.expires_at"
    }
    var hostAlive: String {
        "select 1 from \(host) where queue = $1 and host = $2 and expires_at > clock_timestamp()"
    }

    // MARK: Task locks (session advisory locks, keyed by a 64-bit hash of $1)

    let tryLock = "select pg_try_advisory_lock(hashtextextended($1, 0))"
    let unlock = "select pg_advisory_unlock(hashtextextended($1, 0))"
    /// Whether any session of this database holds the advisory lock of $1.
    let lockHeld = """
        with k as (select hashtextextended($1, 0) as key)
        select 1 from pg_catalog.pg_locks, k where locktype = 'advisory' and granted and objsubid = 1
            and database = (select oid from pg_catalog.pg_database where datname = current_database())
            and classid::bigint = ((k.key >> 32) & 4294967295) and objid::bigint = (k.key & 4294967295)
        """
    /// An MD5 hex digest, for channel names too long to keep (as Huey shortens them).
    let md5 = "select md5($1)"
}
