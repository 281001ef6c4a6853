"""`select.select`'s fast path for event loops that pass the same lists call after call.

Each thread remembers the lists of its last call (a snapshot: tuples of the caller's
objects).  When the next call passes equal lists again, a `Registration` is built: it puts
one watcher on every socket of the lists and keeps it there between calls, so that a call
re-tests only the sockets that had an edge since the previous call plus those that were
ready then (levels persist until the user acts) -- the same rule as poll's `Registry`.
Each following call with equal lists costs a comparison of the lists (a JVM-level loop),
one pass over the sockets to see that none was closed, and the work on the candidates.

Correctness, as for poll: every way a socket's readiness can grow goes through an edge
(see channelstate), and an edge is recorded by the registration's waiter from the moment
the watcher is on the socket; the first call tests every socket after the watchers are
on, and each call drains the recorded edges *before* testing, so no wake-up is missed.

Lifetime: a thread holds at most one registration (and one snapshot); calling with other
lists drops the old registration's watchers at once.  The watcher on each socket refers
to the registration's waiter weakly, so a registration lost with its thread takes itself
off each socket at that socket's next edge; closed sockets are dropped with their state.

Only lists and tuples of ints and our own socket objects (whose equality is identity) are
remembered; anything else (objects with a fileno() method, which may answer differently
next time) always takes the general path.
"""
import threading
import weakref

from _socketcore import tcp
from _socketcore.channelstate import REF_CHANGES, StreamState
from _socketcore.selection import catch_up, deadline_after, expired, socket_for

_GROUPS = (0, 1, 2)
_local = threading.local()
_plain_types = {}    # type -> True if its instances compare by identity


def snapshot(rlist, wlist, xlist):
    """The three arguments as tuples, or None if one of them is not a list or tuple."""
    keys = []
    for objects in (rlist, wlist, xlist):
        kind = type(objects)
        if kind is list:
            keys.append(tuple(objects))
        elif kind is tuple:
            keys.append(objects)
        else:
            return None
    return tuple(keys)


def select(keys, bits, timeout):
    """select() over the snapshot `keys` (see `snapshot`) through this thread's
    registration; None when the general path must answer (lists not seen twice in a row,
    not cacheable, or a socket of the lists closed).  `bits` are the readiness bits of
    the three groups; `timeout` is checked seconds or None."""
    record = getattr(_local, 'record', None)
    if record is not None:
        if _same(keys, record.keys):
            result = record.select(keys, timeout)
            if result is not None:
                return result
            # a socket of the lists was closed: the general path answers; the lists
            # (perhaps ints now naming new sockets) are registered afresh next time
            forget()
            _local.pending = keys
            return None
        _local.record = None
        record.close()
    if keys is None:
        _local.pending = None
        return None
    pending = getattr(_local, 'pending', None)
    if pending is None or not _same(keys, pending):
        _local.pending = keys
        return None
    _local.pending = None
    if not _cacheable(keys):
        return None
    record = Registration(keys, bits)   # resolves every object: EBADF as the general path
    _local.record = record
    return record.select(keys, timeout)


def _same(keys, other):
    """True if two snapshots hold equal objects.  Identical objects compare without a
    call; others may run an object's own __eq__, whose failure only means "not the same"."""
    try:
        return keys == other
    except Exception:
        return False


def forget():
    """Drop this thread's registration and snapshot (their watchers come off at once)."""
    record = getattr(_local, 'record', None)
    _local.record = _local.pending = None
    if record is not None:
        record.close()


def _cacheable(keys):
    """True if every object is an int/long or one of our sockets compared by identity."""
    for group in keys:
        for obj in group:
            kind = type(obj)
            if kind is int or kind is long:
                continue
            plain = _plain_types.get(kind)
            if plain is None:
                plain = _plain_types[kind] = _compares_by_identity(kind)
            if not plain:
                return False
    return True


def _compares_by_identity(kind):
    """True for our socket classes that define no equality of their own."""
    if not issubclass(kind, tcp.socket):
        return False
    for klass in kind.__mro__:
        if klass is object:
            continue
        if '__eq__' in vars(klass) or '__cmp__' in vars(klass) or '__ne__' in vars(klass):
            return False
    return True


class _WeakWake(object):
    """The watcher a registration puts on a socket: forwards edges to the registration's
    waiter while it lives, and takes itself off the socket once it is gone."""
    __slots__ = ('target', '__weakref__')

    def __init__(self, waiter):
        self.target = weakref.ref(waiter)

    def wake(self, state=None):
        waiter = self.target()
        if waiter is not None:
            waiter.wake(state)
        elif state is not None:
            state.remove_watcher(self)


class Registration(object):
    """The sockets of one thread's select lists, watched between calls.

    Each watched state has one entry, (state, bits wanted, ((group, index, bits), ...)):
    the positions in the lists where it appears.  `ready` holds the entries found ready by
    the last call, `entries` maps a state to its entry."""

    def __init__(self, keys, bits):
        # here, not at the top: polling imports selection, which imports this module
        from _socketcore.polling import ChangeWaiter
        self.keys = keys
        self.waiter = ChangeWaiter()
        self.watcher = _WeakWake(self.waiter)
        self.ref_changes = REF_CHANGES.get()   # before any object is checked (socket_for)
        positions = {}          # state -> [(group, index, bits)]
        wanted = {}             # state -> bits of all its positions
        sockets = {}            # id -> socket object, to check for close
        for group in _GROUPS:
            group_bits = bits[group]
            for index, obj in enumerate(keys[group]):
                sock = socket_for(obj)
                sockets[id(sock)] = sock
                state = sock._state
                positions.setdefault(state, []).append((group, index, group_bits))
                wanted[state] = wanted.get(state, 0) | group_bits
        self.entries = dict((state, (state, wanted[state], tuple(positions[state])))
                            for state in positions)
        self.sockets = tuple(sockets.values())
        # states without the REF_CHANGES hook (datagram sockets): checked on every call
        self.unhooked = tuple(sock for sock in self.sockets
                              if not isinstance(sock._state, StreamState))
        self.watched = []
        for state in self.entries:
            state.add_watcher(self.watcher)
            self.watched.append(state)
        # the first call tests every socket (all watched by now)
        self.ready = self.entries.values()

    def close(self):
        """Take the watcher off every socket."""
        watched, self.watched = self.watched, []
        for state in watched:
            state.remove_watcher(self.watcher)

    def select(self, keys, timeout):
        """(readable, writable, exceptional) lists of the objects in `keys` (equal to the
        registered snapshot), waiting up to `timeout`; None if a socket was closed."""
        if not self._all_open():
            return None
        deadline = deadline_after(timeout) if timeout != 0.0 else None
        waiter = self.waiter
        caught_up = False
        try:
            while True:
                changed, seen = waiter.drain()
                ready = self._test(self._candidates(changed) if changed else self.ready)
                if not ready and timeout == 0.0 and not caught_up:
                    caught_up = True
                    if catch_up(self.entries):
                        continue     # what the event loops read now shows as changes
                if ready or timeout == 0.0 or expired(deadline):
                    return self._result(keys, ready)
                waiter.wait(seen, deadline)
        except:
            # drained edges may not have been tested: start afresh next time
            forget()
            raise

    def _all_open(self):
        """False if a socket object of the lists was closed.  A close that leaves no other
        object on the state is an edge too; one that does moves only REF_CHANGES, so
        every object is looked at only after that has moved."""
        moved = REF_CHANGES.get()
        if moved != self.ref_changes:
            if [sock for sock in self.sockets if sock._closed]:
                return False
            self.ref_changes = moved
        elif self.unhooked and [sock for sock in self.unhooked if sock._closed]:
            return False
        return True

    def _candidates(self, changed):
        """The entries of the `changed` states plus those ready last time, once each."""
        entries = self.entries
        candidates = [entries[state] for state in changed if state in entries]
        for entry in self.ready:
            if entry[0] not in changed:
                candidates.append(entry)
        return candidates

    def _test(self, candidates):
        """[(entry, mask)] of the candidates ready for what their positions ask; their
        entries become next call's `ready`."""
        ready = []
        for entry in candidates:
            mask = entry[0].poll_mask()
            if mask & entry[1]:
                ready.append((entry, mask))
        self.ready = [entry for entry, _ in ready]
        return ready

    def _result(self, keys, ready):
        """The caller's objects at the ready positions, in list order."""
        found = ([], [], [])
        for entry, mask in ready:
            for group, index, bits in entry[2]:
                if mask & bits:
                    found[group].append(index)
        result = []
        for group in _GROUPS:
            indexes = found[group]
            if not indexes:
                result.append([])
                continue
            if len(indexes) > 1:
                indexes.sort()
            objects = keys[group]
            result.append([objects[index] for index in indexes])
        return tuple(result)
