# -*- coding: utf-8 -*-
"""A single-threaded echo server on select.poll (and on edge-triggered epoll) serving
1,000 concurrent clients, every byte checked.

The clients are Jython threads: each opens its share of the connections, waits until all
clients are connected (so every connection is open at once), sends a payload distinct to
that client, shuts down writing and reads the echo back to EOF.  The server, on the test's
own thread, never blocks except in poll: non-blocking accept, recv and send, with per
connection output buffers, as a real event loop does.  Passes on the cpython2 oracle.
"""

import errno
import select
import socket
import threading
import time
import unittest

from netsupport import NetTestCase, pattern

AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK)
RUN_LIMIT = 240.0


def payload(client_id):
    """A distinct payload per client, 1,000 to ~9,000 bytes."""
    size = 1000 + (client_id * 7919) % 8000
    head = ("client %d;" % client_id).encode("ascii")
    return head + pattern(size)[len(head):]


class EchoLoop(object):
    """The server: one thread, one poller (poll, or epoll in edge-triggered mode)."""

    def __init__(self, listener, use_epoll):
        self.listener = listener
        self.use_epoll = use_epoll
        self.conns = {}        # fd -> [socket, pending output, eof seen]
        self.served = 0
        self.echoed = 0
        if use_epoll:
            self.poller = select.epoll()
            self.IN, self.OUT = select.EPOLLIN, select.EPOLLOUT
            self.poller.register(listener, select.EPOLLIN | select.EPOLLET)
        else:
            self.poller = select.poll()
            self.IN, self.OUT = select.POLLIN, select.POLLOUT
            self.poller.register(listener, select.POLLIN)

    def interest(self, fd, out):
        mask = self.IN | (self.OUT if out else 0)
        if self.use_epoll:
            mask |= select.EPOLLET
        return mask

    def run(self, expected, deadline):
        while self.served < expected:
            if time.time() > deadline:
                raise AssertionError("served %d of %d clients before the deadline"
                                     % (self.served, expected))
            if self.use_epoll:
                events = self.poller.poll(1.0)
            else:
                events = self.poller.poll(1000)
            for fd, mask in events:
                if fd == self.listener.fileno():
                    self.accept_all()
                else:
                    self.service(fd, mask)
        if self.use_epoll:
            self.poller.close()

    def accept_all(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except socket.error as exc:
                if exc.args[0] in AGAIN:
                    return
                raise
            conn.setblocking(False)
            self.conns[conn.fileno()] = [conn, [], False]
            self.poller.register(conn, self.interest(conn.fileno(), False))

    def service(self, fd, mask):
        entry = self.conns[fd]
        conn = entry[0]
        if mask & (self.IN | select.POLLHUP | select.POLLERR):
            self.read_all(entry)
        if entry[1]:
            self.write_some(entry)
        if entry[2] and not entry[1]:
            self.poller.unregister(fd)
            del self.conns[fd]
            conn.close()
            self.served += 1
        else:
            self.poller.modify(fd, self.interest(fd, bool(entry[1])))

    def read_all(self, entry):
        conn = entry[0]
        while not entry[2]:
            try:
                data = conn.recv(65536)
            except socket.error as exc:
                if exc.args[0] in AGAIN:
                    return
                raise
            if data:
                entry[1].append(data)
            else:
                entry[2] = True

    def write_some(self, entry):
        conn, pending = entry[0], entry[1]
        while pending:
            try:
                sent = conn.send(pending[0])
            except socket.error as exc:
                if exc.args[0] in AGAIN:
                    return
                raise
            self.echoed += sent
            if sent < len(pending[0]):
                pending[0] = pending[0][sent:]
            else:
                pending.pop(0)


class Clients(object):
    """`count` client connections driven by `threads` threads; results per connection."""

    def __init__(self, test, address, count, threads):
        self.address = address
        self.count = count
        self.connected = 0
        self.all_connected = threading.Condition()
        self.results = {}      # client id -> True, or a description of what went wrong
        self.workers = [test.thread(self.run, ids)
                        for ids in [range(i, count, threads) for i in range(threads)]]

    def run(self, ids):
        socks = []
        try:
            for client_id in ids:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.settimeout(60.0)
                s.connect(self.address)
            with self.all_connected:
                self.connected += len(ids)
                self.all_connected.notify_all()
                while self.connected < self.count:
                    self.all_connected.wait(1.0)
            for client_id, s in zip(ids, socks):
                s.sendall(payload(client_id))
                s.shutdown(socket.SHUT_WR)
            for client_id, s in zip(ids, socks):
                chunks = []
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
                got = b"".join(chunks)
                expected = payload(client_id)
                if got == expected:
                    self.results[client_id] = True
                else:
                    self.results[client_id] = "%d bytes back, %d sent, first difference at %s" % (
                        len(got), len(expected),
                        next((i for i in range(min(len(got), len(expected)))
                              if got[i] != expected[i]), min(len(got), len(expected))))
        finally:
            for s in socks:
                s.close()


class EchoScaleTests(NetTestCase):

    def serve(self, count, threads, use_epoll):
        listener = self.listener(backlog=128)
        listener.setblocking(False)
        clients = Clients(self, listener.getsockname(), count, threads)
        loop = EchoLoop(listener, use_epoll)
        loop.run(count, time.time() + RUN_LIMIT)
        for worker in clients.workers:
            self.join_thread(worker, 60.0)
        failures = dict((k, v) for k, v in clients.results.items() if v is not True)
        self.assertEqual(failures, {})
        self.assertEqual(len(clients.results), count)
        self.assertEqual(loop.echoed, sum(len(payload(i)) for i in range(count)))
        self.assertEqual(loop.conns, {})

    def test_poll_echo_server_with_1000_concurrent_clients(self):
        self.serve(1000, 8, use_epoll=False)

    def test_edge_triggered_epoll_echo_server_with_200_concurrent_clients(self):
        self.serve(200, 4, use_epoll=True)


if __name__ == "__main__":
    unittest.main()
