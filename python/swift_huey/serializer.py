"""The JSON wire format of swift-huey (its DESIGN section 3), as a huey Serializer.

huey pickles by default; Swift cannot read pickles. This serializer writes and reads
the JSON that swift-huey's Codec writes and reads:

* a task message is one JSON object with huey's field names; datetimes are Unix
  seconds (UTC); ``expires`` is a number of seconds or ``{"at": seconds}``;
  ``chord_config`` is ``{"cid", "size", "idx", "callback"}``;
* a result is the value as JSON; a failure (huey's ``Error``) is
  ``{"__huey_error__": {"error", "retries", "traceback", "task_id", "type"}}``;
* anything else huey stores (revocations, ``huey.put`` data) is plain JSON.

Only JSON types cross: None, bool, int, float, str, list/tuple and dicts with string
keys (datetimes and timedeltas become seconds). Anything else raises ``TypeError``
at the producer instead of being pickled.
"""
import calendar
import datetime
import json

from huey.registry import Message
from huey.serializer import Serializer
from huey.utils import Error
from huey.utils import SKIPPED

ERROR_KEY = '__huey_error__'

_MESSAGE_KEYS = ('id', 'name', 'eta', 'retries', 'retry_delay', 'retry_backoff',
                 'priority', 'args', 'kwargs', 'on_complete', 'on_error',
                 'expires', 'expires_resolved', 'timeout', 'chord_config')


def to_unix(moment):
    """Unix seconds of a datetime; a naive datetime is read as UTC (huey's utc=True)."""
    if moment.tzinfo is None:
        return calendar.timegm(moment.timetuple()) + moment.microsecond / 1e6
    return moment.timestamp()


def from_unix(seconds):
    """The naive UTC datetime huey uses (utc=True) for Unix ``seconds``."""
    epoch = datetime.datetime(1970, 1, 1)
    return epoch + datetime.timedelta(seconds=seconds)


def to_json_value(value):
    """``value`` as JSON-compatible Python data (lists, dicts, numbers, strings).

    Raises ``TypeError`` for values JSON cannot carry.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if value is SKIPPED:
        return None
    if isinstance(value, Message):
        return message_to_json(value)
    if isinstance(value, Error):
        return {ERROR_KEY: error_to_json(value.metadata)}
    if isinstance(value, datetime.datetime):
        return to_unix(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError('swift_huey: dictionary key %r is not a string; '
                                'only JSON values cross to Swift' % (key,))
            result[key] = to_json_value(item)
        return result
    raise TypeError('swift_huey: cannot send %s as JSON; only JSON values '
                    '(None, bool, numbers, str, lists, dicts with str keys, '
                    'datetimes) cross to Swift, pickled objects do not'
                    % type(value).__name__)


def error_to_json(metadata):
    """huey's error metadata as the fields of a ``__huey_error__`` envelope."""
    metadata = dict(metadata or {})
    return {
        'error': str(metadata.get('error', 'unknown error')),
        'retries': int(metadata.get('retries') or 0),
        'traceback': str(metadata.get('traceback') or ''),
        'task_id': str(metadata.get('task_id') or ''),
        'type': str(metadata.get('type') or 'Exception'),
    }


def _expires_to_json(expires):
    if expires is None:
        return None
    if isinstance(expires, datetime.datetime):
        return {'at': to_unix(expires)}
    if isinstance(expires, datetime.timedelta):
        return expires.total_seconds()
    return expires


def _optional_time(moment):
    return None if moment is None else to_unix(moment)


def message_to_json(message):
    """A huey ``Message`` as the JSON object swift-huey reads."""
    chord = None
    if message.chord_config is not None:
        cid, size, idx, callback = message.chord_config
        chord = {'cid': cid, 'size': size, 'idx': idx,
                 'callback': message_to_json(callback)}
    return {
        'id': message.id,
        'name': message.name,
        'eta': _optional_time(message.eta),
        'retries': message.retries or 0,
        'retry_delay': message.retry_delay or 0,
        'retry_backoff': message.retry_backoff or 0,
        'priority': message.priority,
        'args': to_json_value(list(message.args or ())),
        'kwargs': to_json_value(dict(message.kwargs or {})),
        'on_complete': (None if message.on_complete is None
                        else message_to_json(message.on_complete)),
        'on_error': (None if message.on_error is None
                     else message_to_json(message.on_error)),
        'expires': _expires_to_json(message.expires),
        'expires_resolved': _optional_time(message.expires_resolved),
        'timeout': message.timeout,
        'chord_config': chord,
    }


def message_from_json(obj):
    """A huey ``Message`` from the JSON object swift-huey writes.

    Raises ``ValueError`` when ``obj`` is not a message (no ``id`` or ``name``).
    """
    if not isinstance(obj, dict) or not isinstance(obj.get('id'), str) \
            or not isinstance(obj.get('name'), str):
        raise ValueError('swift_huey: not a task message: %.80r' % (obj,))

    def nested(key):
        value = obj.get(key)
        return None if value is None else message_from_json(value)

    def moment(key):
        value = obj.get(key)
        return None if value is None else from_unix(value)

    expires = obj.get('expires')
    if isinstance(expires, dict):
        expires = from_unix(expires['at'])

    chord = obj.get('chord_config')
    if chord is not None:
        chord = (chord['cid'], chord['size'], chord['idx'],
                 message_from_json(chord['callback']))

    return Message(
        id=obj['id'],
        name=obj['name'],
        eta=moment('eta'),
        retries=obj.get('retries') or 0,
        retry_delay=obj.get('retry_delay') or 0,
        retry_backoff=obj.get('retry_backoff') or 0,
        priority=obj.get('priority'),
        args=tuple(obj.get('args') or ()),
        kwargs=dict(obj.get('kwargs') or {}),
        on_complete=nested('on_complete'),
        on_error=nested('on_error'),
        expires=expires,
        expires_resolved=moment('expires_resolved'),
        timeout=obj.get('timeout'),
        chord_config=chord)


def from_json_value(value):
    """Stored JSON back as Python data; an error envelope becomes huey's ``Error``."""
    if isinstance(value, dict) and len(value) == 1 and ERROR_KEY in value:
        return Error(dict(value[ERROR_KEY] or {}))
    return value


class JSONSerializer(Serializer):
    """A huey ``Serializer`` speaking swift-huey's JSON instead of pickle.

    ``serialize`` accepts messages, ``Error`` results and JSON data; ``deserialize``
    returns data (an error envelope as ``Error``). Messages are read back with
    ``deserialize_message``: ``swift_huey.SqliteHuey`` calls it for tasks, so a
    result that happens to look like a message is never mistaken for one.
    Compression is not supported: Swift reads plain JSON.
    """

    def __init__(self, **kwargs):
        if kwargs.get('compression'):
            raise ValueError('swift_huey: compression is not supported, '
                             'Swift reads plain JSON')
        super(JSONSerializer, self).__init__(**kwargs)

    def _serialize(self, data):
        return json.dumps(to_json_value(data), separators=(',', ':'),
                          ensure_ascii=False, allow_nan=False).encode('utf-8')

    def _deserialize(self, data):
        return from_json_value(json.loads(_text(data)))

    def deserialize_message(self, data):
        """The huey ``Message`` in ``data`` (bytes of one JSON message)."""
        return message_from_json(json.loads(_text(data)))


def _text(data):
    if isinstance(data, memoryview):
        data = data.tobytes()
    if isinstance(data, (bytes, bytearray)):
        return data.decode('utf-8')
    return data
