"""Figure 4: readiness calls over many sockets, microseconds per call (lower is better).

The sockets are connections to the peer's `hold` service, opened once per process and
reused by every row (opening them is not measured).  Exactly one of them is readable: we
send it one byte, the peer echoes it, and nobody reads it.  Each row calls select / poll /
epoll with timeout 0 on the same sockets again and again, as event loops do, and checks
that the call reports exactly that one socket.
"""
from __future__ import print_function

import select

import common

_pool = []


def sockets(peer, count):
    """The first `count` pooled connections; the first one has one unread byte."""
    while len(_pool) < count:
        _pool.append(common.connect(peer['hold']))
        if len(_pool) == 1:
            _pool[0].sendall(b'!')
            readable, _, _ = select.select([_pool[0]], [], [], 10.0)
            if not readable:
                raise RuntimeError('the hold peer did not echo')
    return _pool[:count]


def release():
    """Close the pooled connections (the next figure needs low file numbers on CPython)."""
    while _pool:
        _pool.pop().close()


def per_call(call, seconds):
    """Microseconds per call of `call` (which returns the number of ready sockets)."""
    calls = 0
    started = common.now()
    end = started + seconds
    while True:
        for _ in range(8):
            ready = call()
        calls += 8
        if common.now() >= end:
            break
    elapsed = common.now() - started
    if ready != 1:
        raise RuntimeError('%d sockets reported ready, expected 1' % ready)
    return elapsed / calls * 1e6


def select_over(count):
    def run(peer, seconds):
        socks = sockets(peer, count)
        return per_call(lambda: len(select.select(socks, [], [], 0)[0]), seconds)
    return run


def poll_over(count):
    def run(peer, seconds):
        socks = sockets(peer, count)
        poller = select.poll()
        for sock in socks:
            poller.register(sock, select.POLLIN)
        return per_call(lambda: len(poller.poll(0)), seconds)
    return run


def epoll_over(count):
    def run(peer, seconds):
        if not hasattr(select, 'epoll'):
            raise common.NotAvailable('n/a (no select.epoll)')
        socks = sockets(peer, count)
        poller = select.epoll()
        try:
            for sock in socks:
                poller.register(sock.fileno(), select.EPOLLIN)
            return per_call(lambda: len(poller.poll(0)), seconds)
        finally:
            poller.close()
    return run


ROWS = [
    ('select, 10 sockets, us/call', select_over(10)),
    ('select, 100 sockets, us/call', select_over(100)),
    ('select, 1,000 sockets, us/call', select_over(1000)),
    ('poll, 10 registered 1 ready, us/call', poll_over(10)),
    ('poll, 1,000 registered 1 ready, us/call', poll_over(1000)),
    ('poll, 5,000 registered 1 ready, us/call', poll_over(5000)),
    ('epoll, 10 registered 1 ready, us/call', epoll_over(10)),
    ('epoll, 1,000 registered 1 ready, us/call', epoll_over(1000)),
    ('epoll, 5,000 registered 1 ready, us/call', epoll_over(5000)),
]

if __name__ == '__main__':
    common.main(__import__(__name__))
