"""Unit tests of swift_huey (run by `swift test` through PythonInteropTests, or
`python -m unittest discover -s python/tests`)."""
import calendar
import datetime
import json
import os
import sqlite3
import tempfile
import time
import unittest

from huey.exceptions import TaskException
from huey.utils import Error

import swift_huey
from swift_huey.serializer import message_from_json


def unix(naive_utc):
    return float(calendar.timegm(naive_utc.timetuple()))


class SerializerTests(unittest.TestCase):
    def setUp(self):
        self.huey = swift_huey.MemoryHuey('t')

        @self.huey.task()
        def add(a, b):
            return a + b

        @self.huey.task()
        def boom():
            raise ValueError('no')

        self.add, self.boom = add, boom

    def message(self, task):
        return json.loads(self.huey.serialize_task(task))

    def test_message_fields(self):
        call = self.add.s(1, b=2, eta=datetime.datetime(2030, 1, 2, 3, 4, 5), priority=7,
                          retries=2, retry_delay=3, expires=datetime.timedelta(seconds=30),
                          timeout=9)
        eta = call.eta   # huey's naive UTC
        msg = self.message(call)
        self.assertEqual(msg['name'], '%s.add' % __name__)
        self.assertEqual(msg['args'], [1])
        self.assertEqual(msg['kwargs'], {'b': 2})
        self.assertEqual(msg['eta'], unix(eta))
        self.assertEqual((msg['priority'], msg['retries'], msg['retry_delay'],
                          msg['timeout'], msg['expires']), (7, 2, 3, 9, 30.0))
        back = self.huey.deserialize_task(self.huey.serialize_task(call))
        self.assertEqual((back.args, back.kwargs, back.eta), ((1,), {'b': 2}, eta))

    def test_expires_at_and_nested_callbacks(self):
        at = datetime.datetime(2031, 5, 6, 7, 8, 9)
        call = self.add.s(1, 2, expires=at).then(self.add, 3).error(self.boom)
        msg = self.message(call)
        self.assertEqual(msg['expires'], {'at': unix(at)})
        self.assertEqual(msg['on_complete']['args'], [3])
        self.assertEqual(msg['on_error']['name'], '%s.boom' % __name__)
        back = message_from_json(msg)
        self.assertEqual(back.expires, at)
        self.assertEqual(back.on_complete.args, (3,))

    def test_reads_what_swift_writes(self):
        # Bytes as Swift's JSONWriter writes them (keys sorted, every field present).
        swift = (b'{"args":[1,[2,3]],"chord_config":null,"eta":1700000000.25,"expires":{"at":1700000100},'
                 b'"expires_resolved":1700000100,"id":"abc","kwargs":{"b":2},"name":"%s.add",'
                 b'"on_complete":null,"on_error":null,"priority":5,"retries":1,"retry_backoff":2,'
                 b'"retry_delay":0.5,"timeout":null}' % __name__.encode())
        task = self.huey.deserialize_task(swift)
        self.assertEqual(task.id, 'abc')
        self.assertEqual(task.args, (1, [2, 3]))
        self.assertEqual(task.eta, datetime.datetime(2023, 11, 14, 22, 13, 20, 250000))
        self.assertEqual(task.expires, datetime.datetime(2023, 11, 14, 22, 15))
        self.assertEqual((task.priority, task.retries, task.retry_backoff, task.retry_delay), (5, 1, 2, 0.5))

    def test_reads_compact_messages(self):
        # Swift leaves out every field at its default; the defaults are huey's.
        swift = b'{"args":[4],"id":"abc","name":"%s.add"}' % __name__.encode()
        task = self.huey.deserialize_task(swift)
        self.assertEqual((task.id, task.args, task.kwargs), ('abc', (4,), {}))
        self.assertEqual((task.eta, task.priority, task.retries, task.retry_delay), (None, None, 0, 0))
        self.assertFalse(task.retry_backoff)
        self.assertEqual((task.expires, task.timeout, task.on_complete, task.on_error), (None, None, None, None))
        bare = self.huey.deserialize_task(b'{"id":"abd","name":"%s.add"}' % __name__.encode())
        self.assertEqual((bare.id, bare.args), ('abd', ()))

    def test_ignores_swift_only_keys(self):
        # Keys swift-huey adds (queue wait, retry attempt, trace context) are not huey's:
        # read past, and the task runs as any other.
        swift = (b'{"args":[4,5],"attempt":2,"enqueued_at":1700000000.5,"id":"abe","name":"%s.add",'
                 b'"retries":1,"trace_context":{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-'
                 b'b7ad6b7169203331-01","tracestate":"k=v"}}' % __name__.encode())
        task = self.huey.deserialize_task(swift)
        self.assertEqual((task.id, task.args, task.kwargs, task.retries), ('abe', (4, 5), {}, 1))
        self.assertEqual(self.huey.execute(task), 9)
        again = json.loads(self.huey.serialize_task(task))
        self.assertNotIn('trace_context', again)
        self.assertNotIn('attempt', again)

    def test_error_result_raises_task_exception(self):
        result = self.boom()
        self.huey.execute(self.huey.dequeue())
        stored = json.loads(self.huey.get_raw(result.id, peek=True))
        self.assertEqual(set(stored), {'__huey_error__'})
        self.assertEqual(stored['__huey_error__']['type'], 'ValueError')
        with self.assertRaises(TaskException) as caught:
            result.get()
        self.assertIn('no', caught.exception.metadata['error'])

    def test_swift_error_envelope_is_error(self):
        data = b'{"__huey_error__":{"error":"boom","retries":0,"task_id":"x","traceback":"","type":"E"}}'
        self.assertIsInstance(self.huey.serializer.deserialize(data), Error)

    def test_non_json_values_are_refused(self):
        for value in ({1, 2}, b'bytes', object(), {1: 'int key'}):
            with self.assertRaises(TypeError):
                self.add(value, 1)

    def test_compression_and_local_time_refused(self):
        with self.assertRaises(ValueError):
            swift_huey.JSONSerializer(compression=True)
        with self.assertRaises(Exception):
            swift_huey.MemoryHuey('t', utc=False)

    def test_revocations_round_trip(self):
        result = self.add(1, 2)
        result.revoke()
        self.assertTrue(result.is_revoked())
        # huey's Result.revoke() revokes once by default.
        self.assertEqual(json.loads(self.huey.storage.peek_data('r:%s' % result.id)), [None, True])
        self.add.revoke(revoke_until=datetime.datetime.utcnow() - datetime.timedelta(seconds=1))
        self.assertFalse(self.add.is_revoked())

    def test_remote_task_names(self):
        remote = swift_huey.remote_task(self.huey, 'tasks.resize')
        self.assertEqual(self.message(remote.s(1))['name'], 'tasks.resize')
        with self.assertRaises(ValueError):
            swift_huey.remote_task(self.huey, 'resize')


class ScheduleTimeZoneTests(unittest.TestCase):
    """Schedule timestamps are Unix seconds in any time zone (plain huey 3.5.4 shifts
    them by the UTC offset), so a Swift scheduler moves Python's calls on time."""

    def setUp(self):
        self.saved = os.environ.get('TZ')
        os.environ['TZ'] = 'America/New_York'
        time.tzset()

    def tearDown(self):
        if self.saved is None:
            os.environ.pop('TZ', None)
        else:
            os.environ['TZ'] = self.saved
        time.tzset()

    def test_schedule_timestamp_is_unix_seconds(self):
        with tempfile.TemporaryDirectory() as folder:
            db = os.path.join(folder, 'q.db')
            huey = swift_huey.SqliteHuey('swift', filename=db)

            @huey.task()
            def later():
                return 1

            task = later.s(eta=datetime.datetime(2030, 1, 1, 12, 0, 0))
            eta = task.eta   # naive UTC, as huey keeps it
            huey.add_schedule(task)
            with sqlite3.connect(db) as conn:
                (stamp,) = conn.execute('select timestamp from schedule').fetchone()
            self.assertEqual(stamp, unix(eta))
            self.assertNotEqual(stamp, eta.timestamp())   # what plain huey would store here
            self.assertEqual(huey.read_schedule(eta - datetime.timedelta(seconds=1)), [])
            self.assertEqual([t.id for t in huey.read_schedule(eta)], [task.id])


if __name__ == '__main__':
    unittest.main()
