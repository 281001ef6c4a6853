# -*- coding: utf-8 -*-
"""AF_UNIX stream sockets with filesystem paths, against CPython 3 peers on the same paths.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.  The peers
(tests/harness/dgram_peers.py) are an AF_UNIX echo server and a dialer that connects to a
path our test listens on.
"""

import errno
import os
import select
import shutil
import socket
import tempfile
import unittest

from netsupport import (IO_TIMEOUT, NetTestCase, dial_result, pattern, recv_exact,
                        recv_until_eof, sha256hex)


def unix_echo_path():
    return os.environ["JNS_PEER_UNIX_ECHO"]


class UnixTestCase(NetTestCase):

    def setUp(self):
        NetTestCase.setUp(self)
        self.dir = tempfile.mkdtemp(prefix="jy-unix-")

    def tearDown(self):
        NetTestCase.tearDown(self)
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name="s"):
        return os.path.join(self.dir, name)

    def unix(self, timeout=IO_TIMEOUT):
        s = self.track(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        if timeout is not None:
            s.settimeout(timeout)
        return s

    def unix_listener(self, timeout=IO_TIMEOUT):
        s = self.unix(timeout)
        s.bind(self.path())
        s.listen(5)
        return s

    def check_echo(self, name):
        """A 300 KB round trip through the CPython 3 echo peer listening on `name`."""
        s = self.unix()
        s.connect(name)
        self.assertEqual(s.getpeername(), name)
        self.assertEqual(s.getsockname(), "")
        data = pattern(300000)
        # send from a thread: the echo comes back while we send, and kernel buffers are small
        t = self.thread(lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)))
        self.assertEqual(recv_until_eof(s), data)
        self.join_thread(t)
        self.assertEqual(s.recv(10), b"")

    def check_nonblocking_echo(self, name):
        s = self.unix()
        s.connect(name)
        s.setblocking(False)
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10)
        s.sendall(b"ping")
        self.assertEqual(select.select([s], [], [], IO_TIMEOUT)[0], [s])
        self.assertEqual(s.recv(10), b"ping")

    def ask_dialer(self, path, nbytes):
        from netsupport import peer
        ctl = socket.create_connection(peer("UNIX_DIALER"), IO_TIMEOUT)
        ctl.sendall(("%s %d\n" % (path, nbytes)).encode("ascii"))
        return ctl


class UnixClientTests(UnixTestCase):

    def test_is_a_socket(self):
        s = self.unix()
        self.assertTrue(isinstance(s, socket.socket))
        self.assertEqual((s.family, s.type, s.proto), (socket.AF_UNIX, socket.SOCK_STREAM, 0))
        self.assertEqual(s.getsockname(), "")

    def test_echo_with_cpython_peer(self):
        self.check_echo(unix_echo_path())

    def test_nonblocking_echo(self):
        self.check_nonblocking_echo(unix_echo_path())

    def test_timeout_recv(self):
        s = self.unix(timeout=0.2)
        s.connect(unix_echo_path())
        self.assertTimesOut(s.recv, 10)

    def test_connect_missing_path(self):
        s = self.unix()
        self.assertRaisesErrno(errno.ENOENT, s.connect, self.path("missing"))
        self.assertEqual(self.unix().connect_ex(self.path("missing")), errno.ENOENT)

    def test_connect_to_path_nobody_listens_on(self):
        stale = self.unix()
        stale.bind(self.path())
        self.assertRaisesErrno(errno.ECONNREFUSED, self.unix().connect, self.path())

    def test_bad_addresses(self):
        s = self.unix()
        self.assertRaises(TypeError, s.bind, ("a", 1))
        self.assertRaises(TypeError, s.connect, 5)
        self.assertRaises(socket.error, s.bind, "x" * 200)

    def test_getpeername_unconnected(self):
        self.assertRaisesErrno(errno.ENOTCONN, self.unix().getpeername)

    def test_tcp_options_not_supported(self):
        s = self.unix()
        self.assertRaisesErrno(errno.EOPNOTSUPP, s.getsockopt, socket.IPPROTO_TCP,
                               socket.TCP_NODELAY)
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_STREAM)


class UnixServerTests(UnixTestCase):

    def test_bind_creates_the_file(self):
        s = self.unix()
        s.bind(self.path())
        self.assertEqual(s.getsockname(), self.path())
        self.assertTrue(os.path.exists(self.path()))
        self.assertRaisesErrno(errno.EADDRINUSE, self.unix().bind, self.path())

    def test_listen_without_bind_einval(self):
        self.assertRaisesErrno(errno.EINVAL, self.unix().listen, 1)

    def test_accept_cpython_client(self):
        srv = self.unix_listener()
        self.assertEqual(srv.getsockname(), self.path())
        ctl = self.ask_dialer(self.path(), 100000)
        conn, address = srv.accept()
        self.track(conn)
        conn.settimeout(IO_TIMEOUT)
        self.assertEqual(address, "")
        self.assertEqual((conn.family, conn.type), (socket.AF_UNIX, socket.SOCK_STREAM))
        self.assertEqual(recv_exact(conn, 100000), pattern(100000))
        self.assertEqual(conn.recv(10), b"")
        conn.close()
        self.assertEqual(dial_result(ctl), (0, sha256hex(b"")))

    def test_reply_after_peer_shut_down_writing(self):
        """The peer's SHUT_WR ends our input only: we read EOF, then still send."""
        srv = self.unix_listener()
        ctl = self.ask_dialer(self.path(), 5000)
        conn, _ = srv.accept()
        self.track(conn)
        conn.settimeout(IO_TIMEOUT)
        self.assertEqual(recv_until_eof(conn), pattern(5000))
        self.assertEqual(select.select([conn], [conn], [], 0), ([conn], [conn], []))
        reply = b"got it all" * 1000
        conn.sendall(reply)
        conn.close()
        self.assertEqual(dial_result(ctl), (len(reply), sha256hex(reply)))

    def test_select_on_listener(self):
        srv = self.unix_listener(timeout=0.0)
        self.assertEqual(select.select([srv], [], [], 0)[0], [])
        self.assertRaisesErrno(errno.EAGAIN, srv.accept)
        client = self.unix()
        client.connect(self.path())
        self.assertEqual(select.select([srv], [], [], IO_TIMEOUT)[0], [srv])
        conn, _ = srv.accept()
        self.track(conn)
        conn.settimeout(IO_TIMEOUT)
        client.sendall(b"local")
        self.assertEqual(recv_exact(conn, 5), b"local")

    def test_both_ends_ours(self):
        srv = self.unix_listener()
        client = self.unix()
        client.connect(self.path())
        conn, _ = srv.accept()
        self.track(conn)
        conn.settimeout(IO_TIMEOUT)
        self.assertEqual(client.getpeername(), self.path())
        self.assertEqual(conn.getsockname(), self.path())
        self.assertEqual(conn.getpeername(), "")
        client.sendall(b"request")
        self.assertEqual(recv_exact(conn, 7), b"request")
        conn.sendall(b"reply")
        conn.close()
        self.assertEqual(recv_until_eof(client), b"reply")


def abstract_echo_name():
    return "\0" + os.environ["JNS_PEER_UNIX_ABSTRACT_ECHO"]


class UnixAbstractTests(UnixTestCase):
    """Linux abstract names (a leading NUL byte): no file, names read back with the NUL."""

    def abstract(self, name="s"):
        return "\0jy-unix-%d-%s-%s" % (os.getpid(), os.path.basename(self.dir), name)

    def test_echo_with_cpython_peer(self):
        self.check_echo(abstract_echo_name())

    def test_nonblocking_echo(self):
        self.check_nonblocking_echo(abstract_echo_name())

    def test_accept_cpython_client_and_half_close(self):
        srv = self.unix()
        srv.bind(self.abstract())
        srv.listen(5)
        self.assertEqual(srv.getsockname(), self.abstract())
        self.assertFalse(os.path.exists(self.abstract()[1:]))
        ctl = self.ask_dialer("@" + self.abstract()[1:], 70000)
        conn, address = srv.accept()
        self.track(conn)
        conn.settimeout(IO_TIMEOUT)
        self.assertEqual(address, "")
        self.assertEqual(conn.getsockname(), self.abstract())
        self.assertEqual(recv_until_eof(conn), pattern(70000))
        reply = b"after your FIN" * 1000
        conn.sendall(reply)
        conn.close()
        self.assertEqual(dial_result(ctl), (len(reply), sha256hex(reply)))

    def test_autobind_and_both_ends_ours(self):
        srv = self.unix()
        srv.bind("")
        name = srv.getsockname()
        self.assertEqual(len(name), 6)
        self.assertEqual(name[0], "\0")
        srv.listen(1)
        client = self.unix()
        client.bind(self.abstract("client"))
        client.connect(name)
        conn, address = srv.accept()
        self.track(conn)
        conn.settimeout(IO_TIMEOUT)
        self.assertEqual(address, self.abstract("client"))
        self.assertEqual(conn.getpeername(), self.abstract("client"))
        self.assertEqual(client.getpeername(), name)
        self.assertEqual(client.getsockname(), self.abstract("client"))
        client.sendall(b"request")
        client.shutdown(socket.SHUT_WR)
        self.assertEqual(recv_until_eof(conn), b"request")
        conn.sendall(b"reply")
        conn.close()
        self.assertEqual(recv_until_eof(client), b"reply")

    def test_select_on_listener(self):
        srv = self.unix(timeout=0.0)
        srv.bind(self.abstract())
        srv.listen(5)
        self.assertEqual(select.select([srv], [], [], 0)[0], [])
        self.assertRaisesErrno(errno.EAGAIN, srv.accept)
        client = self.unix()
        client.connect(self.abstract())
        self.assertEqual(select.select([srv], [], [], IO_TIMEOUT)[0], [srv])
        conn, _ = srv.accept()
        self.track(conn)

    def test_errors(self):
        taken = self.unix()
        taken.bind(self.abstract())
        self.assertRaisesErrno(errno.EADDRINUSE, self.unix().bind, self.abstract())
        self.assertRaisesErrno(errno.ECONNREFUSED, self.unix().connect, self.abstract("none"))
        self.assertEqual(self.unix().connect_ex(self.abstract("none")), errno.ECONNREFUSED)
        self.assertRaisesErrno(errno.ECONNREFUSED, self.unix().connect, self.abstract())
        self.assertRaisesErrno(errno.EINVAL, taken.bind, self.abstract("again"))

    def test_wrong_type(self):
        """Abstract names are per socket type on Linux; a path is a file of the other type."""
        d = self.track(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
        d.bind(self.abstract("dgram"))
        self.assertRaisesErrno(errno.ECONNREFUSED, self.unix().connect, self.abstract("dgram"))
        d = self.track(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
        d.bind(self.path("dgram"))
        self.assertRaisesErrno(errno.EPROTOTYPE, self.unix().connect, self.path("dgram"))

    def test_close_bound_frees_the_name(self):
        s = self.unix()
        s.bind(self.abstract())
        s.close()
        again = self.unix()
        again.bind(self.abstract())
        again.listen(1)


if __name__ == "__main__":
    unittest.main()
