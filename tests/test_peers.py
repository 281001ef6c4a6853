"""The CPython 3 peers (tests/harness/peers.py) behave as documented, seen from CPython 3."""

import errno
import hashlib
import socket
import threading

import pytest

from harness import peers as peers_mod

TIMEOUT = 10.0


def connect(addr):
    return socket.create_connection(addr, timeout=TIMEOUT)


def recv_all(sock):
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def test_environment_names_every_peer(jns_peers):
    env = jns_peers.env()
    assert sorted(env) == sorted(peers_mod.ENV_NAMES)
    for name, value in env.items():
        if name.startswith("JNS_PEER_UNIX_") or name == "JNS_PEER_UDP_ECHO6":
            continue    # "::1:PORT", AF_UNIX paths and abstract names: see test_dgram_peers.py
        if name not in ("JNS_PEER_GREETING", "JNS_PEER_TLS_DIR", "JNS_PEER_TLS_PASSWORD"):
            host, port = value.rsplit(":", 1)
            assert host == "127.0.0.1" and 0 < int(port) < 65536
    assert bytes.fromhex(env["JNS_PEER_GREETING"]) == peers_mod.GREETING


def test_echo(jns_peers):
    data = peers_mod.pattern(1000000)
    with connect(jns_peers.echo) as s:
        t = threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
        t.start()
        assert recv_all(s) == data
        t.join()


def test_greeter(jns_peers):
    with connect(jns_peers.greeter) as s:
        assert recv_all(s) == peers_mod.GREETING
        assert s.recv(10) == b""


def test_halfclose_counts(jns_peers):
    with connect(jns_peers.halfclose) as s:
        s.sendall(b"x" * 12345)
        s.shutdown(socket.SHUT_WR)
        assert recv_all(s) == b"12345"


def test_halfclose_waits_for_fin(jns_peers):
    with connect(jns_peers.halfclose) as s:
        s.sendall(b"abc")
        s.settimeout(0.3)
        with pytest.raises(socket.timeout):
            s.recv(10)


def test_rst(jns_peers):
    with connect(jns_peers.rst) as s:
        s.sendall(b"hi")
        with pytest.raises(ConnectionResetError) as info:
            s.recv(10)
        assert info.value.errno == errno.ECONNRESET


def test_closed_port_refuses(jns_peers):
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(jns_peers.closed, timeout=TIMEOUT)


def test_slow_reader_blocks_then_drains(jns_peers):
    with connect(jns_peers.slow) as s:
        s.setblocking(False)
        total = 0
        chunk = b"\x01" * 65536
        while True:
            try:
                total += s.send(chunk)
            except BlockingIOError:
                break
            assert total < 256 * 1024 * 1024
        s.setblocking(True)
        s.settimeout(TIMEOUT)
        result = {}
        t = threading.Thread(target=lambda: result.setdefault(
            "answer", peers_mod.slow_drain(jns_peers, s.getsockname()[1])))
        t.start()
        extra = b"\x01" * 1000
        s.sendall(extra)            # completes once the peer reads
        s.shutdown(socket.SHUT_WR)
        t.join(TIMEOUT)
        total += len(extra)
        assert result["answer"] == "%d %s" % (total, hashlib.sha256(b"\x01" * total).hexdigest())


def test_slow_drain_unknown_port(jns_peers):
    assert peers_mod.slow_drain(jns_peers, 1) == "ERR unknown"


def test_dialer_connects_sends_pattern_and_reports(jns_peers):
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.settimeout(TIMEOUT)
        result = {}
        t = threading.Thread(target=lambda: result.setdefault(
            "answer", peers_mod.dial(jns_peers, "127.0.0.1", srv.getsockname()[1], 70000)))
        t.start()
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            assert recv_all(conn) == peers_mod.pattern(70000)
            conn.sendall(b"reply")
        t.join(TIMEOUT)
    assert result["answer"] == "5 %s" % hashlib.sha256(b"reply").hexdigest()


def test_dialer_reports_connect_failure(jns_peers):
    answer = peers_mod.dial(jns_peers, "127.0.0.1", jns_peers.closed[1], 10)
    assert answer.startswith("ERR connect")


def test_dialer_refuses_non_loopback_targets(jns_peers):
    assert peers_mod.dial(jns_peers, "not-loopback.invalid", 80, 10) == "ERR refused request"


def test_pattern():
    assert peers_mod.pattern(0) == b""
    assert peers_mod.pattern(3) == b"\x00\x01\x02"
    p = peers_mod.pattern(600)
    assert len(p) == 600 and p[251] == 0 and p[599] == 599 % 251
