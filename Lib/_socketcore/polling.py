"""`select.poll`: registration once, then cost per call proportional to what changed.

A poll object registers one `ChangeWaiter` on each registered socket.  Edges record which
socket changed; `poll()` re-tests only the sockets that changed since the last call plus
those that were ready last time (levels persist, so they must be re-tested), instead of
every registered socket.  POLLERR, POLLHUP and POLLNVAL are reported whether or not they
were asked for, as on Linux.
"""
import errno

from java.lang import System

from _socketcore import readiness
from _socketcore.selection import Waiter, error, socket_for

_ALWAYS = readiness.POLLERR | readiness.POLLHUP | readiness.POLLNVAL
_DEFAULT_EVENTS = readiness.POLLIN | readiness.POLLPRI | readiness.POLLOUT


class ChangeWaiter(Waiter):
    """A Waiter that also remembers which states woke it."""

    def __init__(self):
        Waiter.__init__(self)
        self.changed = set()

    def wake(self, state=None):
        self.lock.lock()
        try:
            if state is not None:
                self.changed.add(state)
            self.generation += 1
            self.condition.signalAll()
        finally:
            self.lock.unlock()

    def drain(self):
        self.lock.lock()
        try:
            changed, self.changed = self.changed, set()
            return changed, self.generation
        finally:
            self.lock.unlock()


def _fd_of(obj):
    if isinstance(obj, (int, long)):
        return int(obj)
    return socket_for(obj).fileno()


def _check_mask(eventmask):
    if not isinstance(eventmask, (int, long)):
        raise TypeError('an integer is required')
    if not 0 <= eventmask <= 0xffff:
        raise OverflowError('unsigned short is greater than maximum')
    return int(eventmask)


class poll(object):
    """select.poll(): register/modify/unregister file numbers or sockets, then poll(ms)."""

    def __init__(self):
        self._entries = {}        # fd -> [state, eventmask]
        self._fds_by_state = {}   # state -> set(fd)
        self._candidates = set()  # fds to re-test on the next poll()
        self._waiter = ChangeWaiter()

    def register(self, fd, eventmask=_DEFAULT_EVENTS):
        eventmask = _check_mask(eventmask)
        sock = socket_for(fd)
        number = sock.fileno()
        state = sock._state
        old = self._entries.get(number)
        if old is not None and old[0] is not state:
            self._forget(number)
            old = None
        if old is None:
            self._entries[number] = [state, eventmask]
            fds = self._fds_by_state.setdefault(state, set())
            if not fds:
                state.add_watcher(self._waiter)
            fds.add(number)
        else:
            old[1] = eventmask
        self._candidates.add(number)

    def modify(self, fd, eventmask):
        eventmask = _check_mask(eventmask)
        number = _fd_of(fd)
        entry = self._entries.get(number)
        if entry is None:
            raise IOError(errno.ENOENT, 'No such file or directory')
        entry[1] = eventmask
        self._candidates.add(number)

    def unregister(self, fd):
        number = _fd_of(fd)
        if number not in self._entries:
            raise KeyError(fd)
        self._forget(number)

    def _forget(self, number):
        state, _ = self._entries.pop(number)
        self._candidates.discard(number)
        fds = self._fds_by_state.get(state)
        if fds is not None:
            fds.discard(number)
            if not fds:
                del self._fds_by_state[state]
                state.remove_watcher(self._waiter)

    def poll(self, timeout=None):
        """[(fd, events)] of ready sockets; waits up to `timeout` ms (None/negative: forever)."""
        if timeout is not None:
            if not isinstance(timeout, (int, long, float)):
                raise TypeError('timeout must be an integer or None')
            timeout = None if timeout < 0 else int(timeout)
        deadline = None if timeout is None else System.nanoTime() + timeout * 1000000
        while True:
            changed, seen = self._waiter.drain()
            for state in changed:
                self._candidates.update(self._fds_by_state.get(state, ()))
            ready = []
            for number in list(self._candidates):
                entry = self._entries.get(number)
                if entry is None:
                    self._candidates.discard(number)
                    continue
                state, eventmask = entry
                events = state.poll_mask() & (eventmask | _ALWAYS)
                if events:
                    ready.append((number, events))
                else:
                    self._candidates.discard(number)
            if ready or timeout == 0:
                return ready
            if deadline is not None and System.nanoTime() >= deadline:
                return ready
            self._waiter.wait(seen, deadline)
