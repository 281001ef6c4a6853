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
