/*
 * limit_pg.c: the raw PostgreSQL rate of the statements PostgresStorage runs (the "limit"
 * for Tools/bench/compare_postgres.sh, as limit.c is for SQLite).
 *
 *   cc -O2 limit_pg.c -I$(pg_config --includedir) -lpq -o limit_pg
 *   ./limit_pg -u URL [-n TASKS] [-c CLIENTS] [-b MESSAGE_BYTES]
 *
 * libpq, prepared statements, binary bytea parameters, autocommit unless a transaction is
 * written out; tables limit_task / limit_claim / limit_kv shaped as Huey's <prefix>_task,
 * our <prefix>_claim and Huey's <prefix>_kv (Sources/HueyPostgres/Storage/PostgresSQL.swift):
 *   enqueue        WITH (INSERT INTO task ...) SELECT pg_notify(...)           one statement per task
 *   claim_ack_2txn claim (WITH (DELETE FROM task ... SKIP LOCKED RETURNING) INSERT INTO claim ...);
 *                  revocation prefix lookup (one statement); BEGIN; DELETE FROM claim; INSERT INTO kv ... ; COMMIT
 *   claim_ack_1txn BEGIN; DELETE FROM claim; INSERT INTO kv; claim the next; prefix lookup; COMMIT
 *                  (what a busy worker does: PostgresStorage's chained ack)
 * The two drain figures run CLIENTS processes (default 2, as `-w 2`) on one pre-filled queue.
 * Prints one JSON object with tasks/s for each.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *url = "";
static int message_bytes = 300;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static PGconn *connect_db(void) {
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "limit_pg: connect: %s", PQerrorMessage(c));
        exit(1);
    }
    return c;
}

static PGresult *check(PGconn *c, PGresult *r, const char *what) {
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        fprintf(stderr, "limit_pg: %s: %s", what, PQerrorMessage(c));
        exit(1);
    }
    return r;
}

static void exec(PGconn *c, const char *sql) { PQclear(check(c, PQexec(c, sql), sql)); }

static void prepare(PGconn *c, const char *name, const char *sql) {
    PQclear(check(c, PQprepare(c, name, sql, 0, NULL), sql));
}

/* Runs a prepared statement; text parameters, except that a parameter named by
   binary_index (>= 0) is the message, sent in binary. Returns the result (caller clears). */
static PGresult *run(PGconn *c, const char *name, int n, const char *const *values, int binary_index,
                     const char *message) {
    const char *v[8];
    int lengths[8] = {0}, formats[8] = {0};
    for (int i = 0; i < n; i++) {
        v[i] = values[i];
        if (i == binary_index) {
            v[i] = message;
            lengths[i] = message_bytes;
            formats[i] = 1;
        }
    }
    return check(c, PQexecPrepared(c, name, n, v, lengths, formats, 0), name);
}

static const char *claim_sql =
    "with next as (delete from limit_task where id = (select id from limit_task where queue = $1 "
    "order by priority desc, id limit 1 for update skip locked) returning data, priority) "
    "insert into limit_claim (queue, data, priority, owner_host, owner_pid, owner_start, claimed_at) "
    "select $1::text, data, priority, 'host', 1, 2, 3.0 from next returning id";

static void prepare_worker(PGconn *c) {
    prepare(c, "claim", claim_sql);
    prepare(c, "drop", "delete from limit_claim where queue = $1 and id = $2 returning data, priority");
    prepare(c, "put", "insert into limit_kv (queue, key, value) values ($1, $2, $3) "
                      "on conflict (queue, key) do update set value = excluded.value");
    prepare(c, "prefix", "select exists (select 1 from limit_kv where queue = $1 and key ~>=~ $2 and key ~<~ $3) "
                         "or exists (select 1 from limit_kv where queue = $1 and key ~>=~ $4 and key ~<~ $5)");
}

static void prefix_lookups(PGconn *c) {
    const char *prefixes[] = {"bench", "r:", "r;", "rt:", "rt;"};
    PQclear(run(c, "prefix", 5, prefixes, -1, NULL));
}

/* One client draining the queue; chained = one transaction per task. Returns tasks done. */
static int drain(int chained, const char *message) {
    PGconn *c = connect_db();
    prepare_worker(c);
    const char *queue[] = {"bench"};
    int done = 0;
    char id[32] = "", key[64];
    PGresult *r = run(c, "claim", 1, queue, -1, NULL);
    int have = PQntuples(r) == 1;
    if (have) snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (have) prefix_lookups(c);
    while (have) {
        const char *drop[] = {"bench", id};
        snprintf(key, sizeof key, "result-%s", id);
        const char *put[] = {"bench", key, NULL};
        exec(c, "begin");
        PQclear(run(c, "drop", 2, drop, -1, NULL));
        PQclear(run(c, "put", 3, put, 2, message));
        if (chained) {
            r = run(c, "claim", 1, queue, -1, NULL);
            have = PQntuples(r) == 1;
            if (have) snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
            PQclear(r);
            if (have) prefix_lookups(c);
            exec(c, "commit");
        } else {
            exec(c, "commit");
            r = run(c, "claim", 1, queue, -1, NULL);
            have = PQntuples(r) == 1;
            if (have) snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
            PQclear(r);
            if (have) prefix_lookups(c);
        }
        done++;
    }
    PQfinish(c);
    return done;
}

static void fill(PGconn *c, int n, const char *message) {
    exec(c, "truncate limit_task, limit_claim, limit_kv");
    const char *values[] = {"bench", NULL};
    exec(c, "begin");
    for (int i = 0; i < n; i++) PQclear(run(c, "insert", 2, values, 1, message));
    exec(c, "commit");
}

static double drain_rate(PGconn *c, int n, int clients, int chained, const char *message) {
    fill(c, n, message);
    double start = now();
    for (int i = 0; i < clients; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            drain(chained, message);
            _exit(0);
        }
        if (pid < 0) { perror("fork"); exit(1); }
    }
    int status, failed = 0;
    while (wait(&status) > 0) failed |= !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    double elapsed = now() - start;
    if (failed) { fprintf(stderr, "limit_pg: a client failed\n"); exit(1); }
    return n / elapsed;
}

int main(int argc, char **argv) {
    int n = 20000, clients = 2, opt;
    while ((opt = getopt(argc, argv, "u:n:c:b:")) != -1) {
        switch (opt) {
        case 'u': url = optarg; break;
        case 'n': n = atoi(optarg); break;
        case 'c': clients = atoi(optarg); break;
        case 'b': message_bytes = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: limit_pg -u URL [-n TASKS] [-c CLIENTS] [-b MESSAGE_BYTES]\n");
            return 2;
        }
    }
    char *message = malloc(message_bytes);
    memset(message, 'x', message_bytes);
    PGconn *c = connect_db();
    PQclear(PQexec(c, "set client_min_messages = warning"));
    exec(c, "create table if not exists limit_task (id bigserial primary key, queue text not null, "
            "data bytea not null, priority double precision not null default 0.0)");
    exec(c, "create index if not exists limit_task_queue_priority_id on limit_task (queue, priority desc, id)");
    exec(c, "create table if not exists limit_claim (id bigserial primary key, queue text not null, "
            "data bytea not null, priority double precision not null, owner_host text not null, "
            "owner_pid bigint not null, owner_start bigint not null, claimed_at double precision not null, "
            "deadline double precision)");
    exec(c, "create table if not exists limit_kv (queue text not null, key text not null, value bytea not null, "
            "primary key(queue, key))");
    exec(c, "create index if not exists limit_kv_queue_key_pattern on limit_kv (queue, key text_pattern_ops)");
    prepare(c, "enqueue", "with added as (insert into limit_task (queue, data, priority) values ($1, $2, 0) "
                          "returning 1) select pg_notify('limit.q.bench', '')");
    prepare(c, "insert", "insert into limit_task (queue, data, priority) values ($1, $2, 0)");
    exec(c, "truncate limit_task, limit_claim, limit_kv");

    const char *values[] = {"bench", NULL};
    double start = now();
    for (int i = 0; i < n; i++) PQclear(run(c, "enqueue", 2, values, 1, message));
    double enqueue = n / (now() - start);

    double two = drain_rate(c, n, clients, 0, message);
    double one = drain_rate(c, n, clients, 1, message);
    exec(c, "drop table limit_task, limit_claim, limit_kv");
    PQfinish(c);
    printf("{\"tasks\": %d, \"clients\": %d, \"message_bytes\": %d, \"enqueue_txn_per_s\": %.1f, "
           "\"claim_ack_2txn_per_s\": %.1f, \"claim_ack_1txn_per_s\": %.1f}\n",
           n, clients, message_bytes, enqueue, two, one);
    return 0;
}
