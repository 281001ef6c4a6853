"""Figure 5: a non-blocking echo server driven by select() or poll(), messages per second.

The measured process runs the server: a non-blocking listener and non-blocking connections
in one select/poll loop that echoes whatever arrives.  The load comes from `loadgen.py`
(CPython 3, its own process): N clients, one 64-byte message in flight each.  The rate is
the load generator's count of checked echoes over its measuring time.
"""
from __future__ import print_function

import errno
import os
import select
import socket
import subprocess
import threading

import common


def _listener():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((common.HOST, 0))
    server.listen(1024)
    server.setblocking(False)
    return server


def _accept_all(server):
    """Every connection waiting on the listener, non-blocking."""
    accepted = []
    while True:
        try:
            conn, _ = server.accept()
        except socket.error as exc:
            if exc.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK):
                return accepted
            raise
        conn.setblocking(False)
        accepted.append(conn)


def _echo(conn):
    """Echo what is there; False once the client closed."""
    try:
        data = conn.recv(65536)
    except socket.error as exc:
        if exc.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK):
            return True
        return False
    if not data:
        return False
    # One small message in flight per client: it always fits at once.  (Not sendall: stock
    # Jython's spins forever on a connection the client has closed.)
    try:
        sent = conn.send(data)
    except socket.error:
        return False
    if 0 < sent < len(data):
        raise RuntimeError('partial send of a %d-byte echo' % len(data))
    return sent > 0


class _Load(object):
    """The load generator process; `finished()` turns true once its output is complete
    (a reader thread: stock Jython's Popen.poll() may never see the exit)."""

    def __init__(self, server, clients, seconds):
        port = server.getsockname()[1]
        self.process = subprocess.Popen(
            [common.peer_python(), os.path.join(common.BENCH_DIR, 'loadgen.py'),
             str(port), str(clients), str(seconds)], stdout=subprocess.PIPE)
        self.output = []
        self.reader = threading.Thread(target=self._read)
        self.reader.daemon = True
        self.reader.start()

    def _read(self):
        self.output.append(self.process.stdout.read())

    def finished(self):
        return bool(self.output)

    def rate(self):
        """Messages per second measured by the load generator."""
        self.reader.join()
        out = self.output[0]
        if not out:
            raise RuntimeError('load generator failed (exit %s)' % self.process.wait())
        count, elapsed = out.split()
        return int(count) / float(elapsed)


def select_server(clients):
    def run(peer, seconds):
        server = _listener()
        load = _Load(server, clients, seconds)
        conns = []
        try:
            while True:
                readable, _, _ = select.select([server] + conns, [], [], 0.5)
                for sock in readable:
                    if sock is server:
                        conns.extend(_accept_all(server))
                    elif not _echo(sock):
                        conns.remove(sock)
                        sock.close()
                if load.finished():   # not EOF: stock Jython never reports it
                    break
            return load.rate()
        finally:
            for conn in conns:
                conn.close()
            server.close()
    return run


def poll_server(clients):
    def run(peer, seconds):
        server = _listener()
        load = _Load(server, clients, seconds)
        poller = select.poll()
        poller.register(server, select.POLLIN)
        conns = {}
        try:
            while True:
                for fd, _ in poller.poll(500):
                    if fd == server.fileno():
                        for conn in _accept_all(server):
                            conns[conn.fileno()] = conn
                            poller.register(conn, select.POLLIN)
                        continue
                    conn = conns[fd]
                    if not _echo(conn):
                        poller.unregister(conn)
                        del conns[fd]
                        conn.close()
                if load.finished():   # not EOF: stock Jython never reports it
                    break
            return load.rate()
        finally:
            for conn in conns.values():
                conn.close()
            server.close()
    return run


ROWS = [
    ('select echo server, 50 clients, msg/s', select_server(50)),
    ('select echo server, 500 clients, msg/s', select_server(500)),
    ('poll echo server, 50 clients, msg/s', poll_server(50)),
    ('poll echo server, 500 clients, msg/s', poll_server(500)),
]

if __name__ == '__main__':
    common.main(__import__(__name__))
