# -*- coding: utf-8 -*-
"""select.select and select.poll on UDP sockets: level-triggered, datagram by datagram.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
"""

import errno
import select
import socket
import unittest

from netsupport import IO_TIMEOUT, NetTestCase, peer

READ = select.POLLIN | select.POLLRDNORM


class UdpReadinessTests(NetTestCase):

    def bound(self):
        s = self.track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        s.settimeout(IO_TIMEOUT)
        s.bind(("127.0.0.1", 0))
        return s

    def wait_readable(self, s):
        self.assertEqual(select.select([s], [], [], IO_TIMEOUT)[0], [s])

    def test_fresh_socket_writable_not_readable(self):
        s = self.track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        self.assertEqual(select.select([s], [s], [s], 0), ([], [s], []))
        p = select.poll()
        p.register(s)
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLOUT)])

    def test_bound_socket_only_writable(self):
        s = self.bound()
        p = select.poll()
        p.register(s, select.POLLIN | select.POLLOUT | select.POLLRDNORM | select.POLLWRNORM)
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLOUT | select.POLLWRNORM)])

    def test_readable_when_datagram_arrives(self):
        s = self.bound()
        self.assertEqual(select.select([s], [], [], 0.1)[0], [])
        s.sendto(b"ping", peer("UDP_ECHO"))
        self.wait_readable(s)
        self.assertEqual(s.recv(10), b"ping")

    def test_level_triggered_per_datagram(self):
        s = self.bound()
        s.sendto(b"one", peer("UDP_ECHO"))
        s.sendto(b"two", peer("UDP_ECHO"))
        self.wait_readable(s)
        self.assertEqual(s.recv(1), b"o")
        self.wait_readable(s)       # the second datagram is still queued
        self.assertEqual(select.select([s], [], [], 0)[0], [s])
        self.assertEqual(s.recv(10), b"two")
        self.assertEqual(select.select([s], [], [], 0)[0], [])

    def test_empty_datagram_is_readable(self):
        s = self.bound()
        s.sendto(b"", peer("UDP_ECHO"))
        self.wait_readable(s)
        self.assertEqual(s.recv(10), b"")
        self.assertEqual(select.select([s], [], [], 0)[0], [])

    def test_poll_reports_pollin(self):
        s = self.bound()
        p = select.poll()
        p.register(s, select.POLLIN)
        self.assertEqual(p.poll(0), [])
        s.sendto(b"x", peer("UDP_ECHO"))
        self.assertEqual(p.poll(IO_TIMEOUT * 1000), [(s.fileno(), select.POLLIN)])
        s.recv(10)
        self.assertEqual(p.poll(0), [])

    def test_poll_waits_for_datagram_from_thread(self):
        s = self.bound()
        sender = self.track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        p = select.poll()
        p.register(s, select.POLLIN)
        t = self.thread(p.poll, IO_TIMEOUT * 1000)
        sender.sendto(b"wake", s.getsockname())
        self.assertEqual(self.join_thread(t), [(s.fileno(), select.POLLIN)])

    def test_only_ready_socket_returned(self):
        a = self.bound()
        b = self.bound()
        b.sendto(b"only b", peer("UDP_ECHO"))
        self.assertEqual(select.select([a, b], [], [], IO_TIMEOUT)[0], [b])

    def test_refused_is_pollerr_and_readable(self):
        closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
        s = self.track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        s.connect(("127.0.0.1", port))
        s.send(b"x")
        self.wait_readable(s)
        p = select.poll()
        p.register(s, select.POLLIN)
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLERR)])
        s.settimeout(IO_TIMEOUT)
        self.assertRaisesErrno(errno.ECONNREFUSED, s.recv, 10)
        self.assertEqual(p.poll(0), [])

    def test_closed_socket_pollnval(self):
        s = self.bound()
        number = s.fileno()
        p = select.poll()
        p.register(s)
        s.close()
        self.assertEqual(p.poll(0), [(number, select.POLLNVAL)])


if __name__ == "__main__":
    unittest.main()
