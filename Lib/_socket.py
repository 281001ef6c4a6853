"""Our `_socket`: the core socket type, exceptions, constants and functions.

A thin facade: the implementation lives in the `_socketcore` package (see its docstring
for where each responsibility is).  Names follow CPython 2.7's `_socket`.
"""
from _socketcore.constants import *
from _socketcore.constants import __all__ as _constant_names
from _socketcore.errors import error, herror, gaierror, timeout
from _socketcore.addresses import (
    getaddrinfo, gethostbyname, gethostbyname_ex, gethostbyaddr, gethostname,
    inet_aton, inet_ntoa, inet_pton, inet_ntop, htons, ntohs, htonl, ntohl)
from _socketcore.names import getnameinfo, getservbyname, getservbyport, getprotobyname
from _socketcore.tcp import socket, SocketType
from _socketcore import socktypes   # socket(family, type) picks its class
from _socketcore import lazy as _lazy
from _socketcore.timeouts import getdefaulttimeout, setdefaulttimeout

has_ipv6 = True


class _EventLoopThreads(object):
    """The event loops of the shared group (created on first use), for Jython's own
    regression tests, which import NIO_GROUP and _check_threadpool_for_pending_threads
    from stock Jython's _socket."""

    def __iter__(self):
        from _socketcore import runtime
        return iter(runtime.event_loop_group())


NIO_GROUP = _EventLoopThreads()


def _check_threadpool_for_pending_threads(group):
    """[(event loop, pending task count)] for the loops of `group` with work queued."""
    return [(loop, loop.pendingTasks()) for loop in group if loop.pendingTasks() > 0]

__all__ = list(_constant_names) + [
    'error', 'herror', 'gaierror', 'timeout', 'socket', 'SocketType', 'socketpair', 'has_ipv6',
    'getaddrinfo', 'getnameinfo', 'gethostbyname', 'gethostbyname_ex', 'gethostbyaddr',
    'gethostname', 'getservbyname', 'getservbyport', 'getprotobyname',
    'inet_aton', 'inet_ntoa', 'inet_pton', 'inet_ntop', 'htons', 'ntohs', 'htonl', 'ntohl',
    'getdefaulttimeout', 'setdefaulttimeout']


def socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0):
    """A connected pair of sockets (AF_UNIX by default; see _socketcore.unix)."""
    return _lazy.module('_socketcore.unix').socketpair(family, type, proto)
