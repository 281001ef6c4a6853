"""socket: CPython 2.7's socket module, for Jython, on Netty.

Drop-in replacement: the same public names as CPython 2.7's `socket`.  The core is in
`_socket` / `_socketcore`; this module adds the pure-Python helpers CPython keeps here
(`create_connection`, `getfqdn`, `_fileobject`).  JVM limits are listed under
"Differences from CPython" in the project README.
"""
import errno as _errno

import _socket
from _socket import *
from _socketcore.fileobject import _fileobject

__all__ = list(_socket.__all__) + ['create_connection', 'getfqdn', 'fromfd', 'SocketType']

_realsocket = _socketobject = socket
SocketType = socket
_GLOBAL_DEFAULT_TIMEOUT = object()


def fromfd(fd, family, type, proto=0):
    """Not possible on the JVM: there are no OS file descriptors to adopt."""
    raise error(_errno.EOPNOTSUPP, 'fromfd() is not supported on the JVM')


def getfqdn(name=''):
    """Fully qualified name of `name` (this host if empty), as CPython 2.7 picks it."""
    name = name.strip()
    if not name or name == '0.0.0.0':
        name = gethostname()
    try:
        hostname, aliases, _ = gethostbyaddr(name)
    except error:
        return name
    for candidate in [hostname] + aliases:
        if '.' in candidate:
            return candidate
    return hostname


def create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """Connect to (host, port), trying each address getaddrinfo gives; the connected socket.

    `timeout` (if given) is set before connecting; `source_address` is bound first.
    Raises the last error if no address works.
    """
    host, port = address
    last_error = None
    for family, socktype, proto, _, sockaddr in getaddrinfo(host, port, 0, SOCK_STREAM):
        sock = None
        try:
            sock = socket(family, socktype, proto)
            if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except error as exc:
            last_error = exc
            if sock is not None:
                sock.close()
    if last_error is not None:
        raise last_error
    raise error('getaddrinfo returns an empty list')
