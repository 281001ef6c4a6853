# -*- coding: utf-8 -*-
"""select, poll and epoll over every kind of TCP socket: new, listening, connecting,
connected, accepted, at EOF, half and fully shut down, reset, failed, closed.

For each state the exact poll(2) mask is asserted (all request bits on), and select and
epoll must agree with it, as on Linux (these cases pass on the cpython2 oracle).  The
fill-until-EAGAIN cases prove that "not writable" is seen and that the socket turns
writable again once the peer drains, through poll, level- and edge-triggered epoll.
"""

import errno
import select
import socket
import time
import unittest

from netsupport import (NetTestCase, dial, dial_result, peer, recv_exact, recv_until_eof,
                        sha256hex, slow_drain)

POLLRDHUP = 0x2000          # Linux's value; CPython 2.7's select does not export it
ALL = (select.POLLIN | select.POLLPRI | select.POLLOUT | select.POLLRDNORM |
       select.POLLRDBAND | select.POLLWRNORM | select.POLLWRBAND | select.POLLMSG | POLLRDHUP)
IN = select.POLLIN | select.POLLRDNORM
OUT = select.POLLOUT | select.POLLWRNORM
EOF = IN | POLLRDHUP
ERR, HUP, NVAL = select.POLLERR, select.POLLHUP, select.POLLNVAL
SELECT_READ = IN | select.POLLRDBAND | HUP | ERR
SELECT_WRITE = OUT | select.POLLWRBAND | ERR


def poll_mask(sock, timeout_ms=0):
    p = select.poll()
    p.register(sock, ALL)
    events = p.poll(timeout_ms)
    return events[0][1] if events else 0


def epoll_mask(sock):
    ep = select.epoll()
    try:
        ep.register(sock, ALL)
        events = ep.poll(0)
        return events[0][1] if events else 0
    finally:
        ep.close()


class StateTests(NetTestCase):

    def assertReadiness(self, sock, expected):
        """poll, epoll and select all report `expected` (a poll mask) for `sock` now."""
        self.assertEqual(poll_mask(sock), expected,
                         "poll: %#x, expected %#x" % (poll_mask(sock), expected))
        self.assertEqual(epoll_mask(sock), expected,
                         "epoll: %#x, expected %#x" % (epoll_mask(sock), expected))
        r, w, x = select.select([sock], [sock], [sock], 0)
        self.assertEqual((bool(r), bool(w), bool(x)),
                         (bool(expected & SELECT_READ), bool(expected & SELECT_WRITE), False))

    def settle(self, sock, bits, timeout=5.0):
        """Wait until poll reports all of `bits` for `sock` (and a moment for the rest)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if poll_mask(sock, 100) & bits == bits:
                time.sleep(0.05)
                return
        self.fail("%#x not reported within %ss (mask %#x)" % (bits, timeout, poll_mask(sock)))

    def pair(self):
        """(client, accepted) connected over loopback in this process."""
        srv = self.listener()
        client = self.tcp()
        client.connect(srv.getsockname())
        accepted, _ = srv.accept()
        self.track(accepted)
        accepted.settimeout(10.0)
        srv.close()
        return client, accepted

    # ------------------------------------------------------------------ states

    def test_new_socket_is_writable_and_hung_up(self):
        self.assertReadiness(self.tcp(), OUT | HUP)

    def test_bound_socket_is_like_a_new_one(self):
        s = self.tcp()
        s.bind(("127.0.0.1", 0))
        self.assertReadiness(s, OUT | HUP)

    def test_listening_socket(self):
        srv = self.listener()
        self.assertReadiness(srv, 0)
        ctl = dial(srv.getsockname()[1], 5)
        self.settle(srv, IN)
        self.assertReadiness(srv, IN)
        conn, _ = srv.accept()
        self.track(conn)
        self.assertReadiness(srv, 0)
        self.assertEqual(recv_until_eof(conn), b"\0\1\2\3\4")
        conn.close()
        self.assertEqual(dial_result(ctl), (0, sha256hex(b"")))

    def test_connecting_socket_reports_nothing(self):
        # A listener whose accept queue is full drops SYNs, so a connect stays in progress.
        srv = self.listener(backlog=0)
        pending = None
        for _ in range(12):
            s = self.tcp()
            s.setblocking(False)
            code = s.connect_ex(srv.getsockname())
            self.assertTrue(code in (0, errno.EINPROGRESS), code)
            if not select.select([], [s], [], 0.5)[1]:
                pending = s
                break
        self.assertTrue(pending is not None, "every connect completed")
        self.assertReadiness(pending, 0)
        self.assertEqual(pending.connect_ex(srv.getsockname()), errno.EALREADY)

    def test_connected_socket(self):
        s = self.connect("ECHO")
        self.assertReadiness(s, OUT)
        s.sendall(b"echo me")
        self.settle(s, IN)
        self.assertReadiness(s, IN | OUT)
        self.assertEqual(recv_exact(s, 7), b"echo me")
        self.assertReadiness(s, OUT)

    def test_accepted_socket(self):
        client, accepted = self.pair()
        self.assertReadiness(accepted, OUT)
        client.sendall(b"abc")
        self.settle(accepted, IN)
        self.assertReadiness(accepted, IN | OUT)
        self.assertEqual(recv_exact(accepted, 3), b"abc")
        self.assertReadiness(accepted, OUT)

    def test_eof_with_and_without_unread_data(self):
        s = self.connect("GREETER")
        self.settle(s, POLLRDHUP)
        self.assertReadiness(s, EOF | OUT)
        recv_until_eof(s)
        self.assertReadiness(s, EOF | OUT)

    def test_our_shutdown_write_alone_stays_writable(self):
        client, accepted = self.pair()
        client.shutdown(socket.SHUT_WR)
        self.assertReadiness(client, OUT)
        self.settle(accepted, POLLRDHUP)
        self.assertReadiness(accepted, EOF | OUT)

    def test_both_directions_shut_is_hang_up(self):
        client, accepted = self.pair()
        client.shutdown(socket.SHUT_WR)
        self.settle(accepted, POLLRDHUP)
        accepted.shutdown(socket.SHUT_WR)
        self.settle(client, POLLRDHUP)
        self.assertReadiness(client, EOF | OUT | HUP)
        self.assertReadiness(accepted, EOF | OUT | HUP)

    def test_shutdown_read(self):
        client, accepted = self.pair()
        accepted.shutdown(socket.SHUT_RD)
        self.assertReadiness(accepted, EOF | OUT)
        self.assertEqual(accepted.recv(10), b"")

    def test_reset_is_error_and_hang_up_until_read(self):
        s = self.connect("RST")
        s.sendall(b"go")
        self.settle(s, ERR)
        self.assertReadiness(s, ERR | EOF | OUT | HUP)
        self.assertRaisesErrno(errno.ECONNRESET, s.recv, 10)
        self.assertReadiness(s, EOF | OUT | HUP)

    def test_failed_connect_is_error_until_so_error_is_read(self):
        s = self.tcp()
        s.setblocking(False)
        self.assertTrue(s.connect_ex(peer("CLOSED")) in (errno.EINPROGRESS, errno.ECONNREFUSED))
        self.settle(s, ERR)
        self.assertReadiness(s, ERR | EOF | OUT | HUP)
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), errno.ECONNREFUSED)
        self.assertReadiness(s, EOF | OUT | HUP)

    def test_closed_socket(self):
        s = self.connect("ECHO")
        number = s.fileno()
        p = select.poll()
        p.register(number, ALL)
        ep = select.epoll()
        self.track(ep)
        ep.register(number, ALL)
        self.assertEqual(ep.poll(0), [(number, OUT)])
        s.close()
        self.assertEqual(p.poll(0), [(number, NVAL)])
        self.assertEqual(ep.poll(0), [])     # the kernel drops a closed file from the set
        self.assertRaisesErrno(errno.EBADF, select.select, [s], [], [], 0)
        again = self.tcp()                    # may take the same number: no EEXIST then
        ep.register(again, ALL)
        self.assertEqual(ep.poll(0), [(again.fileno(), OUT | HUP)])

    def test_poll_follows_a_reused_number(self):
        s = self.tcp()
        number = s.fileno()
        p = select.poll()
        p.register(number, select.POLLOUT)
        s.close()
        self.assertEqual(p.poll(0), [(number, NVAL)])
        fresh = [self.tcp() for _ in range(3)]
        same = [f for f in fresh if f.fileno() == number]
        self.assertEqual(len(same), 1, "the lowest free number was not reused")
        self.assertEqual(p.poll(0), [(number, select.POLLOUT | HUP)])

    # ------------------------------------------------------------------ backpressure

    def fill(self):
        s = self.connect("SLOW")
        s.setblocking(False)
        total = self.fill_send_buffer(s, settle=True)
        return s, total

    def finish(self, s, ctl, total):
        s.setblocking(True)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(dial_result(ctl), (total, sha256hex(b"\0" * total)))

    def test_poll_not_writable_when_full_then_writable_after_drain(self):
        s, total = self.fill()
        p = select.poll()
        p.register(s, select.POLLOUT)
        self.assertEqual(p.poll(300), [])
        ctl = slow_drain(s.getsockname()[1])
        self.assertEqual(p.poll(10000), [(s.fileno(), select.POLLOUT)])
        self.finish(s, ctl, total)

    def test_epoll_level_triggered_not_writable_when_full(self):
        s, total = self.fill()
        ep = select.epoll()
        self.track(ep)
        ep.register(s, select.EPOLLOUT)
        self.assertEqual(ep.poll(0.3), [])
        ctl = slow_drain(s.getsockname()[1])
        self.assertEqual(ep.poll(10), [(s.fileno(), select.EPOLLOUT)])
        self.assertEqual(ep.poll(0), [(s.fileno(), select.EPOLLOUT)])   # still a level
        self.finish(s, ctl, total)

    def test_epoll_edge_triggered_reports_writable_once_after_drain(self):
        s, total = self.fill()
        ep = select.epoll()
        self.track(ep)
        ep.register(s, select.EPOLLOUT | select.EPOLLET)
        self.assertEqual(ep.poll(0.3), [])
        ctl = slow_drain(s.getsockname()[1])
        self.assertEqual(ep.poll(10), [(s.fileno(), select.EPOLLOUT)])
        self.finish(s, ctl, total)


if __name__ == "__main__":
    unittest.main()
