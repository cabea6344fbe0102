/*
 * limit.c: the raw SQLite rate of the transactions swift-huey does (issue 7's "limit").
 *
 *   cc -O2 limit.c -lsqlite3 -o limit
 *   ./limit [-n TASKS] [-s normal|full] [-d DIR] [-b MESSAGE_BYTES]
 *
 * One process, one connection, WAL, prepared statements reused, the same schema and
 * SQL as Sources/Huey/Storage/SqliteStorage+Schema.swift:
 *   enqueue        BEGIN IMMEDIATE; INSERT INTO task ...; COMMIT              (per task)
 *   batch          BEGIN IMMEDIATE; N x INSERT INTO task ...; COMMIT          (map)
 *   claim_ack_2txn BEGIN IMMEDIATE; DELETE FROM task ... RETURNING; INSERT INTO claim ... RETURNING id; COMMIT;
 *                  SELECT revocation keys from kv (a read, as the worker does);
 *                  BEGIN IMMEDIATE; DELETE FROM claim ... RETURNING; INSERT OR REPLACE INTO kv (result); COMMIT
 *                  = what our worker does today: two commits (two fsyncs at FULL) per task
 *   claim_ack_1txn BEGIN IMMEDIATE; DELETE FROM task ... RETURNING; INSERT OR REPLACE INTO kv; COMMIT
 *                  = one commit per task (the FULL target's "one fsync per task")
 * Prints one JSON object with txn/s (tasks/s) for each.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sqlite3 *db;

static void die(const char *what) {
    fprintf(stderr, "limit: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "limit: %s: %s\n", sql, err);
        exit(1);
    }
}

static sqlite3_stmt *prep(const char *sql) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) die(sql);
    return s;
}

static void done(sqlite3_stmt *s) {
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {}
    if (rc != SQLITE_DONE) die("step");
    sqlite3_reset(s);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static const char *schema =
    "CREATE TABLE IF NOT EXISTS task (id INTEGER NOT NULL PRIMARY KEY, queue TEXT NOT NULL,"
    " data BLOB NOT NULL, priority REAL NOT NULL DEFAULT 0.0);"
    "CREATE INDEX IF NOT EXISTS task_queue_priority_id ON task (queue, priority DESC, id);"
    "CREATE TABLE IF NOT EXISTS kv (queue TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
    " PRIMARY KEY (queue, key));"
    "CREATE TABLE IF NOT EXISTS claim (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,"
    " queue TEXT NOT NULL, data BLOB NOT NULL, priority REAL NOT NULL,"
    " owner_pid INTEGER NOT NULL, owner_start INTEGER NOT NULL, claimed_at REAL NOT NULL, deadline REAL);";

#define ENQUEUE "INSERT INTO task (queue, data, priority) VALUES (?1, ?2, ?3)"
#define TAKE_NEXT "DELETE FROM task WHERE id = (SELECT id FROM task WHERE queue = ?1 " \
                  "ORDER BY priority DESC, id LIMIT 1) RETURNING data, priority"
#define INSERT_CLAIM "INSERT INTO claim (queue, data, priority, owner_pid, owner_start, claimed_at, deadline)" \
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL) RETURNING id"
#define DROP_CLAIM "DELETE FROM claim WHERE queue = ?1 AND id = ?2 RETURNING data, priority"
#define PUT "INSERT OR REPLACE INTO kv (queue, key, value) VALUES (?1, ?2, ?3)"
#define PEEK "SELECT key, value FROM kv WHERE queue = ?1 AND key IN (?2, ?3)"

static char message[4096];
static int message_bytes = 300;

/* A message of `message_bytes` bytes whose first 36 bytes are a distinct id. */
static void make_message(int i) {
    memset(message, 'x', sizeof message);
    snprintf(message, 37, "%08x-0000-4000-8000-%012d", i, i);
    message[36] = 'x';
}

static void fill(sqlite3_stmt *ins, int n, int one_txn) {
    if (one_txn) exec("BEGIN IMMEDIATE");
    for (int i = 0; i < n; i++) {
        if (!one_txn) exec("BEGIN IMMEDIATE");
        make_message(i);
        sqlite3_bind_text(ins, 1, "bench", -1, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 2, message, message_bytes, SQLITE_STATIC);
        sqlite3_bind_double(ins, 3, 0);
        done(ins);
        if (!one_txn) exec("COMMIT");
    }
    if (one_txn) exec("COMMIT");
}

/* Claims and acks every queued task; two transactions per task, or one. Returns tasks. */
static int drain(int two_txn) {
    sqlite3_stmt *take = prep(TAKE_NEXT), *claim = prep(INSERT_CLAIM), *drop = prep(DROP_CLAIM),
                 *put = prep(PUT), *peek = prep(PEEK);
    int n = 0;
    char key[64];
    for (;;) {
        exec("BEGIN IMMEDIATE");
        sqlite3_bind_text(take, 1, "bench", -1, SQLITE_STATIC);
        if (sqlite3_step(take) != SQLITE_ROW) {
            sqlite3_reset(take);
            exec("COMMIT");
            break;
        }
        int bytes = sqlite3_column_bytes(take, 0);
        memcpy(message, sqlite3_column_blob(take, 0), bytes);
        double priority = sqlite3_column_double(take, 1);
        done(take);
        snprintf(key, sizeof key, "%.36s", message);
        if (two_txn) {
            sqlite3_bind_text(claim, 1, "bench", -1, SQLITE_STATIC);
            sqlite3_bind_blob(claim, 2, message, bytes, SQLITE_STATIC);
            sqlite3_bind_double(claim, 3, priority);
            sqlite3_bind_int64(claim, 4, getpid());
            sqlite3_bind_int64(claim, 5, 12345);
            sqlite3_bind_double(claim, 6, 1.7e9);
            if (sqlite3_step(claim) != SQLITE_ROW) die("claim");
            sqlite3_int64 id = sqlite3_column_int64(claim, 0);
            done(claim);
            exec("COMMIT");
            /* the worker's revocation check: one read of two keys */
            sqlite3_bind_text(peek, 1, "bench", -1, SQLITE_STATIC);
            sqlite3_bind_text(peek, 2, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(peek, 3, "bench.noop", -1, SQLITE_STATIC);
            done(peek);
            exec("BEGIN IMMEDIATE");
            sqlite3_bind_text(drop, 1, "bench", -1, SQLITE_STATIC);
            sqlite3_bind_int64(drop, 2, id);
            done(drop);
        }
        sqlite3_bind_text(put, 1, "bench", -1, SQLITE_STATIC);
        sqlite3_bind_text(put, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_blob(put, 3, "1", 1, SQLITE_STATIC);
        done(put);
        exec("COMMIT");
        n++;
    }
    sqlite3_finalize(take); sqlite3_finalize(claim); sqlite3_finalize(drop);
    sqlite3_finalize(put); sqlite3_finalize(peek);
    return n;
}

static void reset(void) { exec("DELETE FROM task; DELETE FROM kv; DELETE FROM claim;"); }

int main(int argc, char **argv) {
    int n = 20000;
    const char *sync = "normal", *dir = "/tmp";
    int opt;
    while ((opt = getopt(argc, argv, "n:s:d:b:")) != -1) {
        switch (opt) {
        case 'n': n = atoi(optarg); break;
        case 's': sync = optarg; break;
        case 'd': dir = optarg; break;
        case 'b': message_bytes = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: limit [-n TASKS] [-s normal|full] [-d DIR] [-b MESSAGE_BYTES]\n");
            return 2;
        }
    }
    if (message_bytes < 40 || message_bytes > (int)sizeof message) message_bytes = 300;
    char path[4096];
    snprintf(path, sizeof path, "%s/limit-%d.db", dir, (int)getpid());
    if (sqlite3_open(path, &db) != SQLITE_OK) die("open");
    sqlite3_busy_timeout(db, 5000);
    exec("PRAGMA journal_mode = WAL");
    exec(strcmp(sync, "full") == 0 ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    exec(schema);

    sqlite3_stmt *ins = prep(ENQUEUE);
    double t = now();
    fill(ins, n, 0);
    double enqueue = n / (now() - t);
    reset();
    t = now();
    fill(ins, n, 1);
    double batch = n / (now() - t);
    t = now();
    int drained = drain(1);
    double two = drained / (now() - t);
    reset();
    fill(ins, n, 1);
    t = now();
    drained = drain(0);
    double one = drained / (now() - t);
    sqlite3_finalize(ins);
    sqlite3_close(db);
    char side[4200];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path); unlink(side);
    snprintf(side, sizeof side, "%s-shm", path); unlink(side);
    printf("{\"sync\": \"%s\", \"tasks\": %d, \"message_bytes\": %d, \"sqlite\": \"%s\", "
           "\"enqueue_txn_per_s\": %.0f, \"batch_insert_per_s\": %.0f, "
           "\"claim_ack_2txn_per_s\": %.0f, \"claim_ack_1txn_per_s\": %.0f}\n",
           sync, n, message_bytes, sqlite3_libversion(), enqueue, batch, two, one);
    return 0;
}
