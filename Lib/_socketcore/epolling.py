"""`select.epoll`: Linux's epoll over our sockets, level- or edge-triggered.

Built on the `polling.Registry` core, so a call costs what changed, not what is
registered.  The three modes differ only in what happens to a candidate after a report:

- level-triggered (default): it stays a candidate, so it is reported again while ready;
- EPOLLET: it is dropped until the socket's next edge (new data, EOF, writable again,
  connect, accept, error), so each edge is reported once;
- EPOLLONESHOT: the entry is disarmed after one report until modify() re-arms it.

register() and modify() count as an edge (Linux reports a socket that is ready when it is
added).  EPOLLERR and EPOLLHUP are reported whether or not they were asked for.  A socket
that is closed for good (its last file number closed) leaves the set by itself, as the
kernel removes a closed file.  Unlike poll objects, an epoll object may be shared between
threads: register/modify/unregister from one thread while another waits in poll() take
effect at once, as with the kernel's epoll.
"""
import errno

from java.util.concurrent.locks import ReentrantLock

from _socketcore import fdtable, readiness
from _socketcore.polling import Registry, state_of
from _socketcore.selection import deadline_after, expired, file_number

EPOLLIN = 0x001
EPOLLPRI = 0x002
EPOLLOUT = 0x004
EPOLLERR = 0x008
EPOLLHUP = 0x010
EPOLLRDNORM = 0x040
EPOLLRDBAND = 0x080
EPOLLWRNORM = 0x100
EPOLLWRBAND = 0x200
EPOLLMSG = 0x400
EPOLLRDHUP = 0x2000
EPOLLEXCLUSIVE = 1 << 28
EPOLLWAKEUP = 1 << 29
EPOLLONESHOT = 1 << 30
EPOLLET = 1 << 31
EPOLL_CLOEXEC = 0x80000

_ALWAYS = EPOLLERR | EPOLLHUP
_DEFAULT = EPOLLIN | EPOLLOUT | EPOLLPRI
# the only bits Linux accepts together with EPOLLEXCLUSIVE
_EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE
# CPython 2.7 returns at most FD_SETSIZE - 1 events when maxevents is -1
_DEFAULT_MAXEVENTS = 1023
_INT_MAX = 2 ** 31 - 1


def _einval():
    """What epoll_ctl's EINVAL becomes, as in CPython."""
    return IOError(errno.EINVAL, 'Invalid argument')


def _event_mask_arg(eventmask):
    """An epoll event mask: any integer, taken as an unsigned 32-bit value (as CPython)."""
    if not isinstance(eventmask, (int, long)):
        raise TypeError('an integer is required')
    return eventmask & 0xffffffff


def _timeout_arg(timeout):
    """poll()'s timeout in seconds -> seconds to wait (None: forever), as CPython 2.7."""
    if timeout is None:
        return None
    if not isinstance(timeout, (int, long, float)):
        raise TypeError('a float is required')
    timeout = float(timeout)
    if timeout < 0:
        return None
    if timeout * 1000.0 > _INT_MAX:
        raise OverflowError('timeout is too large')
    return timeout


def _maxevents_arg(maxevents):
    """poll()'s maxevents: -1 means CPython 2.7's default, other values must be > 0."""
    if not isinstance(maxevents, (int, long)):
        raise TypeError('an integer is required')
    if maxevents == -1:
        return _DEFAULT_MAXEVENTS
    if maxevents <= 0:
        raise ValueError('maxevents must be greater than 0, got %d' % maxevents)
    return maxevents


class _EpollSet(object):
    """The shared part of an epoll (what the kernel object is on Linux): the registrations,
    their lock and the file number.  `fromfd` gives a second epoll object on the same set;
    closing either closes the set, as closing the descriptor does."""

    def __init__(self):
        self.lock = ReentrantLock()
        self.registry = Registry()
        self.fileno = fdtable.allocate(self)
        self.closed = False

    def close(self):
        """Forget every registration and give the file number back; idempotent."""
        self.lock.lock()
        try:
            if self.closed:
                return
            self.closed = True
            self.registry.clear()
            fdtable.release(self.fileno)
        finally:
            self.lock.unlock()


class epoll(object):
    """select.epoll([sizehint=-1[, flags=0]]): an epoll set of our sockets.

    sizehint must be -1 or positive (ValueError otherwise) and, like flags, only kept for
    compatibility.  Operations on a closed epoll object raise ValueError; on one whose set
    was closed through another object (see fromfd), IOError(EBADF)."""

    def __init__(self, sizehint=-1, flags=0):
        if not isinstance(sizehint, (int, long)) or not isinstance(flags, (int, long)):
            raise TypeError('an integer is required')
        if sizehint == -1:
            pass
        elif sizehint <= 0:
            raise ValueError('sizehint must be greater zero, got %d' % sizehint)
        if flags and flags != EPOLL_CLOEXEC:
            raise OSError(errno.EINVAL, 'Invalid argument')
        self._attach(_EpollSet())

    def _attach(self, epoll_set):
        """Make this object a handle on `epoll_set`."""
        self._set = epoll_set
        self._lock = epoll_set.lock
        self._registry = epoll_set.registry
        self._closed = False

    @classmethod
    def fromfd(cls, fd):
        """Another epoll object on the set numbered `fd` (the fileno() of an open epoll).
        IOError(EBADF) if nothing open has that number, IOError(EINVAL) if it is not an
        epoll (OS descriptors cannot be adopted on the JVM)."""
        number = file_number(fd)
        owner = fdtable.lookup(number)
        if owner is None or getattr(owner, 'closed', False) is True or \
                getattr(owner, '_closed', False) is True:
            raise IOError(errno.EBADF, 'Bad file descriptor')
        if not isinstance(owner, _EpollSet):
            raise _einval()
        handle = cls.__new__(cls)
        handle._attach(owner)
        return handle

    @property
    def closed(self):
        """True once close() was called on this object."""
        return self._closed

    def fileno(self):
        """The set's file number (from the same table as sockets' numbers)."""
        if self._closed:
            raise ValueError('I/O operation on closed epoll fd')
        return self._set.fileno

    def close(self):
        """Close the set: forget every registration and release the file number;
        idempotent."""
        if self._closed:
            return
        self._closed = True
        self._set.close()

    def __enter__(self):
        self._check_open()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _check_open(self):
        """ValueError if this object is closed, IOError(EBADF) if its set is."""
        if self._closed:
            raise ValueError('I/O operation on closed epoll fd')
        if self._set.closed:
            raise IOError(errno.EBADF, 'Bad file descriptor')

    def register(self, fd, eventmask=_DEFAULT):
        """Add `fd` with `eventmask` (EPOLLIN | EPOLLOUT | EPOLLPRI by default).

        IOError(EEXIST) if it is already registered, IOError(EBADF) if no open socket has
        that number, IOError(EINVAL) for a mask Linux refuses."""
        self._check_open()
        number = file_number(fd)
        eventmask = _event_mask_arg(eventmask)
        self._lock.lock()
        try:
            self._check_open()
            registry = self._registry
            state = self._open_state(number)
            if number in registry:
                raise IOError(errno.EEXIST, 'File exists')
            if eventmask & EPOLLEXCLUSIVE and eventmask & ~_EXCLUSIVE_OK:
                raise _einval()
            registry.add(number, state, eventmask)
        finally:
            self._lock.unlock()
        registry.waiter.wake()

    def modify(self, fd, eventmask):
        """Replace the mask of a registered `fd` and re-arm it; IOError(ENOENT) if unknown."""
        self._check_open()
        number = file_number(fd)
        eventmask = _event_mask_arg(eventmask)
        self._lock.lock()
        try:
            self._check_open()
            registry = self._registry
            self._open_state(number)
            entry = registry.entries.get(number)
            if entry is None:
                raise IOError(errno.ENOENT, 'No such file or directory')
            if eventmask & EPOLLEXCLUSIVE or entry.mask & EPOLLEXCLUSIVE:
                raise _einval()
            entry.mask = eventmask
            entry.armed = True
            registry.mark(number)
        finally:
            self._lock.unlock()
        registry.waiter.wake()

    def unregister(self, fd):
        """Remove `fd`; IOError(ENOENT) if it is not registered.  A number whose socket is
        already closed is silently accepted, as CPython ignores EBADF here."""
        self._check_open()
        number = file_number(fd)
        self._lock.lock()
        try:
            self._check_open()
            try:
                self._open_state(number)
            except IOError:
                if number in self._registry:
                    self._registry.remove(number)
                return
            if number not in self._registry:
                raise IOError(errno.ENOENT, 'No such file or directory')
            self._registry.remove(number)
        finally:
            self._lock.unlock()

    def _open_state(self, number):
        """The state of the open socket numbered `number` (lock held), as the kernel looks
        up a descriptor first: IOError(EBADF) if there is none.  A registration whose socket
        is closed for good is forgotten first (the kernel already would have)."""
        entry = self._registry.entries.get(number)
        if entry is not None and entry.state.phase == readiness.CLOSED:
            self._registry.remove(number)
        state = state_of(number)
        if state is None:
            raise IOError(errno.EBADF, 'Bad file descriptor')
        return state

    def poll(self, timeout=-1, maxevents=-1):
        """[(fd, events)] of up to `maxevents` ready registrations, waiting up to `timeout`
        seconds (negative: forever).  Ready sockets left over by `maxevents` come first in
        the next call, so none is starved.  Raises select.error(EINTR) if interrupted."""
        self._check_open()
        seconds = _timeout_arg(timeout)
        limit = _maxevents_arg(maxevents)
        deadline = deadline_after(seconds)
        registry = self._registry
        while True:
            self._lock.lock()
            try:
                self._check_open()
                seen = registry.take_changes()
                ready = self._collect(limit)
            finally:
                self._lock.unlock()
            if ready or seconds == 0 or expired(deadline):
                return ready
            registry.waiter.wait(seen, deadline)

    def _collect(self, limit):
        """Test candidates until `limit` events are found (lock held)."""
        registry = self._registry
        ready = []
        again = []
        while len(ready) < limit:
            item = registry.next_candidate()
            if item is None:
                break
            number, entry = item
            if not entry.armed:
                continue
            state = entry.state
            mask = state.poll_mask()
            if mask & readiness.POLLNVAL:
                registry.remove(number)
                continue
            events = int(mask & (entry.mask | _ALWAYS))
            if not events:
                continue
            ready.append((number, events))
            if entry.mask & EPOLLONESHOT:
                entry.armed = False
            elif not entry.mask & EPOLLET:
                again.append(number)
        for number in again:
            registry.mark(number)
        return ready

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
