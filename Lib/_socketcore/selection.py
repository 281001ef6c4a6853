"""`select.select`: level-triggered readiness on top of Netty's edge notifications.

A `Waiter` is registered on every socket of the call.  Each edge on one of them (data,
EOF, writability, connect, accept, close) bumps the waiter's generation and signals it;
the call then re-tests every socket's level (`readiness`).  A socket that was ready
before the call is found by the first test, and an edge between a test and the wait is
caught by the generation check, so no wake-up is missed; spurious ones only cost a re-test.
The deadline is fixed when the call starts, so repeated wake-ups never stretch the wait.

Event loops pass the same lists call after call: from the second such call on, `selectcache`
answers from a registration that stays on the sockets between calls (same answers, cost
following what changed); the path below serves every other call.

This module also holds what `poll` and `epoll` share with `select`: the `Waiter`, the
`select.error` class and the rules that turn an argument into a file number and a socket.
"""
import errno
import sys

from java.lang import InterruptedException, System, Throwable
from java.util.concurrent.locks import ReentrantLock

from _socketcore import fdtable, readiness, runtime, tcp
from _socketcore.errors import bad_fd

# awaitNanos takes a Java long; longer waits are done in slices of this size.
_MAX_WAIT_NANOS = 1 << 60


class error(Exception):
    """select.error: args (errno, message), as CPython 2.7's (not an EnvironmentError)."""


error.__module__ = 'select'   # its public home, as in CPython's tracebacks and reprs


class Waiter(object):
    """Something edges can wake: a generation counter behind a lock and condition."""

    def __init__(self):
        self.lock = ReentrantLock()
        self.condition = self.lock.newCondition()
        self.generation = 0

    def wake(self, state=None):
        """Called by a socket state after an edge (any thread; never blocks for long)."""
        self.lock.lock()
        try:
            self.generation += 1
            self.condition.signalAll()
        finally:
            self.lock.unlock()

    def wait(self, seen, deadline):
        """Wait until the generation moves past `seen` or `deadline` (nanoTime; None: never).

        Raises select.error(EINTR) if the Java thread is interrupted."""
        self.lock.lock()
        try:
            while self.generation == seen:
                if deadline is None:
                    self.condition.await()
                else:
                    remaining = deadline - System.nanoTime()
                    if remaining <= 0:
                        return
                    self.condition.awaitNanos(min(remaining, _MAX_WAIT_NANOS))
        except InterruptedException:
            raise error(errno.EINTR, 'Interrupted system call')
        finally:
            self.lock.unlock()


def file_number(obj):
    """The file number of a select/poll/epoll argument: an int (or long), or an object whose
    fileno() returns one.  TypeError/ValueError with CPython 2.7's messages otherwise; a
    closed socket's fileno() raises socket.error(EBADF) itself, as in CPython."""
    if isinstance(obj, (int, long)):
        number = obj
    else:
        fileno = getattr(obj, 'fileno', None)
        if fileno is None:
            raise TypeError('argument must be an int, or have a fileno() method')
        number = fileno()
        if not isinstance(number, (int, long)):
            raise TypeError('fileno() returned a non-integer')
    if number < 0:
        raise ValueError('file descriptor cannot be a negative integer (%d)' % number)
    return int(number)


def open_socket(number):
    """The open socket registered under file number `number`, or None (also for numbers
    that name something else, such as an epoll object)."""
    sock = fdtable.lookup(number)
    if sock is None or getattr(sock, '_state', None) is None or sock._closed:
        return None
    return sock


def socket_for(obj):
    """The socket behind a select/poll argument (see `file_number`); select.error(EBADF) if
    no open socket has that number."""
    if isinstance(obj, tcp.socket):
        # our own socket object: what fileno() and the table lookup would find, minus the cost
        if obj._closed:
            raise bad_fd()
        return obj
    sock = open_socket(file_number(obj))
    if sock is None:
        raise error(errno.EBADF, 'Bad file descriptor')
    return sock


def deadline_after(seconds):
    """The nanoTime deadline `seconds` from now (None: no deadline)."""
    if seconds is None:
        return None
    return System.nanoTime() + long(seconds * 1e9)


def expired(deadline):
    """True once the nanoTime `deadline` has passed (never for None)."""
    return deadline is not None and System.nanoTime() >= deadline


def _check_timeout(timeout):
    """select()'s timeout rules, as CPython 2.7: None, or a non-negative number of seconds."""
    if timeout is None:
        return None
    if isinstance(timeout, (int, long, float)):
        value = float(timeout)
    else:
        try:
            value = float(timeout.__float__())
        except (AttributeError, TypeError):
            raise TypeError('timeout must be a float or None')
    if value > sys.maxint:
        raise OverflowError('timeout period too long')
    if value < 0:
        raise error(errno.EINVAL, 'Invalid argument')
    return value


def _as_list(objects):
    """One of select()'s three arguments as a list (TypeError as CPython if not iterable)."""
    try:
        return list(objects)
    except TypeError:
        raise TypeError('arguments 1-3 must be sequences')


_GROUP_BITS = (readiness.SELECT_READ, readiness.SELECT_WRITE, readiness.SELECT_EXCEPT)
_CATCH_UP_MS = 5


def catch_up(states):
    """For a zero-timeout select/poll that found nothing ready: wait (briefly) for two turns
    of the event loop of each state with a read outstanding and nothing buffered; True if
    there was any, so the caller tests again.  Bytes or a FIN already in the kernel reach a
    state only when its event loop reads them, while CPython's select asks the kernel
    itself: urllib3 tests a pooled connection with poll(0) right after the server's last
    response, and must see the server's close.  Two turns, because a task submitted while
    the loop is busy runs before its next select."""
    loops = []
    for state in states:
        # stream states only (datagram ones have no `buffered`)
        if getattr(state, 'buffered', None) == 0 and state.read_requested \
                and not state.input_shutdown and state.channel is not None:
            loop = state.channel.eventLoop()
            if loop not in loops and not loop.inEventLoop():
                loops.append(loop)
    for turn in (1, 2):
        for loop in loops:
            try:
                loop.submit(runtime.NOTHING).awaitUninterruptibly(_CATCH_UP_MS)
            except Throwable:
                pass              # the loop is shutting down: nothing more will arrive
    return bool(loops)


def select(rlist, wlist, xlist, timeout=None):
    """Wait until some of the objects are ready; (readable, writable, exceptional) lists of
    the caller's own objects, in the order given.

    Readable and writable follow Linux's select (a pending error or hang-up counts as both
    readable and writable).  `xlist` reports urgent (out-of-band) data only, as on Linux;
    the JVM never delivers it separately, so the third list is always empty.
    Raises TypeError/ValueError for bad arguments, socket.error(EBADF) for a closed socket
    object, select.error(EBADF) for an unknown file number, select.error(EINVAL) for a
    negative timeout, OverflowError for an absurdly long one, as CPython 2.7 does."""
    timeout = _check_timeout(timeout)
    keys = selectcache.snapshot(rlist, wlist, xlist)
    result = selectcache.select(keys, _GROUP_BITS, timeout)
    if result is not None:
        return result
    groups = []
    for objects, bits in zip((rlist, wlist, xlist), _GROUP_BITS):
        groups.append([(obj, socket_for(obj)._state, bits) for obj in _as_list(objects)])
    deadline = deadline_after(timeout)
    ready = _test(groups)
    if not (ready[0] or ready[1] or ready[2]) and timeout == 0.0 and \
            catch_up(set(state for group in groups for (_, state, _) in group)):
        ready = _test(groups)
    if ready[0] or ready[1] or ready[2] or timeout == 0.0:
        return ready
    # Nothing ready yet: watch every socket, then test again (an edge may have come between
    # the first test and the watching) before each wait.
    states = set(state for group in groups for (_, state, _) in group)
    waiter = Waiter()
    for state in states:
        state.add_watcher(waiter)
    try:
        while True:
            seen = waiter.generation
            ready = _test(groups)
            if ready[0] or ready[1] or ready[2] or expired(deadline):
                return ready
            waiter.wait(seen, deadline)
    finally:
        for state in states:
            state.remove_watcher(waiter)


def _test(groups):
    """(readable, writable, exceptional) objects now; each state's mask is read once."""
    masks = {}
    ready = []
    for group in groups:
        found = []
        for obj, state, bits in group:
            mask = masks.get(state)
            if mask is None:
                mask = masks[state] = state.poll_mask()
            if mask & bits:
                found.append(obj)
        ready.append(found)
    return tuple(ready)


# At the end: selectcache imports names defined above (and polling, which does too).
from _socketcore import selectcache   # noqa: E402
