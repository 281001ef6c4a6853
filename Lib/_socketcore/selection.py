"""`select.select`: level-triggered readiness on top of Netty's edge notifications.

A `Waiter` is registered on every socket of the call.  Each edge on one of them (data,
EOF, writability, connect, accept, close) bumps the waiter's generation and signals it;
the call then re-tests every socket's level (`readiness`).  A socket that was ready
before the call is found by the first test, and an edge between a test and the wait is
caught by the generation check, so no wake-up is missed; spurious ones only cost a re-test.
"""
import errno

from java.lang import InterruptedException, System
from java.util.concurrent.locks import ReentrantLock

from _socketcore import fdtable, readiness


class error(Exception):
    """select.error: args (errno, message), as CPython 2.7's."""


class Waiter(object):
    """Something edges can wake: a generation counter behind a lock and condition."""

    def __init__(self):
        self.lock = ReentrantLock()
        self.condition = self.lock.newCondition()
        self.generation = 0

    def wake(self, state=None):
        self.lock.lock()
        try:
            self.generation += 1
            self.condition.signalAll()
        finally:
            self.lock.unlock()

    def wait(self, seen, deadline):
        """Wait until the generation moves past `seen` or `deadline` (nanoTime; None: never)."""
        self.lock.lock()
        try:
            while self.generation == seen:
                if deadline is None:
                    self.condition.await()
                else:
                    remaining = deadline - System.nanoTime()
                    if remaining <= 0:
                        return
                    self.condition.awaitNanos(remaining)
        except InterruptedException:
            raise error(errno.EINTR, 'Interrupted system call')
        finally:
            self.lock.unlock()


def socket_for(obj):
    """The socket behind a select/poll argument: an int from fileno(), or an object with
    fileno().  TypeError/ValueError as CPython 2.7; select.error(EBADF) if it is unknown."""
    if isinstance(obj, (int, long)):
        number = obj
    else:
        fileno = getattr(obj, 'fileno', None)
        if fileno is None:
            raise TypeError('argument must be an int, or have a fileno() method.')
        number = fileno()
        if not isinstance(number, (int, long)):
            raise TypeError('fileno() returned a non-integer')
    if number < 0:
        raise ValueError('file descriptor cannot be a negative integer (%d)' % number)
    sock = fdtable.lookup(number)
    if sock is None or sock._closed:
        raise error(errno.EBADF, 'Bad file descriptor')
    return sock


def _check_timeout(timeout):
    if timeout is None:
        return None
    if not isinstance(timeout, (int, long, float)):
        raise TypeError('timeout must be a float or None')
    if timeout < 0:
        raise error(errno.EINVAL, 'Invalid argument')
    return float(timeout)


def select(rlist, wlist, xlist, timeout=None):
    """Wait until some of the objects are ready: (readable, writable, exceptional) lists of
    the caller's own objects.  `xlist` reports urgent data (POLLPRI), which the JVM never
    delivers separately, so it is always empty unless an object is listed there twice."""
    timeout = _check_timeout(timeout)
    groups = []
    for objects, bits in ((rlist, readiness.SELECT_READ), (wlist, readiness.SELECT_WRITE),
                          (xlist, readiness.SELECT_EXCEPT)):
        try:
            items = list(objects)
        except TypeError:
            raise TypeError('arguments 1-3 must be sequences')
        groups.append([(obj, socket_for(obj)._state, bits) for obj in items])
    deadline = None
    if timeout is not None:
        deadline = System.nanoTime() + long(timeout * 1e9)
    states = set(state for group in groups for (_, state, _) in group)
    waiter = Waiter()
    for state in states:
        state.add_watcher(waiter)
    try:
        while True:
            seen = waiter.generation
            ready = [[obj for (obj, state, bits) in group if state.poll_mask() & bits]
                     for group in groups]
            if (ready[0] or ready[1] or ready[2] or timeout == 0.0
                    or (deadline is not None and System.nanoTime() >= deadline)):
                return tuple(ready)
            waiter.wait(seen, deadline)
    finally:
        for state in states:
            state.remove_watcher(waiter)
