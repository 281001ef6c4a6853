"""The one wait-until-deadline routine behind every blocking socket call.

Each operation is written as a non-blocking `attempt()` that either finishes (returns a
value or raises) or returns WOULD_BLOCK.  `run()` calls it under the socket state's lock and,
while it would block, waits on the state's condition until an edge from the event loop
signals it or the deadline passes.  Blocking, timeout and non-blocking modes differ only in
the deadline: None (forever), now + timeout, or now (never wait).  The deadline is fixed at
the start of the call, so spurious or repeated wake-ups never stretch the total wait.
"""
import errno

from java.lang import InterruptedException, System

from _socketcore.errors import socket_error, timed_out, would_block

WOULD_BLOCK = object()


def run(state, attempt, timeout, when_nonblocking=would_block):
    """Run `attempt` until it does not return WOULD_BLOCK.

    timeout: None waits forever; 0.0 never waits and raises `when_nonblocking()`
    (EAGAIN by default); a positive number of seconds raises socket.timeout when it runs out.
    """
    lock = state.lock
    deadline = None
    if timeout is not None and timeout > 0.0:
        deadline = System.nanoTime() + long(timeout * 1e9)
    lock.lock()
    try:
        while True:
            result = attempt()
            if result is not WOULD_BLOCK:
                return result
            if timeout is None:
                _await(state.changed, None)
            elif deadline is None:
                raise when_nonblocking()
            else:
                remaining = deadline - System.nanoTime()
                if remaining <= 0:
                    raise timed_out()
                _await(state.changed, remaining)
    finally:
        lock.unlock()


def _await(condition, nanos):
    try:
        if nanos is None:
            condition.await()
        else:
            condition.awaitNanos(nanos)
    except InterruptedException:
        raise socket_error(errno.EINTR)
