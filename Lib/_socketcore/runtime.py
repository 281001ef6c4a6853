"""The shared Netty event-loop group: created on first use, daemon threads, shut down at exit.

One group serves every socket (client, listening and accepted) of this interpreter.  It is
created lazily, so `import socket` starts no thread, and closed through `sys.registerCloser`
so that `PythonInterpreter.cleanup()` / interpreter exit end its threads promptly
(`shutdownGracefully(0, ...)`: no quiet period).  After a shutdown the next socket simply
creates a new group, so an interpreter that outlives a cleanup keeps working.
"""
import sys
import threading

from java.lang import Thread
from java.util.concurrent import TimeUnit
from java.util.logging import Level, Logger

from _socketcore import netty

_EVENT_LOOP_THREADS = 2
_SHUTDOWN_TIMEOUT_MS = 500

_lock = threading.Lock()
_group = None
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
    global _group, _closer_registered
    group = _group
    if group is not None and not group.isShuttingDown():
        return group
    with _lock:
        if _group is None or _group.isShuttingDown():
            # (name, daemon, priority): the 2-argument form would read a Python bool as a priority
            factory = netty.DefaultThreadFactory('jython-netty-sockets', True, Thread.NORM_PRIORITY)
            _group = netty.NioEventLoopGroup(_EVENT_LOOP_THREADS, factory)
            if not _closer_registered:
                _register_closer()
                _closer_registered = True
        return _group


def _register_closer():
    register = getattr(sys, 'registerCloser', None)
    if register is not None:
        register(shutdown)


def shutdown():
    """Close the event-loop group now (no quiet period).  Safe to call more than once."""
    global _group
    with _lock:
        group, _group = _group, None
    if group is not None:
        group.shutdownGracefully(0, _SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        group.awaitTermination(_SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)


def allocator():
    """The ByteBuf allocator every channel uses (set explicitly: defaults differ by version)."""
    return netty.PooledByteBufAllocator.DEFAULT
