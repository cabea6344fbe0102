#!/usr/bin/env bash
# compare_postgres.sh: swift-huey's PostgresHuey vs Python huey 3.5.4's PostgresHuey
# (psycopg 3), side by side on one PostgreSQL server (issue 16). Run as
# `Tools/bench/compare.sh postgres [options]` or directly.
#
#   Tools/bench/compare.sh postgres [--tasks N] [--reps R] [--quick] [--no-build] [--output FILE]
#
# The server: $POSTGRES_URL when set, else a private cluster started here (initdb in a
# temporary folder, Unix socket only, the server's default durability: fsync on,
# synchronous_commit on), stopped on exit. Makes Tools/bench/.venv with huey==3.5.4 and
# psycopg[binary], builds huey-bench (release, $SCRATCH or .build-bench), compiles
# limit_pg.c (libpq: the same statements, 2 clients), then for each repetition runs
# limit_pg, huey-bench and huey_side.py, alternating which side goes first: enqueue/s,
# drain/s with -w 2 -k process, idle latency. Prints the medians (summarize.py, rows "pg").
# Defaults: 10,000 tasks, 3 repetitions. JSON of every run in Tools/bench/.out/<time>/.
# PG_OPTIONS adds server settings to the private cluster, e.g.
# PG_OPTIONS="-c synchronous_commit=off" to measure without waiting for the WAL flush.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tasks=10000
reps=3
build=1
output=
while [ $# -gt 0 ]; do
    case "$1" in
        --tasks) tasks="$2"; shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --quick) tasks=500; reps=1; shift ;;
        --no-build) build=0; shift ;;
        --output) output="$2"; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "compare_postgres.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

cd "$root"
if [ -n "$output" ]; then
    mkdir -p "$(dirname "$output")"
    exec > >(tee "$output") 2>&1
fi
scratch="${SCRATCH:-.build-bench}"
out="$here/.out/pg-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

if [ ! -x "$here/.venv/bin/python" ]; then python3 -m venv "$here/.venv"; fi
"$here/.venv/bin/python" -c 'import huey, psycopg, sys; sys.exit(huey.__version__ != "3.5.4")' 2>/dev/null \
    || "$here/.venv/bin/pip" install -q 'huey==3.5.4' 'psycopg[binary]'
py="$here/.venv/bin/python"

# The server.
pg_dir=""
stop_server() {
    if [ -n "$pg_dir" ]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
}
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
trap 'stop_server' EXIT
url="${POSTGRES_URL:-}"
if [ -z "$url" ]; then
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$pg_bin/initdb" ] || { echo "no PostgreSQL: install postgresql or set POSTGRES_URL" >&2; exit 1; }
    pg_dir=$(mktemp -d /tmp/huey-pgbench-XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pg_dir"; fi
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U huey --auth=trust -E UTF8 --no-instructions \
        >"$out/initdb.log" 2>&1 || { cat "$out/initdb.log"; exit 1; }
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 30 \
        -o "-k $pg_dir -c listen_addresses= -c max_connections=50 ${PG_OPTIONS:-}" start >/dev/null
    url="postgresql://huey@/postgres?host=$pg_dir"
fi

if [ "$build" = 1 ]; then
    swift build -c release --scratch-path "$scratch" --product huey-bench >"$out/build.log" 2>&1 \
        || { tail -30 "$out/build.log"; exit 1; }
fi
bench="${HUEY_BENCH:-$root/$scratch/release/huey-bench}"
cc -O2 -o "$out/limit_pg" "$here/limit_pg.c" -I"$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)" -lpq

server_version=$("$py" -c 'import psycopg, sys; c = psycopg.connect(sys.argv[1]); print(c.execute("show server_version").fetchone()[0], "fsync", c.execute("show fsync").fetchone()[0], "synchronous_commit", c.execute("show synchronous_commit").fetchone()[0])' "$url")
echo "swift-huey PostgresHuey vs huey $("$py" -c 'import huey; print(huey.__version__)') PostgresHuey (psycopg $("$py" -c 'import psycopg; print(psycopg.__version__)')): $tasks tasks, $reps repetitions"
echo "PostgreSQL $server_version; $( [ -n "$pg_dir" ] && echo "private cluster, Unix socket" || echo "POSTGRES_URL" )"
echo "git HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores; $(uptime | sed 's/.*load/load/')"
echo "runs in $out"

run_us() {
    local name="$1"; shift
    "$bench" --json --storage postgres --url "$url" "$@" >"$out/$name.json" 2>"$out/$name.err" \
        || echo "  huey-bench $* failed: $(tail -1 "$out/$name.err")"
}
run_py() {
    local name="$1"; shift
    "$py" "$here/huey_side.py" --json --storage postgres --url "$url" "$@" >"$out/$name.json" 2>"$out/$name.err" \
        || echo "  huey_side.py $* failed: $(tail -1 "$out/$name.err")"
}

start=$(date +%s)
parts=(--only enqueue,drain,latency)
for rep in $(seq 1 "$reps"); do
    echo "rep $rep: load $(cut -d' ' -f1 /proc/loadavg)"
    "$out/limit_pg" -u "$url" -n "$tasks" -c 2 >"$out/limit-pg-$rep.json" || echo "  limit_pg failed"
    if [ $((rep % 2)) = 1 ]; then
        run_us "us-pg-$rep" --tasks "$tasks" "${parts[@]}"
        run_py "py-pg-$rep" --tasks "$tasks" "${parts[@]}"
    else
        run_py "py-pg-$rep" --tasks "$tasks" "${parts[@]}"
        run_us "us-pg-$rep" --tasks "$tasks" "${parts[@]}"
    fi
done
echo "done in $(( $(date +%s) - start )) s"
echo
"$py" "$here/summarize.py" "$out" --rows pg | tee "$out/summary.txt"
