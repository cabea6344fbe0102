"""Python producer steps of the interop tests: `python driver.py <step> <state.json>`.

Each step prints one JSON object on stdout; the Swift test checks it.
"""
import json
import sys

from huey.exceptions import TaskException

import interop_app as app

TIMEOUT = 60


def outcome(result_id, queue=app.swift):
    """The result of `result_id` as JSON: {"value": v} or {"error", "type"}."""
    try:
        return {'value': queue.result(result_id, blocking=True, timeout=TIMEOUT)}
    except TaskException as exc:
        return {'error': exc.metadata.get('error'), 'type': exc.metadata.get('type')}


def enqueue(state):
    """Calls for the Swift consumer, written before it starts."""
    ids = {}
    # Priorities: with one worker the highest runs first, whatever the order of enqueue.
    ids['low'] = app.stamp('low', priority=1).id
    ids['high'] = app.stamp('high', priority=90).id
    ids['mid'] = app.stamp('mid', priority=50).id
    ids['plain'] = app.add(1, 2).id
    ids['keywords'] = app.add(b=2, a=40).id
    ids['scheduled'] = app.add.schedule((3, 4), delay=1).id
    ids['map'] = [r.id for r in app.add.map([(1, 1), (2, 2), (3, 3)])]
    pipeline = app.add.s(1, 2).then(app.mul, 10).then(app.add, 5)
    ids['pipeline'] = [r.id for r in app.swift.enqueue(pipeline)]
    ids['bad'] = app.add('one', 2).id
    revoked = app.add(5, 5)
    revoked.revoke()   # huey: revoke_once=True by default
    ids['revoked'] = revoked.id
    ids['nowhere'] = app.nowhere(1).id
    ids['last'] = app.stamp('last').id
    with open(state, 'w') as f:
        json.dump(ids, f)
    print(json.dumps(ids))


def collect(state):
    """The results of `enqueue`'s calls, read by Python."""
    with open(state) as f:
        ids = json.load(f)
    out = {}
    for key in ('plain', 'keywords', 'scheduled', 'bad', 'nowhere', 'last', 'high'):
        out[key] = outcome(ids[key])
    out['map'] = [outcome(i) for i in ids['map']]
    out['pipeline'] = [outcome(i) for i in ids['pipeline']]
    # Everything queued before `last` has been handled once `last` ran (one worker, FIFO
    # among equal priorities): the revoked call was skipped, not delayed.
    out['revoked'] = app.swift.result(ids['revoked'])
    out['revoked_is_revoked'] = app.swift.is_revoked(ids['revoked'])
    print(json.dumps(out))


def both(state):
    """A Python producer calling a Swift task and a Python task on one file."""
    swift_result = app.add(20, 22)
    python_result = app.shout('hi')
    print(json.dumps({'swift': outcome(swift_result.id),
                      'python': outcome(python_result.id, app.huey)}))


if __name__ == '__main__':
    step, state = sys.argv[1], sys.argv[2]
    {'enqueue': enqueue, 'collect': collect, 'both': both}[step](state)
