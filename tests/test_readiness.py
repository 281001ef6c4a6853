"""Unit tests of the readiness rules (Lib/_socketcore/readiness.py), without a network.

readiness.py is pure Python with no Java import, so CPython 3 loads it directly.
"""
import importlib.util
import pathlib

import pytest

_PATH = pathlib.Path(__file__).resolve().parent.parent / 'Lib' / '_socketcore' / 'readiness.py'
_spec = importlib.util.spec_from_file_location('readiness', _PATH)
r = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(r)


class State:
    def __init__(self, phase, **fields):
        self.phase = phase
        self.error = 0
        self.accept_pending = 0
        self.input_shutdown = False
        self.output_shutdown = False
        self.buffered = 0
        self.channel_writable = True
        self.__dict__.update(fields)


def test_closed_socket_is_invalid_and_nothing_else():
    assert r.poll_mask(State(r.CLOSED, buffered=10, error=104)) == r.POLLNVAL


def test_new_socket_is_writable_and_hung_up_like_linux():
    mask = r.poll_mask(State(r.NEW))
    assert mask & r.POLLOUT and mask & r.POLLHUP and not mask & r.POLLIN
    # select() counts POLLHUP as readable, as Linux does for an unconnected socket
    assert r.readable(State(r.NEW)) and r.writable(State(r.NEW))


def test_listening_socket_is_readable_only_with_a_pending_connection():
    assert r.poll_mask(State(r.LISTENING)) == 0
    assert r.poll_mask(State(r.LISTENING, accept_pending=1)) & r.POLLIN
    assert not r.writable(State(r.LISTENING, accept_pending=1))


def test_connecting_socket_reports_nothing_until_it_fails():
    assert r.poll_mask(State(r.CONNECTING, channel_writable=True)) == 0
    assert r.poll_mask(State(r.CONNECTING, error=111)) == r.POLLERR


def test_failed_connect_is_readable_writable_and_in_error():
    failed = State(r.NEW, error=111, input_shutdown=True)
    mask = r.poll_mask(failed)
    assert mask & r.POLLERR and mask & r.POLLOUT and mask & r.POLLIN and mask & r.POLLHUP


@pytest.mark.parametrize('buffered,eof,expected', [
    (0, False, False), (1, False, True), (0, True, True), (5, True, True)])
def test_connected_readable_with_data_or_eof(buffered, eof, expected):
    state = State(r.CONNECTED, buffered=buffered, input_shutdown=eof)
    assert r.readable(state) is expected


def test_eof_stays_readable_and_sets_rdhup_but_not_hup_while_we_can_still_send():
    state = State(r.CONNECTED, input_shutdown=True)
    mask = r.poll_mask(state)
    assert mask & r.POLLRDHUP and not mask & r.POLLHUP and mask & r.POLLOUT


def test_both_directions_shut_is_hangup():
    state = State(r.CONNECTED, input_shutdown=True, output_shutdown=True)
    assert r.poll_mask(state) & r.POLLHUP


def test_writable_follows_the_channel_high_water_mark():
    assert not r.writable(State(r.CONNECTED, channel_writable=False))
    assert r.writable(State(r.CONNECTED, channel_writable=True))
    # after SHUT_WR a send fails at once (EPIPE), so the socket counts as writable
    assert r.writable(State(r.CONNECTED, channel_writable=False, output_shutdown=True))


def test_pending_error_is_readable_and_writable_for_select():
    state = State(r.CONNECTED, channel_writable=False, error=104)
    assert r.readable(state) and r.writable(state) and not r.exceptional(state)


# ---------------------------------------------------------------------------- the full table
# Each stream state x each predicate, with the exact poll(2) mask Linux's tcp_poll gives in
# the same situation (the jy_poll_states module checks the same masks over real sockets,
# on the CPython 2.7 oracle as on ours).

IN = r.POLLIN | r.POLLRDNORM
OUT = r.POLLOUT | r.POLLWRNORM
EOF_BITS = IN | r.POLLRDHUP

TABLE = [
    # name, state, mask, readable, writable, exceptional, hung_up, in_error
    ('new', State(r.NEW), OUT | r.POLLHUP, True, True, False, True, False),
    ('connecting', State(r.CONNECTING), 0, False, False, False, False, False),
    ('connecting, error', State(r.CONNECTING, error=111), r.POLLERR,
     True, True, False, False, True),
    ('connect failed', State(r.NEW, error=111, input_shutdown=True),
     r.POLLERR | EOF_BITS | OUT | r.POLLHUP, True, True, False, True, True),
    ('connect failed, error read', State(r.NEW, input_shutdown=True),
     EOF_BITS | OUT | r.POLLHUP, True, True, False, True, False),
    ('listening', State(r.LISTENING), 0, False, False, False, False, False),
    ('listening, pending', State(r.LISTENING, accept_pending=2), IN,
     True, False, False, False, False),
    ('connected', State(r.CONNECTED), OUT, False, True, False, False, False),
    ('connected, unwritable', State(r.CONNECTED, channel_writable=False), 0,
     False, False, False, False, False),
    ('data', State(r.CONNECTED, buffered=3), IN | OUT, True, True, False, False, False),
    ('data, unwritable', State(r.CONNECTED, buffered=3, channel_writable=False), IN,
     True, False, False, False, False),
    ('eof', State(r.CONNECTED, input_shutdown=True), EOF_BITS | OUT,
     True, True, False, False, False),
    ('eof with data', State(r.CONNECTED, input_shutdown=True, buffered=9), EOF_BITS | OUT,
     True, True, False, False, False),
    ('shut wr', State(r.CONNECTED, output_shutdown=True, channel_writable=False), OUT,
     False, True, False, False, False),
    ('shut both', State(r.CONNECTED, input_shutdown=True, output_shutdown=True),
     EOF_BITS | OUT | r.POLLHUP, True, True, False, True, False),
    ('reset', State(r.CONNECTED, error=104, input_shutdown=True, output_shutdown=True,
                    channel_writable=False),
     r.POLLERR | EOF_BITS | OUT | r.POLLHUP, True, True, False, True, True),
    ('error pending', State(r.CONNECTED, error=32, channel_writable=False), r.POLLERR,
     True, True, False, False, True),
    ('closed', State(r.CLOSED), r.POLLNVAL, False, False, False, False, False),
    ('closed with leftovers', State(r.CLOSED, buffered=5, error=104, input_shutdown=True),
     r.POLLNVAL, False, False, False, False, False),
]


@pytest.mark.parametrize('name,state,mask,readable,writable,exceptional,hung_up,in_error',
                         TABLE, ids=[row[0] for row in TABLE])
def test_readiness_table(name, state, mask, readable, writable, exceptional, hung_up,
                         in_error):
    assert r.poll_mask(state) == mask, '%s: %#x != %#x' % (name, r.poll_mask(state), mask)
    assert r.readable(state) is readable
    assert r.writable(state) is writable
    assert r.exceptional(state) is exceptional
    assert r.hung_up(state) is hung_up
    assert r.in_error(state) is in_error


def test_select_sets_are_linux_sets():
    # fs/select.c: POLLIN_SET, POLLOUT_SET, POLLEX_SET
    assert r.SELECT_READ == r.POLLRDNORM | r.POLLRDBAND | r.POLLIN | r.POLLHUP | r.POLLERR
    assert r.SELECT_WRITE == r.POLLWRBAND | r.POLLWRNORM | r.POLLOUT | r.POLLERR
    assert r.SELECT_EXCEPT == r.POLLPRI


def test_poll_constants_have_linux_values():
    assert (r.POLLIN, r.POLLPRI, r.POLLOUT, r.POLLERR, r.POLLHUP, r.POLLNVAL) == \
        (1, 2, 4, 8, 16, 32)
    assert (r.POLLRDNORM, r.POLLRDBAND, r.POLLWRNORM, r.POLLWRBAND, r.POLLMSG, r.POLLRDHUP) == \
        (0x40, 0x80, 0x100, 0x200, 0x400, 0x2000)
