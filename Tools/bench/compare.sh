#!/usr/bin/env bash
# compare.sh: swift-huey vs Python huey 3.5.4, side by side (issue 7, DESIGN §8).
#
#   Tools/bench/compare.sh [--tasks N] [--file-tasks N] [--reps R] [--quick] [--no-build] [--output FILE]
#
# Makes Tools/bench/.venv with huey==3.5.4, builds huey-bench (release, scratch path
# $SCRATCH or .build-bench), compiles limit.c, then for each repetition runs, alternating
# which side goes first: limit.c, huey-bench and huey_side.py at synchronous=NORMAL and
# FULL (SQLite, WAL), and both sides' FileHuey drain. Prints medians, min-max, us/huey
# and % of the limit per figure. JSON of every run stays in Tools/bench/.out/<time>/.
# Defaults: 20,000 tasks (2,000 for FileHuey), 3 repetitions: about 5-10 minutes.
# --output FILE also writes everything printed to FILE (e.g. Tools/bench/results/<date>.txt).
#
#   Tools/bench/compare.sh postgres [options]   # PostgresHuey vs huey's: see compare_postgres.sh
set -euo pipefail
if [ "${1:-}" = postgres ]; then shift; exec "$(dirname "$0")/compare_postgres.sh" "$@"; fi

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tasks=20000
file_tasks=2000
reps=3
build=1
output=
while [ $# -gt 0 ]; do
    case "$1" in
        --tasks) tasks="$2"; shift 2 ;;
        --file-tasks) file_tasks="$2"; shift 2 ;;
        --reps) reps="$2"; shift 2 ;;
        --quick) tasks=500; file_tasks=200; reps=1; shift ;;
        --no-build) build=0; shift ;;
        --output) output="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

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
if ! "$here/.venv/bin/python" -c 'import huey, sys; sys.exit(huey.__version__ != "3.5.4")' 2>/dev/null; then
    "$here/.venv/bin/pip" install -q 'huey==3.5.4'
fi
py="$here/.venv/bin/python"

if [ "$build" = 1 ]; then
    swift build -c release --scratch-path "$scratch" --product huey-bench >"$out/build.log" 2>&1 \
        || { tail -30 "$out/build.log"; exit 1; }
fi
bench="${HUEY_BENCH:-$root/$scratch/release/huey-bench}"
cc -O2 -o "$out/limit" "$here/limit.c" -lsqlite3

echo "swift-huey vs huey $("$py" -c 'import huey; print(huey.__version__)'): $tasks tasks ($file_tasks FileHuey), $reps repetitions"
echo "git HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?'); working tree:"
(git status --short 2>/dev/null | head -15 | sed 's/^/    /') || true
echo "$(nproc) cores; $(uptime | sed 's/.*load/load/'); SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1); $(python3 --version)"
echo "runs in $out"
{ git rev-parse HEAD; git status --short; git diff HEAD --stat; } >"$out/git-state.txt" 2>/dev/null || true

work="$(mktemp -d "${TMPDIR:-/tmp}/huey-compare.XXXXXX")"
trap 'rm -rf "$work"' EXIT

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

start=$(date +%s)
for rep in $(seq 1 "$reps"); do
    for sync in NORMAL FULL; do
        flag=(); [ "$sync" = FULL ] && flag=(--fsync)
        lower=$(echo "$sync" | tr 'A-Z' 'a-z')
        echo "rep $rep $sync: load $(cut -d' ' -f1 /proc/loadavg)"
        "$out/limit" -n "$tasks" -s "$lower" -d "$work" >"$out/limit-$sync-$rep.json"
        if [ $(( (rep + ${#flag[@]}) % 2 )) = 1 ]; then
            run_us "us-$sync-$rep" --tasks "$tasks" "${flag[@]}"
            run_py "py-$sync-$rep" --tasks "$tasks" "${flag[@]}"
        else
            run_py "py-$sync-$rep" --tasks "$tasks" "${flag[@]}"
            run_us "us-$sync-$rep" --tasks "$tasks" "${flag[@]}"
        fi
    done
    echo "rep $rep file: load $(cut -d' ' -f1 /proc/loadavg)"
    if [ $((rep % 2)) = 1 ]; then
        run_us "us-file-$rep" --storage file --tasks "$file_tasks" --only drain
        run_py "py-file-$rep" --storage file --tasks "$file_tasks" --only drain
    else
        run_py "py-file-$rep" --storage file --tasks "$file_tasks" --only drain
        run_us "us-file-$rep" --storage file --tasks "$file_tasks" --only drain
    fi
done
echo "done in $(( $(date +%s) - start )) s"
echo
"$py" "$here/summarize.py" "$out" | tee "$out/summary.txt"
