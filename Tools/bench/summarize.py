#!/usr/bin/env python3
"""summarize.py OUT_DIR [--rows pg]: the table compare.sh prints, from the JSON files it wrote.
With --rows pg: the PostgreSQL table of compare_postgres.sh (us-pg-*, py-pg-*, limit-pg-*).

Files: us-<sync>-<rep>.json, py-<sync>-<rep>.json (huey-bench / huey_side.py),
limit-<sync>-<rep>.json (limit.c), us-file-<rep>.json, py-file-<rep>.json.
For each figure: median and min-max over repetitions, us/huey, % of the limit (the raw
SQLite rate of the same transactions), and the target of issue 7.
"""
import glob
import json
import os
import statistics
import sys

# figure key, sync, label, limit key (in limit-*.json), target, higher is better
ROWS = [
    ('enqueue_per_s', 'NORMAL', 'enqueue/s, single', 'enqueue_txn_per_s', 37000, True),
    ('enqueue_per_s', 'FULL', 'enqueue/s, single', 'enqueue_txn_per_s', 6500, True),
    ('map_per_s', 'NORMAL', 'enqueue/s, map', 'batch_insert_per_s', 200000, True),
    ('map_per_s', 'FULL', 'enqueue/s, map', 'batch_insert_per_s', None, True),
    ('drain_per_s', 'NORMAL', 'drain/s -w2 -k process', 'claim_ack_2txn_per_s', 12000, True),
    ('drain_per_s', 'FULL', 'drain/s -w2 -k process', 'claim_ack_2txn_per_s', 5000, True),
    ('drain_per_s', 'file', 'drain/s FileHuey', None, 2000, True),
    ('drain_startup_s', 'NORMAL', 'consumer start-up s', None, None, False),
    ('latency_p50_ms', 'NORMAL', 'latency p50 ms', None, 1, False),
    ('latency_p99_ms', 'NORMAL', 'latency p99 ms', None, 5, False),
    ('latency_p50_ms', 'FULL', 'latency p50 ms', None, 1, False),
    ('latency_p99_ms', 'FULL', 'latency p99 ms', None, 5, False),
    ('idle_cpu_pct', 'NORMAL', 'idle consumer CPU %', None, 1, False),
    ('worker_rss_kb', 'NORMAL', 'worker RSS KiB', None, 8192, False),
    ('worker_pss_kb', 'NORMAL', 'worker PSS KiB', None, 3072, False),
    ('master_rss_kb', 'NORMAL', 'master RSS KiB', None, None, False),
    ('master_pss_kb', 'NORMAL', 'master PSS KiB', None, None, False),
]

# PostgreSQL (compare_postgres.sh): issue 16's targets are drain >= 2x huey's (see us/huey)
# and latency p50 <= 2 ms; the limit is limit_pg.c with 2 clients.
PG_ROWS = [
    ('enqueue_per_s', 'pg', 'enqueue/s, single', 'enqueue_txn_per_s', None, True),
    ('drain_per_s', 'pg', 'drain/s -w2 -k process', 'claim_ack_1txn_per_s', None, True),
    ('drain_startup_s', 'pg', 'consumer start-up s', None, None, False),
    ('latency_p50_ms', 'pg', 'latency p50 ms', None, 2, False),
    ('latency_p99_ms', 'pg', 'latency p99 ms', None, None, False),
]


def load(out, pattern):
    runs = []
    for path in sorted(glob.glob(os.path.join(out, pattern))):
        with open(path) as f:
            text = f.read().strip()
        if text:
            try:
                runs.append(json.loads(text.splitlines()[-1]))
            except ValueError:
                print('  (unreadable: %s)' % path)
    return runs


def values(runs, key):
    return [r[key] for r in runs if isinstance(r.get(key), (int, float))]


def fmt(x):
    if x is None:
        return '-'
    if abs(x) >= 100:
        return '{:,.0f}'.format(x)
    return '{:.3g}'.format(x)


def spread(xs):
    if not xs:
        return 'n/a', None
    m = statistics.median(xs)
    if len(xs) == 1:
        return fmt(m), m
    return '%s (%s-%s)' % (fmt(m), fmt(min(xs)), fmt(max(xs))), m


def main(out, rows=ROWS):
    def pattern(side, sync):
        return '%s-%s-*.json' % (side, 'file' if sync == 'file' else sync)

    header = ('figure', 'sync', 'us median (min-max)', 'huey median (min-max)', 'us/huey',
              'limit', 'us % limit', 'target', 'met')
    table = [header]
    for key, sync, label, limit_key, target, higher in rows:
        us_text, us = spread(values(load(out, pattern('us', sync)), key))
        py_text, py = spread(values(load(out, pattern('py', sync)), key))
        ratio = '%.2fx' % (us / py) if us is not None and py else '-'
        limit_text, pct = '-', '-'
        if limit_key:
            lim = values(load(out, 'limit-%s-*.json' % sync), limit_key)
            if lim:
                lm = statistics.median(lim)
                limit_text = fmt(lm)
                if us is not None:
                    pct = '%.0f%%' % (100 * us / lm)
        met = '-'
        if target is not None and us is not None:
            met = 'yes' if (us >= target if higher else us <= target) else 'NO'
        target_text = '-' if target is None else ('>= ' if higher else '<= ') + fmt(target)
        table.append((label, sync, us_text, py_text, ratio, limit_text, pct, target_text, met))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        print('  '.join(str(c).ljust(widths[i]) for i, c in enumerate(row)).rstrip())
        if index == 0:
            print('  '.join('-' * w for w in widths))
    for sync in ('NORMAL', 'FULL', 'pg'):
        lim = load(out, 'limit-%s-*.json' % sync)
        if lim:
            keys = ['enqueue_txn_per_s', 'batch_insert_per_s', 'claim_ack_2txn_per_s', 'claim_ack_1txn_per_s']
            print('limit.c %-6s ' % sync + ', '.join(
                '%s %s' % (k.replace('_per_s', ''), spread(values(lim, k))[0]) for k in keys))
    loads = []
    for path in glob.glob(os.path.join(out, '*.json')):
        for run in load(os.path.dirname(path), os.path.basename(path)):
            loads += values([run], 'load_start') + values([run], 'load_end')
    if loads:
        print('load average (1 min) during the runs: %.2f-%.2f' % (min(loads), max(loads)))
    us = load(out, 'us-NORMAL-*.json')
    py = load(out, 'py-NORMAL-*.json')
    if us and py:
        print('message bytes: us %s, huey %s' % (us[0].get('message_bytes'), py[0].get('message_bytes')))


if __name__ == '__main__':
    main(sys.argv[1], PG_ROWS if sys.argv[2:] == ['--rows', 'pg'] else ROWS)
