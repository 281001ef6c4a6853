"""Readiness, defined once: poll(2) event masks computed from a socket's own state.

Pure Python, no Java: `select`, `poll` and `epoll` all ask `poll_mask(state)` and read the
bits they care about, and the rules are unit-testable without a network.  They follow what
Linux's tcp_poll reports, so level-triggered results match CPython on Linux:

- a listening socket is readable while its accept queue is non-empty;
- a connecting socket reports nothing until the connect finishes or fails;
- a socket that is not connected (new, bound, failed connect) reports POLLOUT | POLLHUP;
- received data, EOF (FIN, SHUT_RD, reset) make it readable, and EOF stays readable;
- it is writable while its channel is below the high-water mark, or after SHUT_WR;
- a pending error (SO_ERROR) is POLLERR; both directions shut down is POLLHUP;
- a closed socket is POLLNVAL.

`state` is any object with the attributes read below (see channelstate.StreamState).
"""

POLLIN = 0x001
POLLPRI = 0x002
POLLOUT = 0x004
POLLERR = 0x008
POLLHUP = 0x010
POLLNVAL = 0x020
POLLRDNORM = 0x040
POLLRDBAND = 0x080
POLLWRNORM = 0x100
POLLWRBAND = 0x200
POLLMSG = 0x400
POLLRDHUP = 0x2000

NEW, CONNECTING, CONNECTED, LISTENING, CLOSED = 'new', 'connecting', 'connected', 'listening', 'closed'

_READ = POLLIN | POLLRDNORM
_WRITE = POLLOUT | POLLWRNORM
SELECT_READ = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR
SELECT_WRITE = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR
SELECT_EXCEPT = POLLPRI


def poll_mask(state):
    """The poll(2) events that are true of `state` right now."""
    if getattr(state, 'kind', None) == 'datagram':  # issue 7: datagram sockets
        return datagram_poll_mask(state)
    phase = state.phase
    if phase == CLOSED:
        return POLLNVAL
    mask = POLLERR if state.error else 0
    if phase == LISTENING:
        return mask | (_READ if state.accept_pending else 0)
    if phase == CONNECTING:
        return mask
    # --- TLS (ssl; see tlssocket): a finished or failed handshake that no call has reported
    # yet makes do_handshake() worth calling again, so it counts as readable and writable.
    if getattr(state, 'tls_unreported', False):
        mask |= _READ | _WRITE
    # --- end TLS
    if state.input_shutdown:
        mask |= _READ | POLLRDHUP
    if state.buffered:
        mask |= _READ
    if phase == NEW or (state.input_shutdown and state.output_shutdown):
        mask |= POLLHUP
    if phase == NEW or state.output_shutdown or state.channel_writable:
        mask |= _WRITE
    return mask


def datagram_poll_mask(state):
    """As Linux's udp_poll: readable while a datagram (even an empty one) is queued, after
    SHUT_RD (although recv then still waits for a datagram) or with a pending error; always
    writable; POLLHUP once both directions are shut down (never for merely unconnected
    sockets, unlike TCP)."""
    if state.phase == CLOSED:
        return POLLNVAL
    mask = _WRITE | (POLLERR if state.error else 0)
    if state.queue:
        mask |= _READ
    if state.input_shutdown:
        mask |= _READ | POLLRDHUP
        if state.output_shutdown:
            mask |= POLLHUP
    return mask


# The predicates select() and callers ask: what select's three sets and poll's
# POLLHUP/POLLERR mean for `state` (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET).

def readable(state):
    """select() lists it as readable (data, EOF, a pending connection, an error, hang-up)."""
    return bool(poll_mask(state) & SELECT_READ)


def writable(state):
    """select() lists it as writable (room to send, or a send would fail at once)."""
    return bool(poll_mask(state) & SELECT_WRITE)


def exceptional(state):
    """select() lists it as exceptional (urgent data: never, on the JVM)."""
    return bool(poll_mask(state) & SELECT_EXCEPT)


def hung_up(state):
    """poll() reports POLLHUP (never connected, or both directions shut down)."""
    return bool(poll_mask(state) & POLLHUP)


def in_error(state):
    """poll() reports POLLERR (a pending SO_ERROR)."""
    return bool(poll_mask(state) & POLLERR)
