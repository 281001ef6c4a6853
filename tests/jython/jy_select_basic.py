# -*- coding: utf-8 -*-
"""select.select readiness on TCP sockets: level-triggered, EOF stays readable.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
"""

import errno
import select
import socket
import time
import unittest

from netsupport import (NetTestCase, Stopwatch, dial, dial_result, peer, recv_exact,
                        recv_until_eof, sha256hex, slow_drain)


class SelectTests(NetTestCase):

    def wait_readable(self, sock, timeout=5.0):
        r, w, x = select.select([sock], [], [], timeout)
        self.assertEqual(r, [sock], "not readable within %ss" % timeout)

    def test_nothing_ready_times_out(self):
        s = self.connect("ECHO")
        with Stopwatch() as sw:
            result = select.select([s], [], [], 0.3)
        self.assertEqual(list(result), [[], [], []])
        self.assertTrue(0.25 <= sw.elapsed < 5.0, "select returned after %.3fs" % sw.elapsed)

    def test_empty_lists_sleep_for_timeout(self):
        with Stopwatch() as sw:
            result = select.select([], [], [], 0.2)
        self.assertEqual(list(result), [[], [], []])
        self.assertTrue(0.15 <= sw.elapsed < 5.0, sw.elapsed)

    def test_zero_timeout_polls(self):
        s = self.connect("ECHO")
        with Stopwatch() as sw:
            self.assertEqual(list(select.select([s], [], [], 0)), [[], [], []])
        self.assertTrue(sw.elapsed < 1.0, sw.elapsed)

    def test_connected_socket_is_writable(self):
        s = self.connect("ECHO")
        r, w, x = select.select([], [s], [], 5.0)
        self.assertEqual(w, [s])

    def test_readable_when_data_arrives(self):
        s = self.connect("ECHO")
        s.sendall(b"ping")
        self.wait_readable(s)
        self.assertEqual(recv_exact(s, 4), b"ping")

    def test_readable_without_timeout_argument(self):
        s = self.connect("ECHO")
        s.sendall(b"x")
        r, w, x = select.select([s], [], [])
        self.assertEqual(r, [s])

    def test_level_triggered_until_read(self):
        s = self.connect("ECHO")
        s.sendall(b"data")
        self.wait_readable(s)
        time.sleep(0.1)
        # nothing consumed: still readable, every time
        for _ in range(3):
            self.assertEqual(select.select([s], [], [], 0)[0], [s])
        self.assertEqual(recv_exact(s, 4), b"data")
        self.assertEqual(select.select([s], [], [], 0.1)[0], [])

    def test_partially_read_data_stays_readable(self):
        s = self.connect("ECHO")
        s.sendall(b"abcdef")
        self.wait_readable(s)
        time.sleep(0.1)
        self.assertEqual(s.recv(2), b"ab")
        self.assertEqual(select.select([s], [], [], 0)[0], [s])
        self.assertEqual(recv_exact(s, 4), b"cdef")

    def test_eof_stays_readable(self):
        s = self.connect("GREETER")
        recv_until_eof(s)
        for _ in range(3):
            self.assertEqual(select.select([s], [], [], 2.0)[0], [s])
            self.assertEqual(s.recv(1024), b"")

    def test_eof_readable_before_any_recv(self):
        s = self.connect("GREETER")
        time.sleep(0.2)
        self.wait_readable(s)
        self.assertTrue(recv_until_eof(s))
        self.wait_readable(s, 0.5)

    def test_reset_connection_is_readable(self):
        s = self.connect("RST")
        s.sendall(b"go")
        self.wait_readable(s)
        self.assertRaisesErrno(errno.ECONNRESET, s.recv, 1024)

    def test_only_ready_sockets_returned(self):
        a = self.connect("ECHO")
        b = self.connect("ECHO")
        b.sendall(b"only b")
        r, w, x = select.select([a, b], [], [], 5.0)
        self.assertEqual(r, [b])
        self.assertTrue(r[0] is b)
        self.assertEqual(recv_exact(b, 6), b"only b")

    def test_listening_socket_readable_on_pending_connection(self):
        srv = self.listener()
        self.assertEqual(select.select([srv], [], [], 0.1)[0], [])
        ctl = dial(srv.getsockname()[1], 7)
        self.wait_readable(srv)
        srv.setblocking(False)
        conn, _ = srv.accept()      # must not raise EAGAIN: select said it is ready
        self.track(conn)
        conn.setblocking(True)
        conn.settimeout(10.0)
        self.assertEqual(len(recv_until_eof(conn)), 7)
        conn.close()
        self.assertEqual(dial_result(ctl), (0, sha256hex(b"")))

    def test_not_writable_when_send_buffer_full(self):
        s = self.connect("SLOW")
        s.setblocking(False)
        total = self.fill_send_buffer(s, settle=True)
        self.assertEqual(select.select([], [s], [], 0.3)[1], [])
        ctl = slow_drain(s.getsockname()[1])
        self.assertEqual(select.select([], [s], [], 10.0)[1], [s])
        s.setblocking(True)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(dial_result(ctl), (total, sha256hex(b"\0" * total)))

    def test_nonblocking_connect_becomes_writable(self):
        s = self.tcp()
        s.setblocking(False)
        self.assertEqual(s.connect_ex(peer("ECHO")), errno.EINPROGRESS)
        r, w, x = select.select([], [s], [], 5.0)
        self.assertEqual(w, [s])
        s.setblocking(True)
        s.settimeout(10.0)
        self.assertEqual(s.getpeername(), peer("ECHO"))
        s.sendall(b"connected")
        self.assertEqual(recv_exact(s, 9), b"connected")

    def test_select_closed_socket_ebadf(self):
        s = self.connect("ECHO")
        s.close()
        try:
            select.select([s], [], [], 0)
        except (select.error, socket.error) as exc:
            self.assertNotJava(exc)
            self.assertEqual(exc.args[0], errno.EBADF)
        else:
            self.fail("select on a closed socket did not raise")

    def busy_echo(self, s, seconds):
        """From a thread: ping-pong with the echo peer on `s` for `seconds`, so `s` sees
        many edges (data arriving) while never becoming exceptional."""
        def run():
            end = time.time() + seconds
            rounds = 0
            while time.time() < end:
                s.sendall(b"tick")
                recv_exact(s, 4)
                rounds += 1
            return rounds
        return self.thread(run)

    def test_timeout_not_stretched_by_spurious_wakeups(self):
        s = self.connect("ECHO")
        t = self.busy_echo(s, 2.0)
        time.sleep(0.2)
        for wait in (lambda: select.select([], [], [s], 0.5),
                     lambda: self.poll_for(s, select.POLLPRI, 500),
                     lambda: self.epoll_for(s, select.EPOLLPRI, 0.5)):
            with Stopwatch() as sw:
                result = wait()
            self.assertFalse(any(result), result)
            self.assertTrue(0.45 <= sw.elapsed < 1.5,
                            "a 0.5 s wait took %.3f s under spurious wake-ups" % sw.elapsed)
        self.assertTrue(self.join_thread(t) > 0)

    def poll_for(self, s, mask, timeout_ms):
        p = select.poll()
        p.register(s, mask)
        return p.poll(timeout_ms)

    def epoll_for(self, s, mask, timeout):
        ep = select.epoll()
        try:
            ep.register(s, mask)
            return ep.poll(timeout)
        finally:
            ep.close()

    def test_select_returns_tuple_of_lists(self):
        s = self.connect("ECHO")
        result = select.select([s], [s], [], 5.0)
        self.assertTrue(isinstance(result, tuple) and len(result) == 3,
                        "select returned %r, not a 3-tuple" % (result,))
        for part in result:
            self.assertTrue(isinstance(part, list), type(part))


if __name__ == "__main__":
    unittest.main()
