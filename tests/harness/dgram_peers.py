"""CPython 3 datagram and local-socket peers (UDP echo and burst, AF_UNIX echo and dialer).

Started with the other peers (``peers.Peers.env()``) and run as daemon threads in the pytest
process.  Environment variables (``HOST:PORT`` unless said otherwise):

``JNS_PEER_UDP_ECHO``
    UDP echo on 127.0.0.1: every datagram (empty ones included) is sent back unchanged to
    its sender, one datagram for one datagram.
``JNS_PEER_UDP_ECHO6``
    The same on ``::1`` (value ``::1:PORT``; ``unavailable`` when the host has no IPv6).
``JNS_PEER_UDP_BURST``
    On the datagram ``BURST <count> <size>``, sends ``count`` datagrams of ``size`` bytes
    (at least 8) back to the sender as fast as it can, without waiting for anything.
    Datagram i is ``b"%08d" % i`` followed by ``pattern(size - 8)``.  Bad requests get
    ``ERR``.
``JNS_PEER_UNIX_ECHO``
    A filesystem path: an AF_UNIX stream echo server (echoes until EOF, then closes).
``JNS_PEER_UNIX_DIALER``
    TCP control port on 127.0.0.1.  The test sends one line ``<path> <nbytes>\\n``; the
    dialer connects to the AF_UNIX stream socket at ``<path>`` (``@name``: the Linux
    abstract name ``\\0name``), sends ``pattern(nbytes)``, shuts down writing, reads until
    EOF and answers ``<count> <sha256 hex>\\n`` of what it read (``ERR <text>\\n`` on
    failure), then closes.
``JNS_PEER_UNIX_ABSTRACT_ECHO``
    The AF_UNIX stream echo server on a Linux abstract name; the value is the name without
    its leading NUL byte (an environment variable cannot hold one).
``JNS_PEER_UNIX_DGRAM_ECHO``
    A filesystem path: an AF_UNIX datagram echo.  Every datagram (empty ones included, up
    to 256 KiB) goes back unchanged to its sender; datagrams from unnamed senders are
    dropped (there is nowhere to send them).
``JNS_PEER_UNIX_DGRAM_ECHO_ABSTRACT``
    The same datagram echo on an abstract name (value without the leading NUL byte).
"""

import hashlib
import os
import shutil
import socket
import tempfile
import threading

from .peers import _read_line

ENV_NAMES = ("JNS_PEER_UDP_ECHO", "JNS_PEER_UDP_ECHO6", "JNS_PEER_UDP_BURST",
             "JNS_PEER_UNIX_ECHO", "JNS_PEER_UNIX_DIALER", "JNS_PEER_UNIX_ABSTRACT_ECHO",
             "JNS_PEER_UNIX_DGRAM_ECHO", "JNS_PEER_UNIX_DGRAM_ECHO_ABSTRACT")

IO_TIMEOUT = 60.0
_POLL = 0.2          # how often datagram loops look at the stop flag
MAX_BURST = 100000


def pattern(n):
    block = bytes(range(251))
    reps, rest = divmod(n, 251)
    return block * reps + block[:rest]


def _close_quietly(sock):
    try:
        sock.close()
    except OSError:
        pass


class _DatagramPeer(object):
    """A UDP socket served by one daemon thread; ``handle(data, sender)`` per datagram."""

    name = "udp"

    def __init__(self, family=socket.AF_INET, host="127.0.0.1"):
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(_POLL)
        self.address = self.sock.getsockname()[:2]
        self.errors = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="peer-" + self.name, daemon=True)
        self._thread.start()

    def env_value(self):
        return "%s:%d" % self.address

    def _loop(self):
        while not self._stopped.is_set():
            try:
                data, sender = self._receive()
            except socket.timeout:
                continue
            except OSError as exc:
                if not self._stopped.is_set():
                    self.errors.append("%s: %r" % (self.name, exc))
                return
            try:
                self.handle(data, sender)
            except OSError as exc:
                # the client may be gone already (ICMP errors surface here); keep serving
                self.errors.append("%s %r: %r" % (self.name, sender, exc))

    def _receive(self):
        return self.sock.recvfrom(65536)

    def stop(self):
        self._stopped.set()
        _close_quietly(self.sock)


class UdpEcho(_DatagramPeer):
    name = "udp-echo"

    def handle(self, data, sender):
        self.sock.sendto(data, sender)


class UnixDgramEcho(_DatagramPeer):
    """AF_UNIX datagram echo on a path or (name starting with NUL) an abstract name."""

    name = "unix-dgram-echo"
    BUFSIZE = 256 * 1024

    def __init__(self, name):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(name)
        self.sock.settimeout(_POLL)
        self.address = name
        self.errors = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="peer-" + self.name, daemon=True)
        self._thread.start()

    def _receive(self):
        return self.sock.recvfrom(self.BUFSIZE)

    def handle(self, data, sender):
        if sender:
            self.sock.sendto(data, sender)


class UdpBurst(_DatagramPeer):
    name = "udp-burst"

    def handle(self, data, sender):
        words = data.split()
        try:
            if len(words) != 3 or words[0] != b"BURST":
                raise ValueError(data)
            count, size = int(words[1]), int(words[2])
            if not (0 < count <= MAX_BURST and 8 <= size <= 65507):
                raise ValueError(data)
        except ValueError:
            self.sock.sendto(b"ERR", sender)
            return
        body = pattern(size - 8)
        for i in range(count):
            self.sock.sendto(b"%08d" % i + body, sender)


class _StreamServer(object):
    """A listening stream socket with an accept thread; ``handle(conn)`` per connection."""

    name = "stream"

    def __init__(self, sock):
        self.sock = sock
        self.sock.listen(64)
        self.sock.settimeout(_POLL)
        self.errors = []
        self._stopped = threading.Event()
        threading.Thread(target=self._accept_loop, name="peer-" + self.name, daemon=True).start()

    def _accept_loop(self):
        while not self._stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(IO_TIMEOUT)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            self.handle(conn)
        except (OSError, ValueError) as exc:
            self.errors.append("%s: %r" % (self.name, exc))
        finally:
            _close_quietly(conn)

    def stop(self):
        self._stopped.set()
        _close_quietly(self.sock)


class UnixEcho(_StreamServer):
    name = "unix-echo"

    def __init__(self, path):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        self.path = path
        _StreamServer.__init__(self, sock)

    def handle(self, conn):
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)


class UnixDialer(_StreamServer):
    name = "unix-dialer"

    def __init__(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.address = sock.getsockname()
        _StreamServer.__init__(self, sock)

    def handle(self, conn):
        words = _read_line(conn).rsplit(" ", 1)
        try:
            path, nbytes = words[0], int(words[1])
        except (IndexError, ValueError):
            conn.sendall(b"ERR bad request\n")
            return
        if path.startswith("@"):
            path = "\0" + path[1:]
        try:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.settimeout(IO_TIMEOUT)
            client.connect(path)
        except OSError as exc:
            conn.sendall(("ERR connect %s\n" % (exc,)).encode("ascii", "replace"))
            return
        result = {}

        def reader():
            digest, count = hashlib.sha256(), 0
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    digest.update(data)
                    count += len(data)
                result["ok"] = "%d %s" % (count, digest.hexdigest())
            except OSError as exc:
                result["err"] = exc

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        try:
            client.sendall(pattern(nbytes))
            client.shutdown(socket.SHUT_WR)
        except OSError as exc:
            result.setdefault("err", exc)
        t.join(IO_TIMEOUT)
        _close_quietly(client)
        if "ok" in result and "err" not in result:
            conn.sendall((result["ok"] + "\n").encode("ascii"))
        else:
            conn.sendall(("ERR %s\n" % (result.get("err", "timeout"),)).encode("ascii", "replace"))


class DgramPeers(object):
    """The datagram and AF_UNIX peers of one session."""

    def __init__(self):
        self._dir = tempfile.mkdtemp(prefix="jns-unix-")
        self._servers = []
        self.udp_echo = self._start(UdpEcho()).address
        try:
            self.udp_echo6 = self._start(UdpEcho(socket.AF_INET6, "::1")).address
        except OSError:
            self.udp_echo6 = None
        self.udp_burst = self._start(UdpBurst()).address
        self.unix_echo = self._start(UnixEcho(os.path.join(self._dir, "echo.sock"))).path
        self.unix_dialer = self._start(UnixDialer()).address
        tag = "jns-peer-%d-%s" % (os.getpid(), os.path.basename(self._dir))
        self.unix_abstract_echo = tag + "-echo"
        self._start(UnixEcho("\0" + self.unix_abstract_echo))
        self.unix_dgram_echo = self._start(
            UnixDgramEcho(os.path.join(self._dir, "dgram-echo.sock"))).address
        self.unix_dgram_echo_abstract = tag + "-dgram-echo"
        self._start(UnixDgramEcho("\0" + self.unix_dgram_echo_abstract))

    def _start(self, server):
        self._servers.append(server)
        return server

    def env(self):
        fmt = lambda a: "%s:%d" % a
        return {
            "JNS_PEER_UDP_ECHO": fmt(self.udp_echo),
            "JNS_PEER_UDP_ECHO6": fmt(self.udp_echo6) if self.udp_echo6 else "unavailable",
            "JNS_PEER_UDP_BURST": fmt(self.udp_burst),
            "JNS_PEER_UNIX_ECHO": self.unix_echo,
            "JNS_PEER_UNIX_DIALER": fmt(self.unix_dialer),
            "JNS_PEER_UNIX_ABSTRACT_ECHO": self.unix_abstract_echo,
            "JNS_PEER_UNIX_DGRAM_ECHO": self.unix_dgram_echo,
            "JNS_PEER_UNIX_DGRAM_ECHO_ABSTRACT": self.unix_dgram_echo_abstract,
        }

    def errors(self):
        return [e for s in self._servers for e in s.errors]

    def stop(self):
        for server in self._servers:
            server.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def attach(peers_class):
    """Hook these peers into ``peers.Peers`` (started on its first ``env()``)."""
    from .peers import attach_group
    attach_group(peers_class, 'dgram', lambda base: DgramPeers())
