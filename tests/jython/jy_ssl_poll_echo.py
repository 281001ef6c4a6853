# -*- coding: utf-8 -*-
"""Non-blocking TLS over ``select.poll`` at scale, both ends of the wire, every byte checked.

- Server: a single-threaded TLS echo server on one ``poll`` object serves 200 concurrent
  CPython 3 TLS clients (the crowd peer of ``tests/harness/client_peers.py``, which verifies
  our certificate against the session CA).  Non-blocking accept, a non-blocking handshake
  driven by ``SSLWantReadError``/``SSLWantWriteError``, reads until ``SSLWantReadError``,
  writes that may stop with ``SSLWantWriteError``.
- Client: one thread drives 200 non-blocking TLS client connections to the CPython 3 TLS echo
  peer through one ``poll`` object: connect (EINPROGRESS), handshake, send a distinct payload,
  read its echo back in full, close.

The state machines here are what an event loop (asyncio-style, Tornado, Twisted) does with
Python 2.7's ssl module.  Passes on the cpython2 oracle.
"""

import errno
import select
import socket
import ssl
import time

from netsupport import NetTestCase, pattern, peer
from users_support import crowd, tls_file

AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK)
CLIENTS = 200
RUN_LIMIT = 240.0
IN, OUT, GONE = select.POLLIN, select.POLLOUT, select.POLLHUP | select.POLLERR


def payload(client_id):
    """A distinct payload per client, 500 to ~20,500 bytes."""
    size = 500 + (client_id * 7919) % 20000
    head = ("client %d;" % client_id).encode("ascii")
    return head + pattern(size)[len(head):]


class TlsConn(object):
    """One non-blocking TLS connection in an event loop: handshake, then buffered echo I/O.

    ``step()`` makes all the progress it can and returns the poll mask worth waiting for, or
    None when the connection is finished (EOF read and all output written).
    """

    def __init__(self, sock, outgoing=b""):
        self.sock = sock
        self.handshaken = False
        self.out = [outgoing] if outgoing else []
        self.received = []
        self.eof = False
        self.sent = 0

    def step(self, echo):
        try:
            if not self.handshaken:
                self.sock.do_handshake()
                self.handshaken = True
            self.read(echo)
            self.write()
        except ssl.SSLWantReadError:
            return IN
        except ssl.SSLWantWriteError:
            return OUT
        if self.eof and not self.out:
            return None
        return IN | (OUT if self.out else 0)

    def read(self, echo):
        while not self.eof:
            try:
                data = self.sock.recv(65536)
            except ssl.SSLWantReadError:
                return
            if not data:
                self.eof = True
            elif echo:
                self.out.append(data)
            else:
                self.received.append(data)

    def write(self):
        while self.out:
            n = self.sock.send(self.out[0])
            self.sent += n
            if n < len(self.out[0]):
                self.out[0] = self.out[0][n:]
            else:
                self.out.pop(0)


class PollLoop(object):
    """fd -> TlsConn on one poll object; ``run`` until ``done()`` or the deadline."""

    def __init__(self):
        self.poller = select.poll()
        self.conns = {}

    def add(self, conn, mask):
        self.conns[conn.sock.fileno()] = conn
        self.poller.register(conn.sock, mask)

    def drop(self, fd):
        self.poller.unregister(fd)
        return self.conns.pop(fd)

    def run(self, done, handle, deadline):
        while not done():
            if time.time() > deadline:
                raise AssertionError("event loop did not finish in time: %d connections open"
                                     % len(self.conns))
            for fd, mask in self.poller.poll(1000):
                handle(fd, mask)


class TlsPollEchoTests(NetTestCase):

    def test_poll_tls_echo_server_with_200_clients(self):
        context = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
        context.load_cert_chain(tls_file("server.pem"), tls_file("server.key"))
        listener = self.listener(backlog=256)
        listener.setblocking(False)
        loop = PollLoop()
        loop.poller.register(listener, IN)
        state = {"served": 0, "echoed": 0}

        def handle(fd, mask):
            if fd == listener.fileno():
                accept_all()
                return
            conn = loop.conns[fd]
            interest = conn.step(echo=True)
            if interest is None:
                loop.drop(fd).sock.close()
                state["served"] += 1
                state["echoed"] += conn.sent
            else:
                loop.poller.modify(fd, interest)

        def accept_all():
            while True:
                try:
                    sock, _ = listener.accept()
                except socket.error as exc:
                    if exc.args[0] in AGAIN:
                        return
                    raise
                sock.setblocking(False)
                tls = context.wrap_socket(sock, server_side=True,
                                          do_handshake_on_connect=False)
                self.track(tls)
                loop.add(TlsConn(tls), IN)

        answers = []
        asker = self.thread(lambda: answers.append(
            crowd("echo %d %d 20000 tls" % (listener.getsockname()[1], CLIENTS))))
        # stop early if the crowd gave up (its answer says why)
        loop.run(lambda: state["served"] == CLIENTS or (answers and not loop.conns),
                 handle, time.time() + RUN_LIMIT)
        self.join_thread(asker, 60.0)
        self.assertEqual(answers, ["OK %d" % CLIENTS])
        self.assertEqual(state["echoed"], CLIENTS * 20000)
        self.assertEqual(loop.conns, {})

    def test_poll_drives_200_tls_clients(self):
        context = ssl.create_default_context(cafile=tls_file("ca.pem"))
        address = peer("TLS_ECHO")
        loop = PollLoop()
        connecting = {}        # fd -> (client id, plain socket)
        results = {}

        for client_id in range(CLIENTS):
            sock = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.setblocking(False)
            code = sock.connect_ex(address)
            self.assertIn(code, (0, errno.EINPROGRESS))
            connecting[sock.fileno()] = (client_id, sock)
            loop.poller.register(sock, OUT)

        def start_tls(fd, mask):
            client_id, sock = connecting.pop(fd)
            loop.poller.unregister(fd)
            error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            self.assertEqual((client_id, mask & GONE, error), (client_id, 0, 0))
            tls = self.track(context.wrap_socket(sock, server_hostname="localhost",
                                                 do_handshake_on_connect=False))
            conn = TlsConn(tls, payload(client_id))
            conn.client_id = client_id
            loop.add(conn, OUT)

        def handle(fd, mask):
            if fd in connecting:
                start_tls(fd, mask)
                return
            conn = loop.conns[fd]
            interest = conn.step(echo=False)
            expected = payload(conn.client_id)
            got = sum(len(c) for c in conn.received)
            if interest is not None and got >= len(expected):
                interest = None        # the whole echo is back: this client is done
            if interest is None:
                loop.drop(fd).sock.close()
                results[conn.client_id] = b"".join(conn.received) == expected or (
                    "%d bytes back of %d" % (got, len(expected)))
            else:
                loop.poller.modify(fd, interest)

        loop.run(lambda: len(results) == CLIENTS, handle, time.time() + RUN_LIMIT)
        failures = dict((k, v) for k, v in results.items() if v is not True)
        self.assertEqual(failures, {})
        self.assertEqual(sorted(results), list(range(CLIENTS)))
