"""The shared Netty event-loop group: created on first use, daemon threads, shut down at exit.

One group serves every socket (client, listening and accepted) of this interpreter.  It is
created lazily, so `import socket` starts no thread, and closed through `sys.registerCloser`
so that `PythonInterpreter.cleanup()` / interpreter exit end its threads promptly
(`shutdownGracefully(0, ...)`: no quiet period).  After a shutdown the next socket simply
creates a new group, so an interpreter that outlives a cleanup keeps working.

A second group, of Netty's native epoll transport, serves the AF_UNIX channels that only
that transport has (abstract names, datagrams; see nativeunix.py).  It is made the same
way -- lazily, daemon threads, at most _NATIVE_THREADS of them -- and closed by the same
closer.

The group's threads are started (and checked) when the group is made: where threads cannot
be created (thread limits, restrictive JVM settings) `import socket` still works and the
first socket operation raises socket.error(ENOMEM) saying why, instead of a connect that
never completes.  The next operation tries again.
"""
from __future__ import absolute_import

import errno
import sys
import threading

from java.lang import Runnable, Thread, Throwable
from java.util.concurrent import TimeUnit
from java.util.logging import Level, Logger

from _socketcore import netty

_EVENT_LOOP_THREADS = 2
_NATIVE_THREADS = 1
_SHUTDOWN_TIMEOUT_MS = 500
_START_TIMEOUT_MS = 30000

_lock = threading.Lock()
_groups = {}                  # 'nio' / 'native' -> the shared event-loop group
_closer_registered = False

# Keep Netty quiet on stderr in normal use.  Leak reports are logged at ERROR (SEVERE) and
# therefore still show.  The logger objects are kept referenced so the levels stick.
_quiet_loggers = []
for _name in (netty.PREFIX,):
    _logger = Logger.getLogger(_name)
    _logger.setLevel(Level.SEVERE)
    _quiet_loggers.append(_logger)


def event_loop_group():
    """Return the live shared event-loop group, creating it (and its closer) if needed."""
    return _shared('nio', 'jython-netty-sockets', _EVENT_LOOP_THREADS, netty.NioEventLoopGroup)


def native_group(make_group):
    """The live shared group of the native transport, made by `make_group(threads, factory)`
    on first use (or after a shutdown); closed with the other one."""
    return _shared('native', 'jython-netty-sockets-native', _NATIVE_THREADS, make_group)


def _shared(kind, thread_name, threads, make_group):
    global _closer_registered
    group = _groups.get(kind)
    if group is not None and not group.isShuttingDown():
        return group
    with _lock:
        group = _groups.get(kind)
        if group is None or group.isShuttingDown():
            # (name, daemon, priority): the 2-argument form would read a Python bool as a priority
            factory = netty.DefaultThreadFactory(thread_name, True, Thread.NORM_PRIORITY)
            group = make_group(threads, factory)
            _start_threads(group)
            _groups[kind] = group
            if not _closer_registered:
                _register_closer()
                _closer_registered = True
        return group


class _Nothing(Runnable):
    def run(self):
        pass


NOTHING = _Nothing()      # a task that does nothing: submitting it waits for a loop to turn


def _start_threads(group):
    """Start every event loop's thread now; on failure close `group` and raise socket.error."""
    try:
        for loop in group:
            if not loop.submit(NOTHING).awaitUninterruptibly(_START_TIMEOUT_MS):
                raise _no_threads(group, 'the thread did not start within %d s'
                                  % (_START_TIMEOUT_MS // 1000))
    except Throwable as cause:
        raise _no_threads(group, '%s: %s' % (cause.getClass().getSimpleName(),
                                             cause.getMessage()))


def _no_threads(group, why):
    from _socketcore.errors import socket_error
    _close_quietly(group)
    return socket_error(errno.ENOMEM, 'cannot start the socket event-loop threads (%s)' % why)


def _close_quietly(group):
    try:
        group.shutdownGracefully(0, _SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
    except Throwable:
        pass


def _register_closer():
    register = getattr(sys, 'registerCloser', None)
    if register is not None:
        register(shutdown)


def shutdown():
    """Close the event-loop group now (no quiet period).  Safe to call more than once."""
    with _lock:
        groups = list(_groups.values())
        _groups.clear()
    for group in groups:
        try:
            group.shutdownGracefully(0, _SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        except Throwable:
            pass    # at exit or cleanup: nothing left to report to
    for group in groups:
        try:
            group.awaitTermination(_SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        except Throwable:
            pass


def allocator():
    """The ByteBuf allocator every channel uses (set explicitly: defaults differ by version)."""
    return netty.PooledByteBufAllocator.DEFAULT
