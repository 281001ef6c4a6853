"""select: CPython 2.7's select module (select, poll, epoll), for Jython, on Netty.

Readiness is level-triggered over our sockets (see `_socketcore.readiness`); arguments may
be sockets, objects with fileno(), or the ints that our sockets' fileno() returns.
`epoll` (Linux's API, as in CPython 2.7 on Linux) also offers edge-triggered mode.
"""
from _socketcore.selection import error, select
from _socketcore.polling import poll
from _socketcore.epolling import (
    epoll, EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP, EPOLLET, EPOLLONESHOT,
    EPOLLEXCLUSIVE, EPOLLRDNORM, EPOLLRDBAND, EPOLLWRNORM, EPOLLWRBAND, EPOLLMSG)
from _socketcore.readiness import (
    POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND,
    POLLWRNORM, POLLWRBAND, POLLMSG)

# Stock Jython offers this name for code written against its older select; ours is one select.
cpython_compatible_select = select

__all__ = ['error', 'select', 'poll', 'epoll',
           'POLLIN', 'POLLPRI', 'POLLOUT', 'POLLERR', 'POLLHUP', 'POLLNVAL',
           'POLLRDNORM', 'POLLRDBAND', 'POLLWRNORM', 'POLLWRBAND', 'POLLMSG',
           'EPOLLIN', 'EPOLLPRI', 'EPOLLOUT', 'EPOLLERR', 'EPOLLHUP', 'EPOLLRDHUP', 'EPOLLET',
           'EPOLLONESHOT', 'EPOLLEXCLUSIVE', 'EPOLLRDNORM', 'EPOLLRDBAND', 'EPOLLWRNORM',
           'EPOLLWRBAND', 'EPOLLMSG']
