#!/usr/bin/env bash
# Makes Tools/dashboard/dashboard.png: the demo's consumer (2 workers) drains waves of
# demo.slow_add calls for a few minutes while huey-demo's dashboard samples the queue,
# then headless Chromium photographs the overview.
#
#   swift build && Tools/dashboard/screenshot.sh [minutes, default 4]
#
# Calls are put in the SQLite file directly (python3's sqlite3 module) in huey's wire
# format, as a Python producer would, with swift-huey's `enqueued_at` key so their queue
# wait is measured; demo.flaky calls fail twice and succeed on their second retry,
# one undecodable message becomes a dead letter, and three calls are scheduled an hour ahead.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-4}
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
db="$work/huey-demo.db"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/huey-demo" --db "$db" stats >/dev/null   # creates the tables
"$bin/huey-demo" --db "$db" consume -w 2 -q 2>"$work/consumer.log" &
pids+=($!)
"$bin/huey-demo" --db "$db" dashboard --port 0 --sample-interval 3 >"$work/dashboard.out" 2>&1 &
pids+=($!)
for _ in $(seq 600); do grep -q "http://" "$work/dashboard.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^/]*/' "$work/dashboard.out")

python3 - "$db" "$minutes" <<'PY'
import json, sqlite3, sys, time, uuid, random
db, minutes = sys.argv[1], float(sys.argv[2])
connection = sqlite3.connect(db, timeout=30, isolation_level=None)
def put(name, args, retries=0):
    message = {"id": str(uuid.uuid4()), "name": name, "args": args, "retries": retries,
               "enqueued_at": time.time()}
    connection.execute("INSERT INTO task (queue, data, priority) VALUES ('demo', ?, 0)",
                       (json.dumps(message).encode(),))
now = time.time()
for n in range(3):
    message = {"id": str(uuid.uuid4()), "name": "demo.add", "args": [n, n], "eta": now + 3600}
    connection.execute("INSERT INTO schedule (queue, data, timestamp) VALUES ('demo', ?, ?)",
                       (json.dumps(message).encode(), now + 3600))
for n in range(3):
    put("demo.flaky", [], retries=2)
connection.execute("INSERT INTO task (queue, data, priority) VALUES ('demo', ?, 0)", (b"{not json",))
end = now + minutes * 60
while time.time() < end:
    # A wave: a burst of slow calls, then a pause while the workers drain it.
    for n in range(random.randint(20, 60)):
        put("demo.slow_add", [n, n, random.choice([0.05, 0.2, 0.4, 0.4, 1.2])])
    for n in range(random.randint(20, 80)):
        put("demo.add", [n, n])
    for n in range(random.randint(0, 3)):
        put("demo.flaky", [], retries=2)
    time.sleep(random.uniform(15, 30))
# Leave some work queued for the picture.
for n in range(25):
    put("demo.slow_add", [n, n, 2.0])
time.sleep(4)
PY
chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
  --user-data-dir="$work/profile" --window-size=1280,1700 \
  --screenshot="$PWD/Tools/dashboard/dashboard.png" "$url" 2>"$work/chromium.log"
echo "wrote Tools/dashboard/dashboard.png from $url"
