"""The UDP and AF_UNIX peers (tests/harness/dgram_peers.py) do what their docstring says."""

import hashlib
import os
import socket
import stat

from harness import dgram_peers


def _udp(family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(10)
    return s


def test_env_values(jns_peers):
    env = jns_peers.env()
    host, port = env["JNS_PEER_UDP_ECHO6"].rsplit(":", 1)
    assert env["JNS_PEER_UDP_ECHO6"] == "unavailable" or (host == "::1" and 0 < int(port) < 65536)
    assert stat.S_ISSOCK(os.stat(env["JNS_PEER_UNIX_ECHO"]).st_mode)


def test_udp_echo_keeps_datagrams(jns_peers):
    with _udp() as s:
        for payload in (b"one", b"", b"x" * 65507):
            s.sendto(payload, jns_peers.dgram.udp_echo)
            data, sender = s.recvfrom(65536)
            assert (data, sender) == (payload, jns_peers.dgram.udp_echo)


def test_udp_echo6(jns_peers):
    if jns_peers.dgram.udp_echo6 is None:
        return
    with _udp(socket.AF_INET6) as s:
        s.sendto(b"six", jns_peers.dgram.udp_echo6)
        assert s.recvfrom(100)[0] == b"six"


def test_udp_burst(jns_peers):
    with _udp() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.sendto(b"BURST 5 100", jns_peers.dgram.udp_burst)
        got = [s.recv(1000) for _ in range(5)]
        body = dgram_peers.pattern(92)
        assert got == [b"%08d" % i + body for i in range(5)]
        s.sendto(b"nonsense", jns_peers.dgram.udp_burst)
        assert s.recv(100) == b"ERR"


def test_unix_echo(jns_peers):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(jns_peers.dgram.unix_echo)
        s.sendall(b"hello unix")
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
        assert data == b"hello unix"


def test_unix_dialer(jns_peers, tmp_path):
    path = str(tmp_path / "srv.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv, \
            socket.create_connection(jns_peers.dgram.unix_dialer, timeout=10) as ctl:
        srv.bind(path)
        srv.listen(1)
        srv.settimeout(10)
        ctl.sendall(("%s %d\n" % (path, 1000)).encode())
        conn, _ = srv.accept()
        with conn:
            data = b""
            while len(data) < 1000:
                data += conn.recv(4096)
            assert data == dgram_peers.pattern(1000)
            conn.sendall(b"back")
            conn.shutdown(socket.SHUT_WR)
            answer = ctl.makefile().readline().strip()
        assert answer == "4 %s" % hashlib.sha256(b"back").hexdigest()
