"""Small non-negative file numbers for sockets.

The JVM has no file descriptors to hand out, but `selectors`, urllib3 and requests insist
that `fileno()` is a non-negative int.  Each open socket object takes the lowest free number
(from 3 up, as a process's first sockets would on Linux) and gives it back when closed.
The table holds sockets weakly, so a socket that is dropped without `close()` frees its
number when it is garbage-collected.
"""
import threading
import weakref

from java.util import PriorityQueue

_FIRST = 3

_lock = threading.Lock()
_by_number = {}
_free = PriorityQueue()   # released numbers, lowest first (issue 6: a quarter of heapq's cost)
_next = [_FIRST]


class _Entry(weakref.ref):
    """The table's weak reference to an owner, carrying its number for `_collected`
    (issue 6: one module-level callback instead of a closure per socket)."""
    __slots__ = ('number',)


def allocate(owner):
    """Register `owner` and return its new file number."""
    entry = _Entry(owner, _collected)
    with _lock:
        number = _free.poll()
        if number is None:
            number = _next[0]
            _next[0] = number + 1
        entry.number = number
        _by_number[number] = entry
    return number


def transfer(number, new_owner):
    """Hand `number` over to `new_owner` (ssl.wrap_socket keeps the wrapped socket's number,
    as CPython's SSLSocket shares its descriptor); the old owner no longer frees it."""
    entry = _Entry(new_owner, _collected)
    entry.number = number
    with _lock:
        _by_number[number] = entry


def _collected(entry):
    # frees the number only if `entry` still holds it (not after a transfer or release)
    with _lock:
        number = entry.number
        if _by_number.get(number) is entry:
            del _by_number[number]
            _free.add(number)


def release(number):
    """Give `number` back (idempotent)."""
    with _lock:
        if _by_number.pop(number, None) is not None:
            _free.add(number)


def lookup(number):
    """The live socket registered under `number`, or None."""
    ref = _by_number.get(number)
    return ref() if ref is not None else None
