#!/usr/bin/env python3
"""summarize.py OUT_DIR [--chart FILE.svg] [--rows pg]: the table compare.sh prints, from its JSON files.
With --rows pg: the PostgreSQL table of compare_postgres.sh (us-pg-*, py-pg-*, limit-pg-*).

Files: us-<mode>-<rep>.json, py-<mode>-<rep>.json (huey-bench / huey_side.py) and
limit-<mode>-<rep>.json (limit.c for SQLite, redis-benchmark for Redis), where mode is
NORMAL or FULL (SQLite), file, redis or priority-redis. For each figure: median and
min-max over repetitions, us/huey, % of the limit (the raw rate of the same operations)
and the target of issues 7 and 19. Only figures some run measured are shown.
--chart also draws, per figure and storage, how many times better than huey we are
(us/huey for rates, huey/us for times, memory and bytes) as an SVG bar chart.
"""
import glob
import json
import math
import os
import statistics
import sys
from xml.sax.saxutils import escape

# figure key, mode, label, limit key (in limit-*.json), target, higher is better
ROWS = [
    ('enqueue_per_s', 'NORMAL', 'enqueue/s, single', 'enqueue_txn_per_s', 37000, True),
    ('enqueue_per_s', 'FULL', 'enqueue/s, single', 'enqueue_txn_per_s', 6500, True),
    ('map_per_s', 'NORMAL', 'enqueue/s, map', 'batch_insert_per_s', 200000, True),
    ('map_per_s', 'FULL', 'enqueue/s, map', 'batch_insert_per_s', None, True),
    ('map_cpu_per_s', 'NORMAL', 'map per CPU second', 'batch_insert_per_s', 200000, True),
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
    ('message_bytes', 'NORMAL', 'message bytes', None, 120, False),
    ('enqueue_per_s', 'redis', 'enqueue/s, single', 'lpush_1client_per_s', 10000, True),
    ('map_per_s', 'redis', 'enqueue/s, map', 'lpush_pipelined_per_s', None, True),
    ('drain_per_s', 'redis', 'drain/s -w2 -k process', None, None, True),
    ('latency_p50_ms', 'redis', 'latency p50 ms', None, 1, False),
    ('latency_p99_ms', 'redis', 'latency p99 ms', None, 2, False),
    ('idle_cpu_pct', 'redis', 'idle consumer CPU %', None, 1, False),
    ('worker_pss_kb', 'redis', 'worker PSS KiB', None, 3072, False),
    ('enqueue_per_s', 'priority-redis', 'enqueue/s, single', 'lpush_1client_per_s', 10000, True),
    ('map_per_s', 'priority-redis', 'enqueue/s, map', 'lpush_pipelined_per_s', None, True),
    ('drain_per_s', 'priority-redis', 'drain/s -w2 -k process', None, None, True),
    ('latency_p50_ms', 'priority-redis', 'latency p50 ms', None, 1, False),
    ('latency_p99_ms', 'priority-redis', 'latency p99 ms', None, 2, False),
]
# Targets relative to huey: (figure, mode) -> at least this many times huey's.
RELATIVE_TARGETS = {('drain_per_s', 'redis'): 3, ('drain_per_s', 'priority-redis'): 3}
# Figures compared repetition by repetition (issue 19: faster than huey in every run).
PER_RUN = [('enqueue_per_s', True), ('map_per_s', True), ('drain_per_s', True),
           ('latency_p50_ms', False), ('latency_p99_ms', False)]

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


def main(out, chart=None, rows=ROWS):
    header = ('figure', 'sync', 'us median (min-max)', 'huey median (min-max)', 'us/huey',
              'limit', 'us % limit', 'target', 'met')
    table = [header]
    bars = []
    for key, mode, label, limit_key, target, higher in rows:
        us_values = values(load(out, 'us-%s-*.json' % mode), key)
        py_values = values(load(out, 'py-%s-*.json' % mode), key)
        if not us_values and not py_values:
            continue
        us_text, us = spread(us_values)
        py_text, py = spread(py_values)
        ratio = '%.2fx' % (us / py) if us is not None and py else '-'
        if us and py:
            bars.append((mode, label, us / py if higher else py / us))
        limit_text, pct = '-', '-'
        if limit_key:
            lim = values(load(out, 'limit-%s-*.json' % mode), limit_key)
            if lim:
                lm = statistics.median(lim)
                limit_text = fmt(lm)
                if us is not None:
                    pct = '%.0f%%' % (100 * us / lm)
        met = '-'
        if target is not None and us is not None:
            met = 'yes' if (us >= target if higher else us <= target) else 'NO'
        target_text = '-' if target is None else ('>= ' if higher else '<= ') + fmt(target)
        relative = RELATIVE_TARGETS.get((key, mode))
        if relative is not None and us is not None and py:
            target_text = '>= %gx huey' % relative
            met = 'yes' if us / py >= relative else 'NO'
        table.append((label, mode, us_text, py_text, ratio, limit_text, pct, target_text, met))
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
    lim = load(out, 'limit-redis-*.json') + load(out, 'limit-priority-redis-*.json')
    if lim:
        keys = ['lpush_1client_per_s', 'lpush_pipelined_per_s', 'rpop_1client_per_s']
        print('redis-benchmark ' + ', '.join(
            '%s %s' % (k.replace('_per_s', ''), spread(values(lim, k))[0]) for k in keys))
    for mode in ('NORMAL', 'FULL', 'file', 'redis', 'priority-redis', 'pg'):
        every_run(out, mode)
    loads = []
    for path in glob.glob(os.path.join(out, '*.json')):
        for run in load(os.path.dirname(path), os.path.basename(path)):
            loads += values([run], 'load_start') + values([run], 'load_end')
    if loads:
        print('load average (1 min) during the runs: %.2f-%.2f' % (min(loads), max(loads)))
    for mode in ('NORMAL', 'redis'):
        us = load(out, 'us-%s-*.json' % mode)
        py = load(out, 'py-%s-*.json' % mode)
        if us and py:
            print('message bytes (%s): us %s, huey %s' % (
                mode, us[0].get('message_bytes'), py[0].get('message_bytes')))
    if chart:
        with open(chart, 'w') as f:
            f.write(svg_chart(bars, os.path.basename(os.path.normpath(out))))


def every_run(out, mode):
    """In how many repetitions each figure of ours beat huey's of the same repetition."""
    parts = []
    for key, higher in PER_RUN:
        wins = total = 0
        for path in sorted(glob.glob(os.path.join(out, 'us-%s-*.json' % mode))):
            rep = path[:-len('.json')].rsplit('-', 1)[1]
            us = values(load(out, os.path.basename(path)), key)
            py = values(load(out, 'py-%s-%s.json' % (mode, rep)), key)
            if us and py:
                total += 1
                wins += (us[0] > py[0]) if higher else (us[0] < py[0])
        if total:
            parts.append('%s %d/%d' % (key.replace('_per_s', '').replace('_ms', ''), wins, total))
    if parts:
        print('%s: repetitions where us beat huey: %s' % (mode, ', '.join(parts)))


def svg_chart(bars, title):
    """Horizontal bars of "times better than huey" on a log scale (1x = as good as huey)."""
    row, left, width, top = 22, 320, 440, 52
    height = top + row * max(1, len(bars)) + 40
    scale_max = math.log10(max([b[2] for b in bars] + [4]) * 1.3)
    scale_min = math.log10(0.25)

    def x(ratio):
        ratio = min(max(ratio, 0.25), 10 ** scale_max)
        return left + (math.log10(ratio) - scale_min) / (scale_max - scale_min) * width

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'font-family="sans-serif" font-size="12">' % (left + width + 70, height),
             '<rect width="100%" height="100%" fill="white"/>',
             '<text x="10" y="20" font-size="15" font-weight="bold">swift-huey vs huey 3.5.4: '
             'times better than huey</text>',
             '<text x="10" y="38" fill="#555">rates: us/huey; times, memory, bytes: huey/us. '
             'Log scale, 1x = as good as huey. Run %s.</text>' % escape(title)]
    tick = 0.25
    while math.log10(tick) <= scale_max:
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>' % (
            x(tick), top - 4, x(tick), height - 30, '#333' if tick == 1 else '#ddd'))
        parts.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%gx</text>' % (
            x(tick), height - 14, tick))
        tick *= 2
    for index, (mode, label, ratio) in enumerate(bars):
        y = top + index * row
        x0, x1 = sorted((x(1), x(ratio)))
        storage = {'NORMAL': 'sqlite NORMAL', 'FULL': 'sqlite FULL', 'pg': 'postgres'}.get(mode, mode)
        parts.append('<text x="%d" y="%d" text-anchor="end">%s: %s</text>' % (
            left - 8, y + 14, escape(storage), escape(label)))
        parts.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
            x0, y + 3, max(x1 - x0, 1), row - 6, '#2e7d32' if ratio >= 1 else '#c62828'))
        parts.append('<text x="%.1f" y="%d">%.2fx</text>' % (max(x1, x(1)) + 4, y + 14, ratio))
    parts.append('</svg>')
    return '\n'.join(parts) + '\n'


if __name__ == '__main__':
    arguments = sys.argv[1:]
    chart_file = None
    row_set = ROWS
    if '--chart' in arguments:
        at = arguments.index('--chart')
        chart_file = arguments[at + 1]
        del arguments[at:at + 2]
    if '--rows' in arguments:
        at = arguments.index('--rows')
        if arguments[at + 1:at + 2] != ['pg']:
            sys.exit(__doc__)
        row_set = PG_ROWS
        del arguments[at:at + 2]
    if len(arguments) != 1:
        sys.exit(__doc__)
    main(arguments[0], chart_file, row_set)
