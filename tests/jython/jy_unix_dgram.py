# -*- coding: utf-8 -*-
"""AF_UNIX SOCK_DGRAM sockets (filesystem paths and Linux abstract names), against CPython 3
datagram echo peers (tests/harness/dgram_peers.py).

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
Datagram checks are exact: boundaries, empty datagrams, truncation, sender names.
"""

import errno
import os
import re
import select
import shutil
import socket
import tempfile
import unittest

from netsupport import IO_TIMEOUT, NetTestCase, pattern


def dgram_echo_path():
    return os.environ["JNS_PEER_UNIX_DGRAM_ECHO"]


def dgram_echo_abstract():
    return "\0" + os.environ["JNS_PEER_UNIX_DGRAM_ECHO_ABSTRACT"]


def stream_echo_path():
    return os.environ["JNS_PEER_UNIX_ECHO"]


AUTOBIND = re.compile(r"^\0[0-9a-f]{5}$")


class UnixDgramTestCase(NetTestCase):

    def setUp(self):
        NetTestCase.setUp(self)
        self.dir = tempfile.mkdtemp(prefix="jy-unixd-")

    def tearDown(self):
        NetTestCase.tearDown(self)
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name="d"):
        return os.path.join(self.dir, name)

    def abstract(self, name):
        return "\0jy-unixd-%d-%s-%s" % (os.getpid(), os.path.basename(self.dir), name)

    def dgram(self, bind=None, timeout=IO_TIMEOUT):
        s = self.track(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
        if timeout is not None:
            s.settimeout(timeout)
        if bind is not None:
            s.bind(bind)
        return s


class EchoTests(UnixDgramTestCase):

    def check_echo(self, ours, echo):
        sizes = [0, 1, 1000, 65536, 150000]
        for size in sizes:
            self.assertEqual(ours.sendto(pattern(size), echo), size)
        for size in sizes:
            data, sender = ours.recvfrom(256 * 1024)
            self.assertEqual(len(data), size)
            self.assertEqual(data, pattern(size))
            self.assertEqual(sender, echo)

    def test_echo_on_paths(self):
        s = self.dgram(self.path())
        self.assertEqual(s.getsockname(), self.path())
        self.check_echo(s, dgram_echo_path())

    def test_echo_on_abstract_names(self):
        name = self.abstract("a")
        s = self.dgram(name)
        self.assertEqual(s.getsockname(), name)
        self.check_echo(s, dgram_echo_abstract())

    def test_path_to_abstract_and_back(self):
        s = self.dgram(self.path())
        self.check_echo(s, dgram_echo_abstract())

    def test_truncation_and_boundaries(self):
        s = self.dgram(self.abstract("t"))
        s.sendto(b"first datagram", dgram_echo_path())
        s.sendto(b"second", dgram_echo_path())
        s.sendto(b"", dgram_echo_path())
        s.sendto(b"third", dgram_echo_path())
        self.assertEqual(s.recv(5), b"first")       # the rest of it is gone
        self.assertEqual(s.recv(100, socket.MSG_PEEK), b"second")
        self.assertEqual(s.recvfrom(3), (b"sec", dgram_echo_path()))
        self.assertEqual(s.recv(100), b"")
        buf = bytearray(10)
        self.assertEqual(s.recvfrom_into(buf), (5, dgram_echo_path()))
        self.assertEqual(bytes(buf[:5]), b"third")

    def test_connected(self):
        s = self.dgram(self.path())
        s.connect(dgram_echo_abstract())
        self.assertEqual(s.getpeername(), dgram_echo_abstract())
        self.assertEqual(s.send(b"hello"), 5)
        self.assertEqual(s.recvfrom(100), (b"hello", dgram_echo_abstract()))
        s.sendall(b"")
        self.assertEqual(s.recv(100), b"")
        s.connect(dgram_echo_path())   # re-targets, as Linux does
        self.assertEqual(s.getpeername(), dgram_echo_path())
        s.send(b"again")
        self.assertEqual(s.recvfrom(100), (b"again", dgram_echo_path()))

    def test_from_unnamed_socket(self):
        receiver = self.dgram(self.path())
        sender = self.dgram()
        self.assertEqual(sender.sendto(b"anon", self.path()), 4)
        self.assertEqual(receiver.recvfrom(100), (b"anon", None))
        self.assertEqual(sender.getsockname(), "")


class ModeTests(UnixDgramTestCase):

    def test_nonblocking(self):
        s = self.dgram(self.abstract("n"), timeout=0.0)
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10)
        self.assertRaisesErrno(errno.EAGAIN, s.recvfrom, 10)
        self.assertEqual(select.select([s], [s], [], 0), ([], [s], []))
        s.sendto(b"ping", dgram_echo_path())
        self.assertEqual(select.select([s], [], [], IO_TIMEOUT)[0], [s])
        self.assertEqual(s.recvfrom(10), (b"ping", dgram_echo_path()))
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10)

    def test_timeout(self):
        s = self.dgram(self.path(), timeout=0.2)
        self.assertTimesOut(s.recv, 10)
        s.sendto(b"x", dgram_echo_path())
        self.assertEqual(s.recv(10), b"x")

    def test_blocking_receive_from_thread(self):
        receiver = self.dgram(self.path(), timeout=None)
        sender = self.dgram(self.abstract("s"))
        result = []
        t = self.thread(lambda: result.append(receiver.recvfrom(100)))
        sender.sendto(b"wake up", self.path())
        self.join_thread(t)
        self.assertEqual(result, [(b"wake up", self.abstract("s"))])

    def test_poll(self):
        s = self.dgram(self.path(), timeout=0.0)
        p = select.poll()
        p.register(s, select.POLLIN | select.POLLOUT)
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLOUT)])
        s.sendto(b"", dgram_echo_path())          # an empty datagram is readable too
        p.modify(s, select.POLLIN)
        self.assertEqual(p.poll(IO_TIMEOUT * 1000), [(s.fileno(), select.POLLIN)])
        p.modify(s, select.POLLIN | select.POLLOUT)
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLIN | select.POLLOUT)])
        self.assertEqual(s.recvfrom(10), (b"", dgram_echo_path()))

    def test_epoll(self):
        s = self.dgram(self.abstract("e"), timeout=0.0)
        ep = select.epoll()
        try:
            ep.register(s.fileno(), select.EPOLLIN)
            self.assertEqual(ep.poll(0), [])
            s.sendto(b"e1", dgram_echo_abstract())
            self.assertEqual(ep.poll(IO_TIMEOUT), [(s.fileno(), select.EPOLLIN)])
            self.assertEqual(s.recv(10), b"e1")
            self.assertEqual(ep.poll(0), [])
        finally:
            ep.close()


class NameTests(UnixDgramTestCase):

    def test_unbound(self):
        s = self.dgram()
        self.assertEqual((s.family, s.type, s.proto), (socket.AF_UNIX, socket.SOCK_DGRAM, 0))
        self.assertEqual(s.getsockname(), "")
        self.assertRaisesErrno(errno.ENOTCONN, s.getpeername)
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_DGRAM)

    def test_autobind(self):
        s = self.dgram("")
        self.assertTrue(AUTOBIND.match(s.getsockname()), repr(s.getsockname()))
        s.sendto(b"auto", dgram_echo_path())
        self.assertEqual(s.recv(10), b"auto")

    def test_bind_taken(self):
        self.dgram(self.path())
        self.assertRaisesErrno(errno.EADDRINUSE, self.dgram().bind, self.path())
        self.dgram(self.abstract("x"))
        self.assertRaisesErrno(errno.EADDRINUSE, self.dgram().bind, self.abstract("x"))
        self.assertRaisesErrno(errno.EINVAL, self.dgram(self.path("other")).bind,
                               self.path("third"))

    def test_errors(self):
        s = self.dgram()
        self.assertRaisesErrno(errno.ENOENT, s.sendto, b"x", self.path("missing"))
        self.assertRaisesErrno(errno.ECONNREFUSED, s.sendto, b"x", self.abstract("missing"))
        self.assertRaisesErrno(errno.ENOTCONN, s.send, b"x")
        self.assertRaisesErrno(errno.ENOENT, s.connect, self.path("missing"))
        self.assertRaisesErrno(errno.EPROTOTYPE, s.connect, stream_echo_path())
        self.assertRaisesErrno(errno.EPROTOTYPE, s.sendto, b"x", stream_echo_path())
        self.assertRaisesErrno(errno.EOPNOTSUPP, s.listen, 1)
        self.assertRaises(TypeError, s.sendto, b"x", ("127.0.0.1", 9))
        self.assertRaises(socket.error, s.bind, "x" * 200)

    def test_peer_gone(self):
        receiver = self.dgram(self.path())
        s = self.dgram()
        s.connect(self.path())
        receiver.close()
        self.assertRaisesErrno(errno.ECONNREFUSED, s.send, b"x")

    def test_connected_elsewhere_refuses(self):
        a = self.dgram(self.abstract("p"))
        a.connect(dgram_echo_path())
        self.assertRaisesErrno(errno.EPERM, self.dgram().sendto, b"x", self.abstract("p"))

    def test_closed(self):
        s = self.dgram()
        s.close()
        self.assertRaisesErrno(errno.EBADF, s.sendto, b"x", dgram_echo_path())
        self.assertRaisesErrno(errno.EBADF, s.recv, 1)


class PairTests(UnixDgramTestCase):

    def test_socketpair(self):
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.track(a)
        self.track(b)
        for s in (a, b):
            s.settimeout(IO_TIMEOUT)
            self.assertEqual((s.family, s.type), (socket.AF_UNIX, socket.SOCK_DGRAM))
            self.assertEqual((s.getsockname(), s.getpeername()), ("", ""))
        a.send(b"one")
        a.send(b"")
        a.send(b"three")
        self.assertEqual(b.recvfrom(100), (b"one", None))
        self.assertEqual(b.recv(100), b"")
        self.assertEqual(b.recv(2), b"th")
        b.send(b"back")
        self.assertEqual(a.recv(100), b"back")


if __name__ == "__main__":
    unittest.main()
