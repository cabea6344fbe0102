"""Python huey and swift-huey on one queue.

``swift_huey.SqliteHuey(name, filename=...)`` (or ``swift_huey.PostgresHuey(name,
dsn=...)``) is a ``huey.SqliteHuey`` (``huey.PostgresHuey``) whose messages
and results are swift-huey's JSON, so Swift and Python producers and consumers share
the queue. ``remote_task(huey, "module.function")`` gives a handle on a task that only
the other side runs.
"""
from swift_huey.huey_classes import MemoryHuey
from swift_huey.huey_classes import PostgresHuey
from swift_huey.huey_classes import SqliteHuey
from swift_huey.huey_classes import SwiftQueueMixin
from swift_huey.huey_classes import remote_task
from swift_huey.serializer import JSONSerializer

__all__ = ['JSONSerializer', 'MemoryHuey', 'PostgresHuey', 'SqliteHuey', 'SwiftQueueMixin',
           'remote_task']
__version__ = '0.1.0'
