#!/usr/bin/env python3
"""huey_side.py: the figures of issue 7 measured against Python huey (3.5.4), the same
way Sources/HueyBench measures swift-huey, with the same JSON keys.

    python huey_side.py [--tasks N] [--quick] [--fsync] [--json]
                        [--storage sqlite|file|redis|priority-redis|postgres]
                        [--redis-url URL] [--url POSTGRES_URL]
                        [--workers 2] [--latency-samples 200] [--idle-seconds 3]
                        [--only enqueue,map,drain,latency,idle] [--dir PATH] [--keep]

- sqlite: SqliteHuey in WAL mode with `pragma synchronous` set on every connection huey
  opens (NORMAL, or FULL with --fsync) -- huey's own `fsync` flag would give FULL/OFF.
- redis, priority-redis: RedisHuey / PriorityRedisHuey on the server --redis-url names
  (default $HUEY_BENCH_REDIS_URL or redis://127.0.0.1:6379/0), huey's defaults (blocking
  dequeue, read_timeout 1); the queue's keys are flushed.
- postgres: PostgresHuey (psycopg 3) on the database --url names, default table prefix.
- enqueue_per_s: N calls of a no-op task, one by one (one transaction each).
- map_per_s: `task.map(range(N))` (huey commits each call); map_cpu_per_s: the same
  per second of this process's CPU time (what one free core would reach).
- drain: the N mapped calls, then `python -m huey.bin.huey_consumer huey_side.huey
  -w 2 -k process` in a subprocess (this module, imported by the consumer, builds the
  same huey from HUEY_BENCH_* environment variables); rate from the first claim until
  the queue is empty and every result is stored.
- latency: sequential calls of a task returning time.time() at its start, 0-49 ms
  apart (the same sequence as the Swift side); latency = start - time before enqueue.
- idle: CPU of the consumer (master + children) over a window, RSS/PSS from
  /proc/<pid>/smaps_rollup of the master, the scheduler process and the workers.
"""
import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from huey import FileHuey, Huey, PostgresHuey, PriorityRedisHuey, RedisHuey
from huey.storage import SqliteStorage

QUEUE = 'bench'
HERE = os.path.dirname(os.path.abspath(__file__))


class SyncSqliteStorage(SqliteStorage):
    """SqliteStorage that sets `pragma synchronous` on each connection it opens."""

    def __init__(self, *args, synchronous='NORMAL', **kwargs):
        self._synchronous = synchronous
        super().__init__(*args, **kwargs)

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute('pragma synchronous=%s' % self._synchronous)
        return conn


def make_huey(storage, path, fsync):
    if storage == 'file':
        h = FileHuey(QUEUE, path=path)
    elif storage == 'redis':
        h = RedisHuey(QUEUE, url=path)
    elif storage == 'priority-redis':
        h = PriorityRedisHuey(QUEUE, url=path)
    elif storage == 'postgres':
        h = PostgresHuey(QUEUE, dsn=path)
    else:
        h = Huey(QUEUE, storage_class=SyncSqliteStorage, filename=path,
                 synchronous='FULL' if fsync else 'NORMAL')

    @h.task(name='bench.noop')
    def noop(value):
        return value

    @h.task(name='bench.stamp')
    def stamp():
        return time.time()

    return h, noop, stamp


# The consumer imports this module as `huey_side.huey`.
if os.environ.get('HUEY_BENCH_PATH'):
    huey, _noop, _stamp = make_huey(os.environ['HUEY_BENCH_STORAGE'],
                                    os.environ['HUEY_BENCH_PATH'],
                                    os.environ.get('HUEY_BENCH_FSYNC') == '1')


def loadavg():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def memory(pid):
    rss = pss = 0
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                parts = line.split()
                if parts[0] == 'Rss:':
                    rss = int(parts[1])
                elif parts[0] == 'Pss:':
                    pss = int(parts[1])
    except OSError:
        return None
    return rss, pss


def children(pid):
    result = []
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return result
    for task in tasks:
        try:
            with open('/proc/%d/task/%s/children' % (pid, task)) as f:
                result += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return sorted(result)


def cpu_ns(pid):
    total = 0
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return 0
    for task in tasks:
        try:
            with open('/proc/%d/task/%s/schedstat' % (pid, task)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


class Consumer:
    """`python -m huey.bin.huey_consumer huey_side.huey -w N -k process -l LOG`."""

    def __init__(self, storage, path, fsync, workers, log):
        env = dict(os.environ, HUEY_BENCH_STORAGE=storage, HUEY_BENCH_PATH=path,
                   HUEY_BENCH_FSYNC='1' if fsync else '0',
                   PYTHONPATH=HERE + os.pathsep + os.environ.get('PYTHONPATH', ''))
        self.log = log
        self.stderr = open(log + '.stderr', 'w')
        self.launched_at = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'huey.bin.huey_consumer', 'huey_side.huey',
             '-w', str(workers), '-k', 'process', '-l', log],
            cwd=HERE, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.stderr)

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc.poll() is None

    def wait_for_children(self, count, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(children(self.pid)) >= count:
                return True
            if not self.running():
                return False
            time.sleep(0.005)
        return False

    def stop(self, timeout=10):
        kids = children(self.pid)
        if self.running():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for kid in kids:
            try:
                os.kill(kid, signal.SIGKILL)
            except OSError:
                pass
        self.stderr.close()
        return self.proc.returncode


def enqueue_single(noop, count):
    start = time.monotonic()
    for i in range(count):
        noop(i)
    return count / (time.monotonic() - start)


def enqueue_map(noop, count):
    """Calls per second of wall-clock time and per second of this process's CPU time."""
    cpu = time.process_time()
    start = time.monotonic()
    noop.map(range(count))
    wall = time.monotonic() - start
    return count / wall, count / max(time.process_time() - cpu, 1e-9)


def drain(h, consumer, count):
    deadline = time.monotonic() + max(120, count / 100)

    def check(what):
        if not consumer.running():
            raise SystemExit('consumer exited waiting for %s; see %s' % (what, consumer.log))
        if time.monotonic() > deadline:
            raise SystemExit('timed out waiting for %s; see %s' % (what, consumer.log))

    while True:
        now = time.monotonic()
        if h.pending_count() < count:
            first = now
            break
        check('the first claim')
        time.sleep(0.0005)
    while True:
        before = time.monotonic()
        if h.pending_count() == 0 and h.result_count() >= count:
            break
        cost = time.monotonic() - before
        check('the queue to drain')
        time.sleep(max(0.005, cost * 4))
    end = time.monotonic()
    return count / (end - first), end - consumer.launched_at, first - consumer.launched_at


def nearest_rank(values, p):
    ordered = sorted(values)
    index = math.ceil(p * len(ordered)) - 1
    return ordered[max(0, min(index, len(ordered) - 1))]


def latency(h, stamp, samples):
    values = []
    for index in range(samples):
        time.sleep(((index * 37) % 50) / 1000.0)
        enqueued_at = time.time()
        result = stamp()
        deadline = time.monotonic() + 10
        while not h.storage.has_data_for_key(result.id):
            if time.monotonic() > deadline:
                raise SystemExit('call %d did not run within 10 s' % index)
            time.sleep(0.001)
        started = result.get()
        values.append(started - enqueued_at)
    return values


def idle(master, settle, window):
    time.sleep(settle)
    pids = [master] + children(master)
    before = sum(cpu_ns(p) for p in pids)
    start = time.monotonic()
    time.sleep(window)
    used = sum(cpu_ns(p) for p in pids) - before
    elapsed = time.monotonic() - start
    kids = children(master)
    # huey's process consumer starts its scheduler process first, then the workers.
    scheduler, workers = (kids[0], kids[1:]) if len(kids) > 1 else (None, kids)
    mem = [m for m in (memory(p) for p in workers) if m]
    n = max(1, len(mem))
    master_mem = memory(master) or (0, 0)
    sched_mem = (memory(scheduler) if scheduler else None) or (0, 0)
    return {
        'idle_cpu_pct': used / 1e9 / elapsed * 100,
        'master_rss_kb': master_mem[0], 'master_pss_kb': master_mem[1],
        'worker_rss_kb': sum(m[0] for m in mem) // n, 'worker_pss_kb': sum(m[1] for m in mem) // n,
        'scheduler_rss_kb': sched_mem[0], 'scheduler_pss_kb': sched_mem[1],
    }


def run(args, directory):
    import huey as huey_package
    fig = {'side': 'python', 'huey_version': huey_package.__version__, 'storage': args.storage,
           'sync': {'sqlite': 'FULL' if args.fsync else 'NORMAL', 'postgres': 'server'}.get(args.storage, 'n/a'),
           'tasks': args.tasks, 'workers': args.workers, 'load_start': loadavg()}
    if args.storage in ('redis', 'priority-redis'):
        path = args.redis_url
    elif args.storage == 'postgres':
        path = args.url
    else:
        path = os.path.join(directory, 'bench.db' if args.storage == 'sqlite' else 'bench-files')
    # Task names carry their module: build them in `huey_side`, as the consumer does.
    import huey_side
    h, noop, stamp = huey_side.make_huey(args.storage, path, args.fsync)
    h.flush()
    parts = set(args.only.split(','))
    n = args.tasks
    if 'enqueue' in parts:
        fig['enqueue_per_s'] = enqueue_single(noop, n)
        items = h.storage.enqueued_items(1)
        fig['message_bytes'] = len(items[0]) if items else 0
        h.flush()
    if 'map' in parts or 'drain' in parts:
        rate, cpu_rate = enqueue_map(noop, n)
        if 'map' in parts:
            fig['map_per_s'] = rate
            fig['map_cpu_per_s'] = cpu_rate
        if 'drain' not in parts:
            h.flush()
    if not parts & {'drain', 'latency', 'idle'}:
        fig['load_end'] = loadavg()
        return fig
    h.storage.close()
    consumer = Consumer(args.storage, path, args.fsync, args.workers,
                        os.path.join(directory, 'consumer.log'))
    try:
        if 'drain' in parts:
            rate, wall, startup = drain(h, consumer, n)
            fig.update(drain_per_s=rate, drain_wall_s=wall, drain_startup_s=startup)
            h.storage.flush_results()
        if not consumer.wait_for_children(args.workers + 1, 10):
            raise SystemExit('the consumer did not start its processes; see %s' % consumer.log)
        if 'latency' in parts:
            time.sleep(0.5)
            values = latency(h, stamp, args.latency_samples)
            fig.update(latency_samples=len(values),
                       latency_p50_ms=nearest_rank(values, 0.5) * 1000,
                       latency_p99_ms=nearest_rank(values, 0.99) * 1000,
                       latency_mean_ms=sum(values) / len(values) * 1000,
                       latency_max_ms=max(values) * 1000)
        if 'idle' in parts:
            fig.update(idle(consumer.pid, 1, args.idle_seconds))
        fig['load_end'] = loadavg()
    finally:
        fig['consumer_exit'] = consumer.stop()
    return fig


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tasks', type=int)
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--fsync', action='store_true')
    parser.add_argument('--storage', choices=['sqlite', 'file', 'redis', 'priority-redis', 'postgres'],
                        default='sqlite')
    parser.add_argument('--redis-url', default=os.environ.get('HUEY_BENCH_REDIS_URL', 'redis://127.0.0.1:6379/0'))
    parser.add_argument('--url', default=os.environ.get('HUEY_BENCH_POSTGRES_URL', ''))
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--latency-samples', type=int, default=200)
    parser.add_argument('--idle-seconds', type=float, default=3.0)
    parser.add_argument('--only', default='enqueue,map,drain,latency,idle')
    parser.add_argument('--dir')
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    if args.quick:
        args.latency_samples = min(args.latency_samples, 20)
        args.idle_seconds = 1.0
    if args.tasks is None:
        args.tasks = 500 if args.quick else 20000
    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
        directory = args.dir
    else:
        directory = tempfile.mkdtemp(prefix='huey-side.')
    try:
        fig = run(args, directory)
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(directory, ignore_errors=True)
    if args.json:
        print(json.dumps(fig))
    else:
        for key, value in fig.items():
            print('%-24s %s' % (key, ('%.4g' % value) if isinstance(value, float) else value))


if __name__ == '__main__':
    main()
