"""`select.poll`, and the registration core it shares with `select.epoll`.

Cost per call follows what changed, not what is registered.  A `Registry` puts one
`ChangeWaiter` on each registered socket's state.  Edges record which states changed; a
call re-tests only the *candidates*: file numbers whose socket changed since the last call,
plus (level-triggered) those that were ready last time, because levels persist until the
user acts.  A candidate found not ready is dropped until its next edge.  Every way a
socket's readiness can grow goes through an edge (see channelstate), so nothing is missed.

poll follows Linux's poll(2): POLLERR, POLLHUP and POLLNVAL are reported whether or not
they were asked for; a file number that names no open socket (never did, or was closed) is
reported as POLLNVAL, and once a new socket takes that number, poll watches the new one,
as the kernel would.
"""
import errno
from collections import deque

from java.util.concurrent.locks import ReentrantLock

from _socketcore import readiness
from _socketcore.selection import (Waiter, catch_up, deadline_after, expired, file_number,
                                   open_socket)

_POLL_ALWAYS = readiness.POLLERR | readiness.POLLHUP | readiness.POLLNVAL
_POLL_DEFAULT = readiness.POLLIN | readiness.POLLPRI | readiness.POLLOUT
_INT_MAX = 2 ** 31 - 1


class ChangeWaiter(Waiter):
    """A Waiter that also remembers which states woke it."""

    def __init__(self):
        Waiter.__init__(self)
        self.changed = set()

    def wake(self, state=None):
        """Record that `state` changed and wake the waiting caller (any thread)."""
        self.lock.lock()
        try:
            if state is not None:
                self.changed.add(state)
            self.generation += 1
            self.condition.signalAll()
        finally:
            self.lock.unlock()

    def drain(self):
        """(states changed since the last drain, current generation)."""
        self.lock.lock()
        try:
            changed, self.changed = self.changed, set()
            return changed, self.generation
        finally:
            self.lock.unlock()


class Entry(object):
    """One registration: the watched state (None: no open socket), the event mask, and
    whether it is armed (epoll's EPOLLONESHOT disarms an entry after one report)."""
    __slots__ = ('state', 'mask', 'armed')

    def __init__(self, state, mask):
        self.state = state
        self.mask = mask
        self.armed = True


class Registry(object):
    """File number -> Entry, the states being watched, and the candidates to re-test.

    Not thread-safe by itself: its owner serialises calls (epoll takes a lock).  Edges may
    arrive from any thread at any time; they only touch the ChangeWaiter."""

    def __init__(self):
        self.entries = {}
        self.numbers_by_state = {}
        self.candidates = deque()
        self.queued = set()
        self.waiter = ChangeWaiter()

    def __contains__(self, number):
        return number in self.entries

    def __len__(self):
        return len(self.entries)

    def add(self, number, state, mask):
        """Register `number` (watching `state`, which may be None) as a candidate."""
        self.entries[number] = Entry(state, mask)
        self._watch(number, state)
        self.mark(number)

    def remove(self, number):
        """Forget `number` (KeyError if unknown); its socket stops waking us if it was the
        last number for that state.  Returns the Entry."""
        entry = self.entries.pop(number)
        self._unwatch(number, entry.state)
        return entry

    def rebind(self, number, state):
        """Point an entry at another state (its file number now names another socket)."""
        entry = self.entries[number]
        self._unwatch(number, entry.state)
        entry.state = state
        self._watch(number, state)

    def clear(self):
        """Forget everything (close, or garbage collection of the owner)."""
        for number in list(self.entries):
            self.remove(number)
        self.candidates.clear()
        self.queued.clear()

    def mark(self, number):
        """Make `number` a candidate for the next test."""
        if number not in self.queued:
            self.queued.add(number)
            self.candidates.append(number)

    def take_changes(self):
        """Turn the edges seen since the last call into candidates; the waiter generation
        to wait on afterwards."""
        changed, seen = self.waiter.drain()
        for state in changed:
            for number in self.numbers_by_state.get(state, ()):
                self.mark(number)
        return seen

    def next_candidate(self):
        """(number, entry) of the oldest candidate still registered, or None when none is left."""
        while self.candidates:
            number = self.candidates.popleft()
            self.queued.discard(number)
            entry = self.entries.get(number)
            if entry is not None:
                return number, entry
        return None

    def _watch(self, number, state):
        """Map `state` to `number`; the first number of a state puts our waiter on it."""
        if state is None:
            return
        numbers = self.numbers_by_state.get(state)
        if numbers is None:
            numbers = self.numbers_by_state[state] = set()
            state.add_watcher(self.waiter)
        numbers.add(number)

    def _unwatch(self, number, state):
        """Undo `_watch`; the last number of a state takes our waiter off it."""
        numbers = self.numbers_by_state.get(state)
        if numbers is None:
            return
        numbers.discard(number)
        if not numbers:
            del self.numbers_by_state[state]
            state.remove_watcher(self.waiter)


def state_of(number):
    """The state of the open socket numbered `number`, or None."""
    sock = open_socket(number)
    return sock._state if sock is not None else None


def _poll_mask_arg(eventmask):
    """poll's event mask: an unsigned short, with CPython 2.7's errors."""
    if not isinstance(eventmask, (int, long)):
        raise TypeError('an integer is required')
    if eventmask < 0:
        raise OverflowError("can't convert negative value to unsigned long")
    if eventmask > 0xffff:
        raise OverflowError('Python int too large for C unsigned short')
    return int(eventmask)


def _poll_timeout_arg(timeout):
    """poll's timeout in ms -> deadline seconds (None: wait forever), as CPython 2.7."""
    if timeout is None:
        return None
    try:
        millis = int(timeout)
    except (TypeError, ValueError):
        raise TypeError('timeout must be an integer or None')
    if not -_INT_MAX - 1 <= millis <= _INT_MAX:
        raise OverflowError('Python int too large to convert to C int')
    return None if millis < 0 else millis / 1000.0


class poll(object):
    """select.poll(): register/modify/unregister file numbers or objects with fileno(),
    then poll(timeout_ms) -> [(fd, events)].  Like CPython's, one poll object serves one
    thread at a time (a concurrent poll() raises RuntimeError); registrations made from
    another thread while poll() waits count from the next call, as in CPython."""

    def __init__(self):
        self._registry = Registry()
        self._lock = ReentrantLock()   # registry changes against the scan in poll()
        self._running = False

    def register(self, fd, eventmask=_POLL_DEFAULT):
        """Watch `fd` for `eventmask` (POLLIN | POLLPRI | POLLOUT by default); registering a
        file number again replaces its mask.  A number with no open socket behind it is
        accepted and reported as POLLNVAL, as poll(2) does."""
        number = file_number(fd)
        eventmask = _poll_mask_arg(eventmask)
        state = state_of(number)
        registry = self._registry
        self._lock.lock()
        try:
            if number in registry:
                if registry.entries[number].state is not state:
                    registry.rebind(number, state)
                registry.entries[number].mask = eventmask
                registry.mark(number)
            else:
                registry.add(number, state, eventmask)
        finally:
            self._lock.unlock()

    def modify(self, fd, eventmask):
        """Change the mask of a registered `fd`; IOError(ENOENT) if it is not registered."""
        number = file_number(fd)
        eventmask = _poll_mask_arg(eventmask)
        registry = self._registry
        self._lock.lock()
        try:
            if number not in registry:
                raise IOError(errno.ENOENT, 'No such file or directory')
            registry.entries[number].mask = eventmask
            registry.mark(number)
        finally:
            self._lock.unlock()

    def unregister(self, fd):
        """Stop watching `fd`; KeyError(fd) if it is not registered."""
        number = file_number(fd)
        self._lock.lock()
        try:
            if number not in self._registry:
                raise KeyError(number)
            self._registry.remove(number)
        finally:
            self._lock.unlock()

    def poll(self, timeout=None):
        """[(fd, events)] of the ready registrations; waits up to `timeout` ms (None or
        negative: forever).  Raises select.error(EINTR) if the thread is interrupted."""
        seconds = _poll_timeout_arg(timeout)
        self._lock.lock()
        try:
            if self._running:
                raise RuntimeError('concurrent poll() invocation')
            self._running = True
        finally:
            self._lock.unlock()
        try:
            return self._poll(seconds)
        finally:
            self._running = False

    def _poll(self, seconds):
        """Scan candidates until some are ready or the deadline passes (no lock held
        while waiting)."""
        registry = self._registry
        deadline = deadline_after(seconds)
        caught_up = False
        while True:
            self._lock.lock()
            try:
                seen = registry.take_changes()
                ready = self._scan()
            finally:
                self._lock.unlock()
            if not ready and seconds == 0 and not caught_up:
                caught_up = True
                if catch_up([entry.state for entry in registry.entries.values()
                             if entry.state is not None]):
                    continue
            if ready or seconds == 0 or expired(deadline):
                return ready
            registry.waiter.wait(seen, deadline)

    def _scan(self):
        """Test every candidate (lock held); the ready ones stay candidates (levels)."""
        registry = self._registry
        ready = []
        while True:
            item = registry.next_candidate()
            if item is None:
                break
            number, entry = item
            events = self._events(number, entry)
            if events:
                ready.append((number, events))
        for number, _ in ready:
            registry.mark(number)
        return ready

    def _events(self, number, entry):
        """The events to report for `number` now (POLLNVAL without an open socket)."""
        state = entry.state
        if state is None or state.phase == readiness.CLOSED:
            # The number may name a new socket by now: poll(2) would watch that one.
            fresh = state_of(number)
            if fresh is None:
                return readiness.POLLNVAL
            self._registry.rebind(number, fresh)
            state = fresh
        return state.poll_mask() & (entry.mask | _POLL_ALWAYS)

    def __del__(self):
        # Registrations hold a waiter on each socket; let the sockets forget it.
        try:
            self._registry.clear()
        except Exception:
            pass
