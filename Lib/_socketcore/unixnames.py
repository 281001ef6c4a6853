"""AF_UNIX names as CPython 2.7 takes them: checks, abstract names, Linux's autobind names.

A name is a byte string: a filesystem path, or a Linux abstract name (a leading NUL byte,
then any bytes; it names no file).  `''` for bind() asks for an autobound abstract name,
which Linux makes of five hex digits.
"""
import errno
import os
import random

from _socketcore.errors import error, socket_error

SUN_PATH_MAX = 108     # sizeof(struct sockaddr_un.sun_path) on Linux
_AUTOBIND_TRIES = 64


def check(address):
    """The name as a str; CPython's TypeError / error for bad ones ('' is let through)."""
    if isinstance(address, unicode):
        address = str(address)   # ascii, as CPython 2 converts it (UnicodeEncodeError otherwise)
    if not isinstance(address, str):
        raise TypeError('argument must be string or read-only character buffer, not %s'
                        % type(address).__name__)
    if len(address) > SUN_PATH_MAX:
        raise error('AF_UNIX path too long')
    return address


def is_abstract(name):
    return name.startswith('\0')


def absolute(path):
    """A filesystem name resolved against Jython's current directory (which the JVM's
    own working directory does not follow after os.chdir)."""
    return os.path.join(os.getcwd(), path)


def autobind_candidates():
    """Abstract names to try, in Linux's autobind form ('\\0' + five hex digits)."""
    for _ in range(_AUTOBIND_TRIES):
        yield '\0%05x' % random.randint(0, 0xfffff)


def no_autobind_name():
    return socket_error(errno.EADDRINUSE)
