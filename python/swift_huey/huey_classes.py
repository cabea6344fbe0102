"""huey classes that speak to a swift-huey queue."""
import datetime

import huey
from huey import signals
from huey.exceptions import ConfigurationError
from huey.exceptions import TaskException
from huey.constants import EmptyData

from swift_huey.serializer import JSONSerializer
from swift_huey.serializer import from_unix

_UTC = datetime.timezone.utc


def _aware(moment):
    """A naive UTC datetime as an aware one, so ``timestamp()`` is Unix seconds."""
    if moment is None:
        return datetime.datetime(1970, 1, 1, tzinfo=_UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=_UTC)


class SwiftQueueMixin(object):
    """Makes a ``huey.Huey`` subclass share queues with swift-huey.

    * messages, results and revocations are swift-huey's JSON (``JSONSerializer``);
    * times are UTC (``utc=True`` is required: Swift stores Unix seconds);
    * schedule timestamps are Unix seconds whatever the machine's time zone
      (huey 3.5.4 stores a naive UTC datetime's local-time ``timestamp()``);
    * an error result carries the exception's type name, as Swift's do.
    """

    def __init__(self, name='huey', *args, **kwargs):
        if kwargs.get('utc') is False:
            raise ConfigurationError('swift_huey needs utc=True: '
                                     'Swift stores times as Unix seconds (UTC)')
        kwargs['utc'] = True
        if kwargs.get('serializer') is None:
            kwargs['serializer'] = JSONSerializer()
        elif not isinstance(kwargs['serializer'], JSONSerializer):
            raise ConfigurationError('swift_huey needs a swift_huey.JSONSerializer')
        super(SwiftQueueMixin, self).__init__(name, *args, **kwargs)

    def serialize_task(self, task):
        return self.serializer.serialize(self._registry.create_message(task))

    def deserialize_task(self, data):
        message = self.serializer.deserialize_message(data)
        return self._registry.create_task(message)

    def add_schedule(self, task):
        # huey stores `eta.timestamp()` of a naive UTC datetime, which Python reads as
        # local time; Swift (and this class) store and compare Unix seconds.
        data = self.serialize_task(task)
        self.storage.add_to_schedule(data, _aware(task.eta))
        self._emit(signals.SIGNAL_SCHEDULED, task)

    def read_schedule(self, timestamp=None):
        if timestamp is None:
            timestamp = self._get_timestamp()
        return self._deserialize_all(self.storage.read_schedule(_aware(timestamp)))

    def build_error_result(self, task, exception):
        result = super(SwiftQueueMixin, self).build_error_result(task, exception)
        if isinstance(exception, TaskException):
            result['type'] = exception.metadata.get('type') or 'TaskException'
        else:
            result['type'] = type(exception).__name__
        return result

    def _check_revoked(self, data, timestamp=None, peek=True):
        # A revocation is `[until or null, once]`, `until` in Unix seconds.
        if data is EmptyData:
            return False, False
        until, once = self.serializer.deserialize(data)
        if until is not None:
            until = from_unix(until)
            if timestamp is None:
                timestamp = self._get_timestamp()
        if once:
            return True, not peek
        if until is not None and until <= timestamp:
            return False, not peek
        return True, False


class SqliteHuey(SwiftQueueMixin, huey.SqliteHuey):
    """``huey.SqliteHuey`` sharing a SQLite file with swift-huey.

    ``SqliteHuey('swift', filename='queue.db')`` talks to the queue of
    ``SqliteHuey(name: "swift", filename: "queue.db")`` in Swift.
    """


class PostgresHuey(SwiftQueueMixin, huey.PostgresHuey):
    """``huey.PostgresHuey`` (psycopg 3) sharing a PostgreSQL database with swift-huey.

    ``PostgresHuey('swift', dsn='postgresql://...')`` talks to the queue of
    ``PostgresHuey(name: "swift", url: "postgresql://...")`` in Swift: the same tables
    (default prefix ``huey``) and the same notify channel.
    """


class MemoryHuey(SwiftQueueMixin, huey.MemoryHuey):
    """``huey.MemoryHuey`` with swift-huey's JSON (for tests of the format)."""


def remote_task(huey_instance, name, **settings):
    """A huey task handle for a task that runs elsewhere (e.g. a Swift consumer).

    ``name`` is the full task name, ``"module.function"`` (huey's rule), e.g.
    ``remote_task(huey, 'tasks.resize')``. Calling the handle enqueues a message with
    that name; running it in Python raises ``NotImplementedError``.
    """
    if '.' not in name:
        raise ValueError('swift_huey.remote_task: %r is not a full task name '
                         '"module.function"' % name)
    module, _, function = name.rpartition('.')

    def body(*args, **kwargs):
        raise NotImplementedError('%s runs in another consumer, not in Python' % name)

    body.__module__ = module
    body.__name__ = function
    body.__qualname__ = function
    return huey_instance.task(**settings)(body)
