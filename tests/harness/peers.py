"""CPython 3 test peers: small loopback servers run as daemon threads in the pytest process.

The peers are started lazily, once per pytest session (``get_peers()``), and are shared by the
pure pytest tests (through the ``peers`` fixture in ``tests/conftest.py``) and by every Jython
(or oracle CPython 2.7) process that runs a ``tests/jython/jy_*.py`` module.  A Jython process
finds them through these environment variables (each value is ``HOST:PORT`` unless said
otherwise; HOST is always ``127.0.0.1``):

``JNS_PEER_ECHO``
    Echo server: sends back every byte it receives until the client's EOF, then shuts down and
    closes.

``JNS_PEER_GREETER``
    Greeter: on accept, sends ``GREETING`` and closes (the client sees data, then EOF).
``JNS_PEER_GREETING``
    The greeting the greeter sends, hex encoded (so tests need no copy of it).

``JNS_PEER_HALFCLOSE``
    Half-close counter: reads until EOF, then sends back the decimal count of bytes received
    (ASCII, no newline) and closes.  A client that does ``shutdown(SHUT_WR)`` and then reads
    gets the count; a client whose shutdown sends no FIN never gets an answer.

``JNS_PEER_RST``
    Abrupt reset: accepts, waits (up to 5 s) for some data and reads up to 1 KiB of it, then
    closes with ``SO_LINGER = (1, 0)`` so the client sees ECONNRESET.

``JNS_PEER_SLOW``, ``JNS_PEER_SLOW_CTL``
    Slow reader and its control port.  A connection to ``JNS_PEER_SLOW`` is accepted and never
    read, so the client's sends back up (kernel buffers fill, sends block or time out), until
    somebody connects to ``JNS_PEER_SLOW_CTL`` and sends the line ``DRAIN <client_port>\\n``,
    where ``<client_port>`` is the local port of the data connection (``getsockname()[1]``).
    The peer then reads that data connection to EOF and answers on the control connection with
    ``<count> <sha256 hex>\\n`` of everything it read, then closes both.  ``DRAIN`` for an
    unknown port waits up to 2 s for the connection to show up, then answers ``ERR unknown``.
    An undrained data connection is closed after ``SLOW_MAX_IDLE`` seconds.

``JNS_PEER_DIALER``
    Dialer (lets Jython server-side tests face a CPython 3 client).  The test connects and sends
    one line ``<host> <port> <nbytes> [<delay_ms>]\\n``.  The dialer waits ``delay_ms``
    (default 0), connects to (host, port) as a client, sends ``pattern(nbytes)`` (see below),
    shuts down writing, reads everything until EOF and finally answers on the control
    connection with ``<count> <sha256 hex>\\n`` of what it read (or ``ERR <text>\\n`` when the
    connect or the exchange fails), then closes.

``JNS_PEER_CLOSED``
    An address where nothing listens (a port that was bound, read and closed): connecting to
    it gives ECONNREFUSED.

``pattern(n)`` is the deterministic byte string ``bytes(i % 251 for i in range(n))``; the
Jython side has its own copy in ``tests/jython/netsupport.py``.

Every peer listens on loopback only, serves each connection on its own daemon thread, bounds
the number of concurrent connections (``MAX_CONNECTIONS`` per peer) and puts a timeout on every
blocking call, so a misbehaving client cannot hang the pytest process.
"""

import hashlib
import socket
import struct
import threading
import time

HOST = "127.0.0.1"
GREETING = b"JNS greeter says hello\r\nsecond line\r\nthird line, no newline at the end"
IO_TIMEOUT = 60.0          # seconds any blocking call of a peer may wait
SLOW_MAX_IDLE = 60.0       # seconds an undrained slow-reader connection is kept
MAX_CONNECTIONS = 64       # concurrent connections per peer

ENV_NAMES = (
    "JNS_PEER_ECHO", "JNS_PEER_GREETER", "JNS_PEER_GREETING", "JNS_PEER_HALFCLOSE",
    "JNS_PEER_RST", "JNS_PEER_SLOW", "JNS_PEER_SLOW_CTL", "JNS_PEER_DIALER", "JNS_PEER_CLOSED",
)


def pattern(n):
    """The deterministic payload the dialer sends: byte i is i % 251."""
    block = bytes(range(251))
    reps, rest = divmod(n, 251)
    return block * reps + block[:rest]


def _recv_all(sock, limit=None):
    """Read until EOF; return (count, sha256 hexdigest).  Reads at most ``limit`` bytes."""
    digest = hashlib.sha256()
    count = 0
    while limit is None or count < limit:
        data = sock.recv(65536)
        if not data:
            break
        digest.update(data)
        count += len(data)
    return count, digest.hexdigest()


def _close_quietly(sock):
    try:
        sock.close()
    except OSError:
        pass


def _read_line(sock, limit=4096):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        buf += chunk
        if len(buf) > limit:
            raise ValueError("control line too long")
    return buf.decode("utf-8", "replace").strip()


class _Server(object):
    """A listening socket with an accept thread; ``handle(conn, addr)`` runs per connection."""

    name = "peer"

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.sock.listen(128)
        self.address = self.sock.getsockname()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._stopped = threading.Event()
        self._conns = set()
        self._lock = threading.Lock()
        self.errors = []
        self._thread = threading.Thread(target=self._accept_loop, name="peer-" + self.name,
                                        daemon=True)
        self._thread.start()

    def env_value(self):
        return "%s:%d" % self.address

    def _accept_loop(self):
        while not self._stopped.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                if self._stopped.is_set():
                    return
                time.sleep(0.05)
                continue
            if not self._slots.acquire(timeout=IO_TIMEOUT):
                _close_quietly(conn)
                continue
            conn.settimeout(IO_TIMEOUT)
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn, addr),
                             name="peer-%s-%s" % (self.name, addr[1]), daemon=True).start()

    def _serve(self, conn, addr):
        try:
            self.handle(conn, addr)
        except (OSError, ValueError) as exc:
            # clients are allowed to misbehave (reset, vanish); remember it for debugging
            self.errors.append("%s %r: %r" % (self.name, addr, exc))
        finally:
            with self._lock:
                self._conns.discard(conn)
            _close_quietly(conn)
            self._slots.release()

    def handle(self, conn, addr):
        raise NotImplementedError

    def stop(self):
        self._stopped.set()
        _close_quietly(self.sock)
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            _close_quietly(conn)


class EchoServer(_Server):
    name = "echo"

    def handle(self, conn, addr):
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class GreeterServer(_Server):
    name = "greeter"

    def handle(self, conn, addr):
        conn.sendall(GREETING)
        conn.shutdown(socket.SHUT_WR)
        # give the client a moment to read before close() (a close with unread data of the
        # client's in our receive buffer would reset the connection)
        conn.settimeout(2.0)
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass


class HalfCloseServer(_Server):
    name = "halfclose"

    def handle(self, conn, addr):
        count, _ = _recv_all(conn)
        conn.sendall(str(count).encode("ascii"))
        conn.shutdown(socket.SHUT_WR)


class ResetServer(_Server):
    name = "rst"

    def handle(self, conn, addr):
        conn.settimeout(5.0)
        try:
            conn.recv(1024)
        except socket.timeout:
            pass
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class SlowReaderServer(_Server):
    """Data port: accept and never read until drained through ``SlowControlServer``."""

    name = "slow"

    def __init__(self):
        self._pending = {}          # client port -> (conn, drain request event, result holder)
        self._cond = threading.Condition()
        _Server.__init__(self)

    def handle(self, conn, addr):
        entry = {"drain": threading.Event(), "result": None, "done": threading.Event()}
        with self._cond:
            self._pending[addr[1]] = entry
            self._cond.notify_all()
        try:
            if entry["drain"].wait(SLOW_MAX_IDLE):
                try:
                    entry["result"] = "%d %s" % _recv_all(conn)
                except OSError as exc:
                    entry["result"] = "ERR %s" % (exc,)
        finally:
            with self._cond:
                self._pending.pop(addr[1], None)
            entry["done"].set()

    def drain(self, port, timeout=IO_TIMEOUT):
        deadline = time.monotonic() + 2.0
        with self._cond:
            while port not in self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return "ERR unknown"
                self._cond.wait(left)
            entry = self._pending[port]
        entry["drain"].set()
        if not entry["done"].wait(timeout):
            return "ERR timeout"
        return entry["result"] or "ERR closed"


class SlowControlServer(_Server):
    name = "slowctl"

    def __init__(self, slow):
        self.slow = slow
        _Server.__init__(self)

    def handle(self, conn, addr):
        words = _read_line(conn).split()
        if len(words) != 2 or words[0] != "DRAIN" or not words[1].isdigit():
            conn.sendall(b"ERR bad request\n")
            return
        answer = self.slow.drain(int(words[1]))
        conn.sendall(answer.encode("ascii") + b"\n")


class DialerServer(_Server):
    name = "dialer"

    def handle(self, conn, addr):
        words = _read_line(conn).split()
        try:
            host, port, nbytes = words[0], int(words[1]), int(words[2])
            delay = int(words[3]) / 1000.0 if len(words) > 3 else 0.0
        except (IndexError, ValueError):
            conn.sendall(b"ERR bad request\n")
            return
        if host not in ("127.0.0.1", "localhost") or not 0 <= delay <= 30:
            conn.sendall(b"ERR refused request\n")
            return
        time.sleep(delay)
        try:
            client = socket.create_connection((host, port), timeout=IO_TIMEOUT)
        except OSError as exc:
            conn.sendall(("ERR connect %s\n" % (exc,)).encode("ascii", "replace"))
            return
        try:
            result = {}

            def reader():
                try:
                    result["ok"] = _recv_all(client)
                except OSError as exc:
                    result["err"] = exc

            # read concurrently so a server that echoes cannot deadlock against our sends
            t = threading.Thread(target=reader, daemon=True)
            t.start()
            try:
                client.sendall(pattern(nbytes))
                client.shutdown(socket.SHUT_WR)
            except OSError as exc:
                result.setdefault("err", exc)
            t.join(IO_TIMEOUT)
            if "ok" in result and "err" not in result:
                answer = "%d %s\n" % result["ok"]
            else:
                answer = "ERR %s\n" % (result.get("err", "timeout"),)
        finally:
            _close_quietly(client)
        conn.sendall(answer.encode("ascii", "replace"))


def closed_port_address():
    """An address on loopback where nothing listens (the port was just bound and released)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()
    finally:
        s.close()


class Peers(object):
    """All peers of one session.  Attributes are ``(host, port)`` tuples."""

    def __init__(self):
        self._servers = []
        self.echo = self._start(EchoServer()).address
        self.greeter = self._start(GreeterServer()).address
        self.halfclose = self._start(HalfCloseServer()).address
        self.rst = self._start(ResetServer()).address
        slow = self._start(SlowReaderServer())
        self.slow = slow.address
        self.slow_ctl = self._start(SlowControlServer(slow)).address
        self.dialer = self._start(DialerServer()).address
        self.closed = closed_port_address()
        self.greeting = GREETING
        self.tls = None     # TLS peers (tls_peers.py), started on first env()
        self.bulk = None    # source and sink (bulk_peers.py), started on first env()

    def _start(self, server):
        self._servers.append(server)
        return server

    def env(self):
        """The environment variables that tell a Jython process where the peers are."""
        fmt = lambda a: "%s:%d" % a
        if self.tls is None:
            self.tls = tls_peers.TlsPeers()
        if self.bulk is None:
            self.bulk = bulk_peers.BulkPeers()
        return dict(self.tls.env(), **dict(self.bulk.env(), **{
            "JNS_PEER_ECHO": fmt(self.echo),
            "JNS_PEER_GREETER": fmt(self.greeter),
            "JNS_PEER_GREETING": GREETING.hex(),
            "JNS_PEER_HALFCLOSE": fmt(self.halfclose),
            "JNS_PEER_RST": fmt(self.rst),
            "JNS_PEER_SLOW": fmt(self.slow),
            "JNS_PEER_SLOW_CTL": fmt(self.slow_ctl),
            "JNS_PEER_DIALER": fmt(self.dialer),
            "JNS_PEER_CLOSED": fmt(self.closed),
        }))

    def errors(self):
        return ([e for s in self._servers for e in s.errors] + (self.tls.errors() if self.tls else [])
                + (self.bulk.errors() if self.bulk else []))

    def stop(self):
        for server in self._servers:
            server.stop()
        if self.tls is not None:
            self.tls.stop()
        if self.bulk is not None:
            self.bulk.stop()


_lock = threading.Lock()
_peers = None


def get_peers():
    """The session's peers, started on first use."""
    global _peers
    with _lock:
        if _peers is None:
            _peers = Peers()
        return _peers


def stop_peers():
    global _peers
    with _lock:
        if _peers is not None:
            _peers.stop()
            _peers = None


def slow_drain(peers, client_port, timeout=IO_TIMEOUT):
    """Ask the slow reader to drain the connection from ``client_port``; return its answer."""
    with socket.create_connection(peers.slow_ctl, timeout=timeout) as ctl:
        ctl.sendall(b"DRAIN %d\n" % client_port)
        return _read_line(ctl)


def dial(peers, host, port, nbytes, delay_ms=0, timeout=IO_TIMEOUT):
    """Ask the dialer to connect to (host, port); return its control answer line."""
    with socket.create_connection(peers.dialer, timeout=timeout) as ctl:
        ctl.sendall(("%s %d %d %d\n" % (host, port, nbytes, delay_ms)).encode("ascii"))
        return _read_line(ctl)


class OneServer(object):
    """A single server seen as a peer group: one environment variable."""

    def __init__(self, name, server):
        self.name, self.server = name, server

    def env(self):
        return {self.name: self.server.env_value()}

    def errors(self):
        return list(self.server.errors)

    def stop(self):
        self.server.stop()


def attach_group(peers_class, attribute, start):
    """Hook a group of peers into ``Peers``: ``start(env so far)`` makes it on the first
    ``env()`` (so it can use e.g. the TLS peers' PKI), its variables join that environment,
    its errors are reported and it is stopped with the others.  The group has ``env()``,
    ``errors()`` and ``stop()``."""
    env, errors, stop = peers_class.env, peers_class.errors, peers_class.stop

    def env_with_group(self):
        base = env(self)
        if getattr(self, attribute, None) is None:
            setattr(self, attribute, start(base))
        return dict(base, **getattr(self, attribute).env())

    def errors_with_group(self):
        group = getattr(self, attribute, None)
        return errors(self) + (group.errors() if group is not None else [])

    def stop_with_group(self):
        group = getattr(self, attribute, None)
        if group is not None:
            group.stop()
            setattr(self, attribute, None)
        stop(self)

    peers_class.env = env_with_group
    peers_class.errors = errors_with_group
    peers_class.stop = stop_with_group


# TLS peers (tls_peers.py subclasses _Server, so it is imported once _Server exists)
from . import tls_peers  # noqa: E402
from . import bulk_peers  # noqa: E402
ENV_NAMES = ENV_NAMES + tls_peers.ENV_NAMES + bulk_peers.ENV_NAMES

# UDP and AF_UNIX peers (dgram_peers.py): started, listed and stopped with the others
from . import dgram_peers  # noqa: E402
ENV_NAMES = ENV_NAMES + dgram_peers.ENV_NAMES
dgram_peers.attach(Peers)

# HTTP(S) peers for the user-library tests (http_peers.py; their TLS uses the TLS peers' PKI)
from . import http_peers  # noqa: E402
ENV_NAMES = ENV_NAMES + http_peers.ENV_NAMES
http_peers.attach(Peers)
from . import client_peers  # noqa: E402  (a CPython 3 client crowd for Jython-side servers)
ENV_NAMES = ENV_NAMES + client_peers.ENV_NAMES
client_peers.attach(Peers)
from . import mail_peers  # noqa: E402  (SMTP, POP3, IMAP for the stdlib client tests)
ENV_NAMES = ENV_NAMES + mail_peers.ENV_NAMES
mail_peers.attach(Peers)
from . import ftp_peers  # noqa: E402  (FTP with AUTH TLS for the ftplib tests)
ENV_NAMES = ENV_NAMES + ftp_peers.ENV_NAMES
ftp_peers.attach(Peers)
from . import pip_peers  # noqa: E402  (a PEP 503 index over HTTPS for the pip test)
ENV_NAMES = ENV_NAMES + pip_peers.ENV_NAMES
pip_peers.attach(Peers)

__all__ = ["Peers", "get_peers", "stop_peers", "pattern", "slow_drain", "dial", "GREETING",
           "ENV_NAMES", "HOST"]
