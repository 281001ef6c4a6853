# -*- coding: utf-8 -*-
"""TCP client sockets over loopback against the CPython 3 peers (blocking mode).

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
"""

import errno
import socket
import unittest

from netsupport import (NetTestCase, greeting, pattern, peer, recv_exact, recv_until_eof,
                        sha256hex)


class ConnectTests(NetTestCase):

    def test_connect_and_echo(self):
        s = self.connect("ECHO")
        s.sendall(b"hello")
        self.assertEqual(recv_exact(s, 5), b"hello")

    def test_connect_returns_none(self):
        s = self.tcp()
        self.assertEqual(s.connect(peer("ECHO")), None)

    def test_getpeername_and_getsockname(self):
        s = self.connect("ECHO")
        self.assertEqual(s.getpeername(), peer("ECHO"))
        host, port = s.getsockname()
        self.assertEqual(host, "127.0.0.1")
        self.assertTrue(0 < port < 65536, port)
        self.assertNotEqual(port, peer("ECHO")[1])

    def test_connect_refused(self):
        s = self.tcp()
        self.assertRaisesErrno(errno.ECONNREFUSED, s.connect, peer("CLOSED"))

    def test_connect_ex_refused_returns_errno(self):
        s = self.tcp()
        self.assertEqual(s.connect_ex(peer("CLOSED")), errno.ECONNREFUSED)

    def test_connect_ex_success_returns_zero(self):
        s = self.tcp()
        self.assertEqual(s.connect_ex(peer("ECHO")), 0)
        s.sendall(b"x")
        self.assertEqual(recv_exact(s, 1), b"x")

    def test_connect_twice_eisconn(self):
        # blocking mode (in timeout mode CPython 2.7 quietly accepts the second connect)
        s = self.connect("ECHO", timeout=None)
        self.assertRaisesErrno(errno.EISCONN, s.connect, peer("ECHO"))

    def test_getpeername_unconnected_enotconn(self):
        s = self.tcp()
        self.assertRaisesErrno(errno.ENOTCONN, s.getpeername)

    def test_create_connection(self):
        s = self.track(socket.create_connection(peer("ECHO")))
        self.assertEqual(s.gettimeout(), None)
        self.assertEqual(s.getpeername(), peer("ECHO"))
        s.sendall(b"abc")
        self.assertEqual(recv_exact(s, 3), b"abc")

    def test_create_connection_with_timeout(self):
        s = self.track(socket.create_connection(peer("ECHO"), 7.5))
        self.assertEqual(s.gettimeout(), 7.5)
        s.sendall(b"abc")
        self.assertEqual(recv_exact(s, 3), b"abc")

    def test_create_connection_refused(self):
        self.assertRaisesErrno(errno.ECONNREFUSED, socket.create_connection, peer("CLOSED"))

    def test_socket_type_attributes(self):
        s = self.tcp()
        self.assertEqual(s.family, socket.AF_INET)
        self.assertEqual(s.type, socket.SOCK_STREAM)


class DataTests(NetTestCase):

    def test_send_returns_count(self):
        s = self.connect("ECHO")
        n = s.send(b"0123456789")
        self.assertTrue(isinstance(n, int) and 0 < n <= 10, n)
        self.assertEqual(recv_exact(s, n), b"0123456789"[:n])

    def test_sendall_returns_none(self):
        s = self.connect("ECHO")
        self.assertEqual(s.sendall(b"abc"), None)
        self.assertEqual(recv_exact(s, 3), b"abc")

    def test_recv_never_returns_more_than_bufsize(self):
        s = self.connect("ECHO")
        data = pattern(200000)
        writer = self.thread(s.sendall, data)
        sizes = [1, 7, 100, 1000, 4096, 3, 65536, 17]
        got = []
        total = 0
        i = 0
        while total < len(data):
            n = sizes[i % len(sizes)]
            i += 1
            chunk = s.recv(n)
            self.assertTrue(chunk, "unexpected EOF")
            self.assertTrue(len(chunk) <= n, "recv(%d) returned %d bytes" % (n, len(chunk)))
            got.append(chunk)
            total += len(chunk)
        self.join_thread(writer)
        self.assertEqual(b"".join(got), data)

    def test_recv_returns_available_data_without_waiting_for_bufsize(self):
        s = self.connect("ECHO")
        s.sendall(b"abc")
        data = s.recv(65536)
        self.assertTrue(0 < len(data) <= 3, repr(data))
        self.assertEqual(data + recv_exact(s, 3 - len(data)), b"abc")

    def test_recv_returns_str(self):
        s = self.connect("ECHO")
        s.sendall(b"\x00\xff\x80")
        data = recv_exact(s, 3)
        self.assertTrue(isinstance(data, bytes), type(data))
        self.assertEqual(data, b"\x00\xff\x80")

    def test_bulk_sha256_through_echo(self):
        s = self.connect("ECHO")
        data = pattern(4 * 1024 * 1024 + 17)

        def write():
            view = 0
            while view < len(data):
                s.sendall(data[view:view + 100000])
                view += 100000
            s.shutdown(socket.SHUT_WR)
        writer = self.thread(write)
        received = recv_until_eof(s)
        self.join_thread(writer)
        self.assertEqual(len(received), len(data))
        self.assertEqual(sha256hex(received), sha256hex(data))

    def test_recv_eof_from_greeter(self):
        s = self.connect("GREETER")
        self.assertEqual(recv_until_eof(s), greeting())

    def test_recv_after_eof_keeps_returning_empty(self):
        s = self.connect("GREETER")
        recv_until_eof(s)
        for _ in range(5):
            self.assertEqual(s.recv(1024), b"")

    def test_recv_after_reset_econnreset(self):
        s = self.connect("RST")
        s.sendall(b"trigger")
        self.assertRaisesErrno(errno.ECONNRESET, s.recv, 1024)

    def test_interleaved_ping_pong(self):
        s = self.connect("ECHO")
        for i in range(200):
            msg = ("ping %d" % i).encode("ascii")
            s.sendall(msg)
            self.assertEqual(recv_exact(s, len(msg)), msg)


class ShutdownTests(NetTestCase):

    def test_shutdown_wr_sends_fin_and_keeps_reading(self):
        s = self.connect("HALFCLOSE")
        s.sendall(pattern(100000))
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(recv_until_eof(s), b"100000")

    def test_shutdown_wr_echo_still_receives(self):
        s = self.connect("ECHO")
        s.sendall(b"last words")
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(recv_until_eof(s), b"last words")

    def test_send_after_shutdown_wr_epipe(self):
        s = self.connect("ECHO")
        s.shutdown(socket.SHUT_WR)
        self.assertRaisesErrno(errno.EPIPE, s.send, b"x")

    def test_shutdown_rd_then_recv_returns_empty(self):
        s = self.connect("ECHO")
        s.shutdown(socket.SHUT_RD)
        self.assertEqual(s.recv(10), b"")

    def test_shutdown_unconnected_enotconn(self):
        s = self.tcp()
        self.assertRaisesErrno(errno.ENOTCONN, s.shutdown, socket.SHUT_RDWR)

    def test_shutdown_rdwr_then_recv_returns_empty(self):
        s = self.connect("ECHO")
        s.shutdown(socket.SHUT_RDWR)
        self.assertEqual(s.recv(10), b"")


class CloseTests(NetTestCase):

    def closed_socket(self):
        s = self.connect("ECHO")
        s.close()
        return s

    def test_send_after_close_ebadf(self):
        s = self.closed_socket()
        self.assertRaisesErrno(errno.EBADF, s.send, b"x")

    def test_sendall_after_close_ebadf(self):
        s = self.closed_socket()
        self.assertRaisesErrno(errno.EBADF, s.sendall, b"x")

    def test_recv_after_close_ebadf(self):
        s = self.closed_socket()
        self.assertRaisesErrno(errno.EBADF, s.recv, 1)

    def test_getsockname_after_close_ebadf(self):
        s = self.closed_socket()
        self.assertRaisesErrno(errno.EBADF, s.getsockname)

    def test_connect_after_close_ebadf(self):
        s = self.tcp()
        s.close()
        self.assertRaisesErrno(errno.EBADF, s.connect, peer("ECHO"))

    def test_close_twice_is_harmless(self):
        s = self.connect("ECHO")
        s.close()
        self.assertEqual(s.close(), None)


class ExceptionTypeTests(NetTestCase):

    def test_exception_hierarchy(self):
        self.assertTrue(issubclass(socket.error, IOError))
        self.assertTrue(issubclass(socket.timeout, socket.error))
        self.assertTrue(issubclass(socket.gaierror, socket.error))
        self.assertTrue(issubclass(socket.herror, socket.error))

    def test_refused_error_str(self):
        s = self.tcp()
        exc = self.assertRaisesErrno(errno.ECONNREFUSED, s.connect, peer("CLOSED"))
        self.assertEqual(len(exc.args), 2)
        self.assertTrue(isinstance(exc.args[1], str) and exc.args[1], exc.args)
        self.assertEqual(exc.strerror, exc.args[1])


if __name__ == "__main__":
    unittest.main()
