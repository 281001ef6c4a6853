"""Small non-negative file numbers for sockets.

The JVM has no file descriptors to hand out, but `selectors`, urllib3 and requests insist
that `fileno()` is a non-negative int.  Each open socket object takes the lowest free number
(from 3 up, as a process's first sockets would on Linux) and gives it back when closed.
The table holds sockets weakly, so a socket that is dropped without `close()` frees its
number when it is garbage-collected.
"""
import heapq
import threading
import weakref

_FIRST = 3

_lock = threading.Lock()
_by_number = {}
_free = []
_next = [_FIRST]


def allocate(owner):
    """Register `owner` and return its new file number."""
    with _lock:
        number = heapq.heappop(_free) if _free else _take_next()
        _by_number[number] = _ref_for(owner, number)
        return number


def transfer(number, new_owner):
    """Hand `number` over to `new_owner` (ssl.wrap_socket keeps the wrapped socket's number,
    as CPython's SSLSocket shares its descriptor); the old owner no longer frees it."""
    with _lock:
        _by_number[number] = _ref_for(new_owner, number)


def _ref_for(owner, number):
    def collected(ref):
        # frees the number only if `ref` still holds it (not after a transfer)
        with _lock:
            if _by_number.get(number) is ref:
                del _by_number[number]
                heapq.heappush(_free, number)
    return weakref.ref(owner, collected)


def _take_next():
    number = _next[0]
    _next[0] += 1
    return number


def release(number):
    """Give `number` back (idempotent)."""
    with _lock:
        if _by_number.pop(number, None) is not None:
            heapq.heappush(_free, number)


def lookup(number):
    """The live socket registered under `number`, or None."""
    ref = _by_number.get(number)
    return ref() if ref is not None else None
