#!/usr/bin/env bash
# compare.sh: swift-huey vs Python huey 3.5.4, side by side (issues 7 and 19, DESIGN §8).
#
#   Tools/bench/compare.sh [STORAGE...] [--tasks N] [--file-tasks N] [--reps R] [--quick]
#                          [--redis-url URL] [--no-build] [--output FILE]
#
# STORAGE: sqlite (synchronous NORMAL and FULL, WAL, with limit.c), file (FileHuey drain),
# redis (RedisHuey and PriorityRedisHuey, with a redis-benchmark limit probe), postgres
# (handed to compare_postgres.sh: its own server, repetitions and table; alone, it takes
# compare_postgres.sh's options). Without a STORAGE: sqlite and file, as before. Makes
# Tools/bench/.venv with huey==3.5.4 (and redis), builds huey-bench (release, scratch path
# $SCRATCH or .build-bench), then for each repetition runs every storage, alternating
# which side goes first. Redis: the server --redis-url (or $HUEY_BENCH_REDIS_URL) names,
# else a private redis-server on a free port. Prints medians, min-max, us/huey and % of
# the limit per figure, and draws the ratios to huey as an SVG bar chart. JSON of every
# run stays in Tools/bench/.out/<time>/. Defaults: 20,000 tasks (2,000 for FileHuey,
# 10,000 for postgres), 3 repetitions: about 5-10 minutes per storage.
# --output FILE also writes everything printed to FILE (e.g. Tools/bench/results/<date>.txt)
# and the chart to FILE with .svg for its extension.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tasks=20000
file_tasks=2000
reps=3
build=1
output=
redis_url="${HUEY_BENCH_REDIS_URL:-}"
storages=()
pg_args=()  # the options compare_postgres.sh takes, as given
while [ $# -gt 0 ]; do
    case "$1" in
        --tasks) tasks="$2"; pg_args+=("$1" "$2"); shift 2 ;;
        --file-tasks) file_tasks="$2"; shift 2 ;;
        --reps) reps="$2"; pg_args+=("$1" "$2"); shift 2 ;;
        --quick) tasks=500; file_tasks=200; reps=1; pg_args+=("$1"); shift ;;
        --redis-url) redis_url="$2"; shift 2 ;;
        --no-build) build=0; pg_args+=("$1"); shift ;;
        --output) output="$2"; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        sqlite|file|redis|postgres) storages+=("$1"); shift ;;
        *) echo "compare.sh: unknown option or storage $1 (storages: sqlite, file, redis, postgres)" >&2; exit 2 ;;
    esac
done
[ ${#storages[@]} -gt 0 ] || storages=(sqlite file)
if [ "${storages[*]}" = postgres ]; then
    exec "$here/compare_postgres.sh" "${pg_args[@]}" ${output:+--output "$output"}
fi
wants() { local s; for s in "${storages[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

cd "$root"
if [ -n "$output" ]; then
    mkdir -p "$(dirname "$output")"
    exec > >(tee "$output") 2>&1
fi
scratch="${SCRATCH:-.build-bench}"
out="$here/.out/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
fi
if ! "$here/.venv/bin/python" -c 'import huey, redis, sys; sys.exit(huey.__version__ != "3.5.4")' 2>/dev/null; then
    "$here/.venv/bin/pip" install -q 'huey==3.5.4' redis
fi
py="$here/.venv/bin/python"

if [ "$build" = 1 ]; then
    swift build -c release --scratch-path "$scratch" --product huey-bench >"$out/build.log" 2>&1 \
        || { tail -30 "$out/build.log"; exit 1; }
fi
bench="${HUEY_BENCH:-$root/$scratch/release/huey-bench}"

work="$(mktemp -d "${TMPDIR:-/tmp}/huey-compare.XXXXXX")"
redis_pid=
cleanup() {
    if [ -n "$redis_pid" ]; then
        kill "$redis_pid" 2>/dev/null || true
        wait "$redis_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "swift-huey vs huey $("$py" -c 'import huey; print(huey.__version__)'): ${storages[*]}; $tasks tasks ($file_tasks FileHuey), $reps repetitions"
echo "git HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?'); working tree:"
(git status --short 2>/dev/null | head -15 | sed 's/^/    /') || true
echo "$(nproc) cores; $(uptime | sed 's/.*load/load/'); SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1); $(python3 --version)"
echo "runs in $out"
{ git rev-parse HEAD; git status --short; git diff HEAD --stat; } >"$out/git-state.txt" 2>/dev/null || true

run_us() {  # name, args...
    local name="$1"; shift
    "$bench" --json --dir "$work/us" "$@" >"$out/$name.json" 2>"$out/$name.err" \
        || echo "  huey-bench $* failed: $(tail -1 "$out/$name.err")"
    rm -rf "$work/us"
}
run_py() {
    local name="$1"; shift
    "$py" "$here/huey_side.py" --json --dir "$work/py" "$@" >"$out/$name.json" 2>"$out/$name.err" \
        || echo "  huey_side.py $* failed: $(tail -1 "$out/$name.err")"
    rm -rf "$work/py"
}
both() {  # first-side-is-us (1/0), us-name, py-name, args...
    local us_first="$1" us_name="$2" py_name="$3"; shift 3
    if [ "$us_first" = 1 ]; then
        run_us "$us_name" "$@"; run_py "$py_name" "$@"
    else
        run_py "$py_name" "$@"; run_us "$us_name" "$@"
    fi
}

# One function per storage: run_<storage> REP writes us-<mode>-REP.json, py-<mode>-REP.json
# and limit-<mode>-REP.json (the modes summarize.py knows) into $out.

sqlite_ready() { cc -O2 -o "$out/limit" "$here/limit.c" -lsqlite3; }
run_sqlite() {
    local rep="$1" sync flag lower
    for sync in NORMAL FULL; do
        flag=(); [ "$sync" = FULL ] && flag=(--fsync)
        lower=$(echo "$sync" | tr 'A-Z' 'a-z')
        echo "rep $rep $sync: load $(cut -d' ' -f1 /proc/loadavg)"
        "$out/limit" -n "$tasks" -s "$lower" -d "$work" >"$out/limit-$sync-$rep.json"
        both $(( (rep + ${#flag[@]}) % 2 )) "us-$sync-$rep" "py-$sync-$rep" --tasks "$tasks" "${flag[@]}"
    done
}

file_ready() { :; }
run_file() {
    local rep="$1"
    echo "rep $rep file: load $(cut -d' ' -f1 /proc/loadavg)"
    both $((rep % 2)) "us-file-$rep" "py-file-$rep" --storage file --tasks "$file_tasks" --only drain
}

redis_ready() {
    command -v redis-benchmark >/dev/null || { echo "compare.sh: redis needs redis-benchmark (redis-tools)" >&2; exit 1; }
    if [ -z "$redis_url" ]; then
        local port
        for _ in $(seq 20); do
            port=$((20000 + RANDOM % 12000))
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
            redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
                --dir "$work" --logfile "$work/redis.log" &
            redis_pid=$!
            for _ in $(seq 100); do
                [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && { redis_url="redis://127.0.0.1:$port/0"; break 2; }
                sleep 0.1
            done
            kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; redis_pid=
        done
        [ -n "$redis_url" ] || { echo "compare.sh: cannot start redis-server" >&2; exit 1; }
    fi
    redis_host=$(echo "$redis_url" | sed -E 's#^redis://([^@/]*@)?([^:/]*).*#\2#')
    redis_port=$(echo "$redis_url" | sed -nE 's#^redis://([^@/]*@)?[^:/]*:([0-9]+).*#\2#p')
    redis_port=${redis_port:-6379}
    echo "redis: $redis_url ($(redis-server --version | cut -d' ' -f3))"
}
# The limit: what one client gets from this server with the simplest commands, one at a
# time (what one producer can reach) and pipelined (what the server can do).
redis_limit() {
    rate() { redis-benchmark -h "$redis_host" -p "$redis_port" -c 1 -n "$1" -P "$2" -q "${@:3}" 2>/dev/null \
        | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1; }
    local lpush lpush_p rpop
    lpush=$(rate "$tasks" 1 LPUSH huey.compare.limit xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)
    lpush_p=$(rate $((tasks * 5)) 16 LPUSH huey.compare.limit xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)
    rpop=$(rate "$tasks" 1 RPOP huey.compare.limit)
    redis-cli -h "$redis_host" -p "$redis_port" del huey.compare.limit >/dev/null
    echo "{\"lpush_1client_per_s\": ${lpush:-null}, \"lpush_pipelined_per_s\": ${lpush_p:-null}, \"rpop_1client_per_s\": ${rpop:-null}}"
}
run_redis() {
    local rep="$1" kind
    for kind in redis priority-redis; do
        echo "rep $rep $kind: load $(cut -d' ' -f1 /proc/loadavg)"
        redis_limit >"$out/limit-$kind-$rep.json"
        both $(( (rep + (${#kind} > 5)) % 2 )) "us-$kind-$rep" "py-$kind-$rep" --storage "$kind" \
            --redis-url "$redis_url" --tasks "$tasks"
    done
}

# PostgreSQL: compare_postgres.sh runs its own server and repetitions, after the other storages
# (its output follows theirs; huey-bench is already built).
postgres_ready() { :; }
run_postgres() {
    echo
    echo "postgres (compare_postgres.sh):"
    "$here/compare_postgres.sh" --no-build "${pg_args[@]}" || echo "  compare_postgres.sh failed"
}

per_rep=()
for storage in "${storages[@]}"; do
    "${storage}_ready"
    [ "$storage" = postgres ] || per_rep+=("$storage")
done
start=$(date +%s)
for rep in $(seq 1 "$reps"); do
    for storage in "${per_rep[@]}"; do "run_$storage" "$rep"; done
done
echo "done in $(( $(date +%s) - start )) s"
echo
chart="$out/chart.svg"
"$py" "$here/summarize.py" "$out" --chart "$chart" | tee "$out/summary.txt"
if [ -n "$output" ]; then
    cp "$chart" "${output%.*}.svg"
    echo "chart: ${output%.*}.svg"
else
    echo "chart: $chart"
fi
if wants postgres; then run_postgres; fi
