"""The Python side of swift-huey's interop tests (Tests/HueyConsumerTests/PythonInteropTests.swift).

`tasks` is README's "Sharing a queue with Python huey" example, written out by the test
into a folder on PYTHONPATH. This module adds what the tests need besides it; the
Python consumer runs `huey_consumer interop_app.huey`.
"""
import swift_huey

from tasks import add, huey, shout, swift  # noqa: F401  (README's example)

mul = swift_huey.remote_task(swift, 'tasks.mul')
stamp = swift_huey.remote_task(swift, 'tasks.stamp')
# No consumer registers this name: the Swift consumer dead-letters it.
nowhere = swift_huey.remote_task(swift, 'tasks.nowhere')


@huey.task()
def fail(reason):
    """Runs in Python (`interop_app.fail`) and raises."""
    raise ValueError(reason)
