#!/usr/bin/env bash
# The chaos run (issue 5): 2,000 tasks on `consume -w 4 -k process`, a SIGKILL to a
# random worker every 50–200 ms and to the master twice (a new master each time), some
# tasks with timeouts, some that crash their worker on their first try — once on SQLite
# and once on File storage. Each run prints its counts and "chaos: PASS" when every task
# id has exactly one final result or error result and nothing is left in the queue, the
# schedule, the claims or the dead letters. The driver is `HueyTestHelper chaos`
# (Sources/HueyTestHelper/ChaosCommand.swift).
#
#   Tools/chaos/run.sh                 # both storages, 2000 tasks each
#   Tools/chaos/run.sh sqlite          # one storage
#   TASKS=500 SEED=7 Tools/chaos/run.sh file
#   SCRATCH=.build-chaos Tools/chaos/run.sh   # build in another scratch path
#   REDIS_URL=redis://127.0.0.1:6379/0 Tools/chaos/run.sh redis   # on a Redis server
#   POSTGRES_URL=postgresql://user:pw@127.0.0.1/db Tools/chaos/run.sh postgres   # on PostgreSQL
#       (without POSTGRES_URL but with HUEY_TEST_POSTGRES_URL set, as .ci/run does, that one)
#
# Runs on record: Tools/chaos/results/.
# Exit status: 0 when every run passed, 1 otherwise. Each run's folder (storage,
# journal, consumer logs) is kept under $KEEP (default: a temporary folder) when it fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

TASKS=${TASKS:-2000}
SEED=${SEED:-$RANDOM}
DEADLINE=${DEADLINE:-600}
SCRATCH=${SCRATCH:-.build}
STORAGES=("$@")
[ ${#STORAGES[@]} -eq 0 ] && STORAGES=(sqlite file)

swift build --scratch-path "$SCRATCH" --product HueyTestHelper >&2
HELPER="$SCRATCH/debug/HueyTestHelper"
KEEP=${KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/huey-chaos-XXXXXX")}

status=0
for storage in "${STORAGES[@]}"; do
    dir="$KEEP/$storage"
    rm -rf "$dir"
    echo "=== chaos: $storage, $TASKS tasks, seed $SEED ==="
    if "$HELPER" chaos "$storage" "$dir" --tasks "$TASKS" --seed "$SEED" --deadline "$DEADLINE" \
        --redis-url "${REDIS_URL:-redis://127.0.0.1:6379/0}" \
        --postgres-url "${POSTGRES_URL:-${HUEY_TEST_POSTGRES_URL:-postgresql://127.0.0.1:5432/postgres}}"; then
        rm -rf "$dir"
    else
        status=1
        echo "=== chaos: $storage FAILED; storage, journal and consumer logs kept in $dir ==="
    fi
done
[ "$status" -eq 0 ] && rmdir "$KEEP" 2>/dev/null || true
exit "$status"
