"""Exception classes, and the one place where Java exceptions become Python ones.

Every Java or Netty exception that can reach the socket API passes through `from_java()`,
which returns the CPython-shaped exception: `error(errno, strerror)` with Linux errnos,
`timeout('timed out')`, `gaierror(EAI_*, message)`.  Callers write::

    except Throwable as cause:
        raise from_java(cause)

so no Java exception ever reaches user code.
"""
import errno
import os

from java.io import FileNotFoundException, IOException
from java.lang import Throwable, SecurityException, IllegalArgumentException
from java.net import (BindException, ConnectException, NoRouteToHostException,
                      PortUnreachableException, SocketException, SocketTimeoutException,
                      UnknownHostException)
from java.nio.channels import (AlreadyBoundException, AlreadyConnectedException,
                               ClosedChannelException, ConnectionPendingException,
                               NotYetConnectedException, UnresolvedAddressException,
                               UnsupportedAddressTypeException)

from _socketcore import constants as _c


class error(IOError):
    """socket.error: an OS-level socket failure, args (errno, strerror)."""


class herror(error):
    """socket.herror: a gethostbyaddr-style resolver failure."""


class gaierror(error):
    """socket.gaierror: a getaddrinfo-style resolver failure, args (EAI_*, message)."""


class timeout(error):
    """socket.timeout: an operation on a socket with a timeout ran out of time."""


_GAI_MESSAGES = {
    _c.EAI_NONAME: 'Name or service not known',
    _c.EAI_AGAIN: 'Temporary failure in name resolution',
    _c.EAI_FAIL: 'Non-recoverable failure in name resolution',
    _c.EAI_FAMILY: 'ai_family not supported',
    _c.EAI_SOCKTYPE: 'ai_socktype not supported',
    _c.EAI_SERVICE: 'Servname not supported for ai_socktype',
    _c.EAI_BADFLAGS: 'Bad value for ai_flags',
    _c.EAI_NODATA: 'No address associated with hostname',
    _c.EAI_ADDRFAMILY: 'Address family for hostname not supported',
}


def socket_error(code, message=None):
    """`error(code, strerror)` with Linux's message for the errno."""
    return error(code, message or os.strerror(code))


def gai_error(code):
    """`gaierror(code, message)` with glibc's message for the EAI_* code."""
    return gaierror(code, _GAI_MESSAGES.get(code, 'Unknown error'))


def timed_out():
    return timeout('timed out')


def would_block():
    return socket_error(errno.EAGAIN)


def bad_fd():
    return socket_error(errno.EBADF)


# Ordered: the first matching class wins, so subclasses come before their bases.
_BY_CLASS = [
    (BindException, errno.EADDRINUSE),
    (FileNotFoundException, errno.ENOENT),     # Netty's native transport: ENOENT
    (NoRouteToHostException, errno.EHOSTUNREACH),
    (PortUnreachableException, errno.ECONNREFUSED),
    (ConnectException, errno.ECONNREFUSED),
    (SocketTimeoutException, errno.ETIMEDOUT),
    (AlreadyConnectedException, errno.EISCONN),
    (ConnectionPendingException, errno.EALREADY),
    (AlreadyBoundException, errno.EINVAL),
    (NotYetConnectedException, errno.ENOTCONN),
    (UnsupportedAddressTypeException, errno.EAFNOSUPPORT),
    (ClosedChannelException, errno.EPIPE),
    (SecurityException, errno.EACCES),
]

# Java reports most socket failures as an IOException whose message is the C library's
# strerror text; matching on those texts is the only portable way to recover the errno.
_BY_MESSAGE = [
    ('address already in use', errno.EADDRINUSE),
    ('cannot assign requested address', errno.EADDRNOTAVAIL),
    ('connection refused', errno.ECONNREFUSED),
    ('connection reset', errno.ECONNRESET),
    ('broken pipe', errno.EPIPE),
    ('connection timed out', errno.ETIMEDOUT),
    ('network is unreachable', errno.ENETUNREACH),
    ('no route to host', errno.EHOSTUNREACH),
    ('host is down', errno.EHOSTDOWN),
    ('permission denied', errno.EACCES),
    ('protocol family unavailable', errno.EAFNOSUPPORT),
    ('address family not supported', errno.EAFNOSUPPORT),
    ('invalid argument', errno.EINVAL),
    ('socket is closed', errno.EBADF),
    ('too many open files', errno.EMFILE),
    ('connection aborted', errno.ECONNABORTED),
    ('software caused connection abort', errno.ECONNABORTED),
    ('message too long', errno.EMSGSIZE),
    # Netty's native transport (AF_UNIX): strerror texts of its connect failures
    ('protocol wrong type for socket', errno.EPROTOTYPE),
    ('no such file or directory', errno.ENOENT),
    ('operation not permitted', errno.EPERM),
    ('transport endpoint is not connected', errno.ENOTCONN),
]


def errno_of(cause):
    """Best Linux errno for a Java Throwable, or None when it is not a socket failure."""
    native = _native_errno(cause)
    if native:
        return native
    for klass, code in _BY_CLASS:
        if isinstance(cause, klass):
            if klass is ConnectException:
                # Netty wraps every connect failure (refused, unreachable, ...) in one class.
                return _errno_from_message(cause) or code
            return code
    if isinstance(cause, (IOException, SocketException)):
        return _errno_from_message(cause) or errno.EIO
    return None


def _native_errno(cause):
    """The errno a Netty native-transport exception carries (its expectedErr() is -errno)."""
    expected = getattr(cause, 'expectedErr', None)
    if expected is None:
        return None
    try:
        code = -int(expected())
    except (Throwable, TypeError, ValueError):
        return None
    return code if code > 0 else None


def _errno_from_message(cause):
    text = (cause.getMessage() or '').lower()
    for fragment, code in _BY_MESSAGE:
        if fragment in text:
            return code
    return None


def from_java(cause):
    """Translate a Java Throwable into the exception CPython would raise.

    Never returns a Java exception: anything unrecognised becomes error(EIO, description).
    """
    if isinstance(cause, (UnknownHostException, UnresolvedAddressException)):
        return gai_error(_c.EAI_NONAME)
    if isinstance(cause, IllegalArgumentException):
        return socket_error(errno.EINVAL)
    code = errno_of(cause)
    if code is None:
        return error(errno.EIO, '%s: %s' % (cause.getClass().getSimpleName(),
                                            cause.getMessage()))
    return socket_error(code)


__all__ = ['error', 'herror', 'gaierror', 'timeout', 'Throwable']
