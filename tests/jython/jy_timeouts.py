# -*- coding: utf-8 -*-
"""Blocking, timeout and non-blocking modes; send backpressure against the slow reader.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
"""

import errno
import socket
import time
import unittest

from netsupport import (NetTestCase, Stopwatch, dial_result, peer, recv_exact, sha256hex,
                        slow_drain)


class TimeoutValueTests(NetTestCase):

    def test_new_socket_is_blocking(self):
        s = self.tcp(timeout=None)
        self.assertEqual(s.gettimeout(), None)

    def test_settimeout_roundtrip(self):
        s = self.tcp(timeout=None)
        s.settimeout(2.5)
        self.assertEqual(s.gettimeout(), 2.5)
        s.settimeout(3)
        self.assertEqual(s.gettimeout(), 3.0)
        self.assertTrue(isinstance(s.gettimeout(), float))
        s.settimeout(0)
        self.assertEqual(s.gettimeout(), 0.0)
        s.settimeout(None)
        self.assertEqual(s.gettimeout(), None)

    def test_setblocking_sets_timeout(self):
        s = self.tcp(timeout=None)
        s.setblocking(False)
        self.assertEqual(s.gettimeout(), 0.0)
        s.setblocking(True)
        self.assertEqual(s.gettimeout(), None)
        s.settimeout(4.0)
        s.setblocking(0)
        self.assertEqual(s.gettimeout(), 0.0)
        s.setblocking(1)
        self.assertEqual(s.gettimeout(), None)

    def test_settimeout_negative_valueerror(self):
        s = self.tcp(timeout=None)
        self.assertRaises(ValueError, s.settimeout, -1)
        self.assertEqual(s.gettimeout(), None)

    def test_settimeout_bad_type_typeerror(self):
        s = self.tcp(timeout=None)
        self.assertRaises(TypeError, s.settimeout, "1.0")

    def test_setdefaulttimeout_applies_to_new_sockets(self):
        socket.setdefaulttimeout(1.5)      # restored by tearDown
        self.assertEqual(socket.getdefaulttimeout(), 1.5)
        s = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        self.assertEqual(s.gettimeout(), 1.5)
        socket.setdefaulttimeout(None)
        t = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        self.assertEqual(t.gettimeout(), None)
        self.assertEqual(s.gettimeout(), 1.5)

    def test_timeout_exception_shape(self):
        exc = socket.timeout("timed out")
        self.assertTrue(isinstance(exc, socket.error))
        self.assertTrue(isinstance(exc, IOError))
        self.assertEqual(str(exc), "timed out")


class TimeoutBehaviourTests(NetTestCase):

    def test_recv_timeout(self):
        s = self.connect("ECHO", timeout=0.3)
        with Stopwatch() as sw:
            exc = self.assertTimesOut(s.recv, 1024)
        self.assertEqual(str(exc), "timed out")
        self.assertTrue(0.25 <= sw.elapsed < 5.0, "timed out after %.3fs" % sw.elapsed)

    def test_socket_usable_after_recv_timeout(self):
        s = self.connect("ECHO", timeout=0.2)
        self.assertTimesOut(s.recv, 1024)
        s.settimeout(5.0)
        s.sendall(b"still alive")
        self.assertEqual(recv_exact(s, 11), b"still alive")

    def test_recv_with_timeout_returns_data_that_arrives_later(self):
        s = self.connect("ECHO", timeout=5.0)
        t = self.thread(lambda: (time.sleep(0.3), s.sendall(b"late")))
        with Stopwatch() as sw:
            data = recv_exact(s, 4)
        self.join_thread(t)
        self.assertEqual(data, b"late")
        self.assertTrue(sw.elapsed >= 0.2, sw.elapsed)

    def test_connect_with_timeout(self):
        s = self.tcp(timeout=3.0)
        s.connect(peer("ECHO"))
        self.assertEqual(s.gettimeout(), 3.0)
        s.sendall(b"t")
        self.assertEqual(recv_exact(s, 1), b"t")

    def test_connect_with_timeout_refused(self):
        s = self.tcp(timeout=3.0)
        self.assertRaisesErrno(errno.ECONNREFUSED, s.connect, peer("CLOSED"))

    def test_send_timeout_against_slow_reader(self):
        s = self.connect("SLOW", timeout=0.5)
        with Stopwatch() as sw:
            total = self.fill_send_buffer(s)
        self.assertTrue(total > 0)
        self.assertTrue(sw.elapsed >= 0.4, "send gave up after %.3fs" % sw.elapsed)
        # every byte that send() accepted reaches the peer once it reads
        ctl = slow_drain(s.getsockname()[1])
        s.settimeout(10.0)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(dial_result(ctl), (total, sha256hex(b"\0" * total)))

    def test_sendall_timeout_against_slow_reader(self):
        s = self.connect("SLOW", timeout=0.5)
        with Stopwatch() as sw:
            self.assertTimesOut(s.sendall, b"x" * (32 * 1024 * 1024))
        self.assertTrue(0.4 <= sw.elapsed < 20.0, "sendall gave up after %.3fs" % sw.elapsed)

    def test_sendall_blocks_until_reader_drains(self):
        s = self.connect("SLOW", timeout=None)
        data = b"\x5a" * (16 * 1024 * 1024)
        writer = self.thread(s.sendall, data)
        writer.join(0.7)
        self.assertTrue(writer.is_alive() if hasattr(writer, "is_alive") else writer.isAlive(),
                        "sendall of 16 MiB returned although the peer reads nothing")
        ctl = slow_drain(s.getsockname()[1])
        self.assertEqual(self.join_thread(writer), None)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(dial_result(ctl), (len(data), sha256hex(data)))


class NonBlockingTests(NetTestCase):

    def test_recv_would_block_eagain(self):
        s = self.connect("ECHO")
        s.setblocking(False)
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 1024)

    def test_accept_would_block_eagain(self):
        srv = self.listener()
        srv.setblocking(False)
        self.assertRaisesErrno(errno.EAGAIN, srv.accept)

    def test_send_until_eagain_then_drain(self):
        s = self.connect("SLOW")
        s.setblocking(False)
        total = self.fill_send_buffer(s)
        self.assertTrue(total > 0)
        self.assertRaisesErrno(errno.EAGAIN, s.send, b"more")
        ctl = slow_drain(s.getsockname()[1])
        s.setblocking(True)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(dial_result(ctl), (total, sha256hex(b"\0" * total)))

    def test_nonblocking_recv_returns_pending_data(self):
        s = self.connect("ECHO")
        s.sendall(b"queued")
        time.sleep(0.2)
        s.setblocking(False)
        self.assertEqual(recv_exact(s, 6), b"queued")

    def test_connect_ex_in_progress(self):
        s = self.tcp()
        s.setblocking(False)
        self.assertEqual(s.connect_ex(peer("ECHO")), errno.EINPROGRESS)


if __name__ == "__main__":
    unittest.main()
