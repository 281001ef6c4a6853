# -*- coding: utf-8 -*-
"""socket.socketpair(): a connected pair, in blocking, timeout and non-blocking modes.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
"""

import errno
import select
import socket
import unittest

from netsupport import IO_TIMEOUT, NetTestCase, pattern, recv_exact, recv_until_eof


class SocketPairTests(NetTestCase):

    def pair(self, *args):
        a, b = socket.socketpair(*args)
        self.track(a)
        self.track(b)
        return a, b

    def test_defaults(self):
        a, b = self.pair()
        for s in (a, b):
            self.assertEqual((s.family, s.type, s.proto), (socket.AF_UNIX, socket.SOCK_STREAM, 0))
            self.assertEqual(s.getsockname(), "")
            self.assertEqual(s.getpeername(), "")
            self.assertEqual(s.gettimeout(), None)

    def test_default_timeout_applies(self):
        socket.setdefaulttimeout(2.5)     # restored by tearDown
        a, b = self.pair()
        self.assertEqual((a.gettimeout(), b.gettimeout()), (2.5, 2.5))

    def test_blocking_both_ways(self):
        a, b = self.pair()
        a.sendall(b"to b")
        self.assertEqual(recv_exact(b, 4), b"to b")
        b.sendall(b"to a")
        self.assertEqual(recv_exact(a, 4), b"to a")

    def test_large_transfer_with_thread(self):
        a, b = self.pair()
        data = pattern(2000000)
        t = self.thread(lambda: (a.sendall(data), a.shutdown(socket.SHUT_WR)))
        self.assertEqual(recv_until_eof(b), data)
        self.join_thread(t)

    def test_timeout_mode(self):
        a, b = self.pair()
        b.settimeout(0.2)
        self.assertTimesOut(b.recv, 10)
        a.sendall(b"late")
        self.assertEqual(b.recv(10), b"late")

    def test_nonblocking_mode(self):
        a, b = self.pair()
        b.setblocking(False)
        self.assertRaisesErrno(errno.EAGAIN, b.recv, 10)
        a.sendall(b"now")
        self.assertEqual(select.select([b], [], [], IO_TIMEOUT)[0], [b])
        self.assertEqual(b.recv(10), b"now")

    def test_close_gives_eof(self):
        a, b = self.pair()
        a.sendall(b"last words")
        a.close()
        b.settimeout(IO_TIMEOUT)
        self.assertEqual(recv_until_eof(b), b"last words")
        self.assertEqual(select.select([b], [], [], 0)[0], [b])

    def test_half_close(self):
        a, b = self.pair()
        a.sendall(b"question")
        a.shutdown(socket.SHUT_WR)
        self.assertEqual(recv_until_eof(b), b"question")
        b.sendall(b"answer")
        b.close()
        self.assertEqual(recv_until_eof(a), b"answer")

    def test_poll_readiness(self):
        a, b = self.pair()
        p = select.poll()
        p.register(b, select.POLLIN | select.POLLOUT)
        self.assertEqual(p.poll(0), [(b.fileno(), select.POLLOUT)])
        a.sendall(b"x")
        p.modify(b, select.POLLIN)
        self.assertEqual(p.poll(IO_TIMEOUT * 1000), [(b.fileno(), select.POLLIN)])
        p.modify(b, select.POLLIN | select.POLLOUT)
        self.assertEqual(p.poll(0), [(b.fileno(), select.POLLIN | select.POLLOUT)])

    def test_makefile(self):
        a, b = self.pair()
        w = a.makefile("wb")
        w.write(b"line one\nline two\n")
        w.close()
        r = b.makefile("rb")
        self.assertEqual(r.readline(), b"line one\n")
        self.assertEqual(r.readline(), b"line two\n")
        r.close()

    def test_inet_family_not_supported(self):
        self.assertRaisesErrno(errno.EOPNOTSUPP, socket.socketpair, socket.AF_INET)


if __name__ == "__main__":
    unittest.main()
