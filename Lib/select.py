"""select: CPython 2.7's select module (select.select and select.poll), for Jython, on Netty.

Readiness is level-triggered over our sockets (see `_socketcore.readiness`); arguments may
be sockets, objects with fileno(), or the ints that our sockets' fileno() returns.
"""
from _socketcore.selection import error, select
from _socketcore.polling import poll
from _socketcore.readiness import (
    POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND,
    POLLWRNORM, POLLWRBAND, POLLMSG)

# Stock Jython offers this name for code written against its older select; ours is one select.
cpython_compatible_select = select

__all__ = ['error', 'select', 'poll', 'POLLIN', 'POLLPRI', 'POLLOUT', 'POLLERR', 'POLLHUP', 'POLLNVAL',
           'POLLRDNORM', 'POLLRDBAND', 'POLLWRNORM', 'POLLWRBAND', 'POLLMSG']
