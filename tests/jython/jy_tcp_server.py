# -*- coding: utf-8 -*-
"""TCP server sockets: bind, listen, accept, facing the CPython 3 dialer peer.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
"""

import errno
import socket
import unittest

from netsupport import (NetTestCase, Stopwatch, dial, dial_result, pattern, recv_exact,
                        recv_until_eof, sha256hex)


class BindTests(NetTestCase):

    def test_getsockname_after_bind_shows_kernel_port(self):
        s = self.tcp()
        s.bind(("127.0.0.1", 0))
        host, port = s.getsockname()
        self.assertEqual(host, "127.0.0.1")
        self.assertTrue(0 < port < 65536, port)

    def test_bind_reserves_port_eaddrinuse(self):
        a = self.tcp()
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        b = self.tcp()
        # the port is taken at bind time, before any listen()
        self.assertRaisesErrno(errno.EADDRINUSE, b.bind, ("127.0.0.1", port))

    def test_bind_listening_port_eaddrinuse(self):
        a = self.listener()
        b = self.tcp()
        self.assertRaisesErrno(errno.EADDRINUSE, b.bind, a.getsockname())

    def test_port_can_be_bound_again_as_soon_as_close_returns(self):
        # as on Linux with SO_REUSEADDR: a closed listener (one that served a connection, too)
        # leaves no LISTEN socket behind
        port = None
        for round in range(40):
            s = self.tcp()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port or 0))
            port = s.getsockname()[1]
            s.listen(5)
            if round % 2:
                c = self.tcp()
                c.connect(("127.0.0.1", port))
                conn, _ = s.accept()
                conn.close()
                c.close()
            s.close()

    def test_bind_twice_einval(self):
        s = self.tcp()
        s.bind(("127.0.0.1", 0))
        self.assertRaisesErrno(errno.EINVAL, s.bind, ("127.0.0.1", 0))

    def test_getsockname_unbound(self):
        s = self.tcp()
        self.assertEqual(s.getsockname(), ("0.0.0.0", 0))

    def test_bound_port_is_the_listening_port(self):
        s = self.tcp()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.listen(1)
        self.assertEqual(s.getsockname(), ("127.0.0.1", port))
        ctl = dial(port, 10)
        conn, _ = s.accept()
        self.track(conn)
        self.assertEqual(recv_until_eof(conn), pattern(10))
        conn.close()
        self.assertEqual(dial_result(ctl), (0, sha256hex(b"")))


class AcceptTests(NetTestCase):

    def test_accept_cpython_client_exchange(self):
        srv = self.listener()
        port = srv.getsockname()[1]
        ctl = dial(port, 100000)
        conn, addr = srv.accept()
        self.track(conn)
        self.assertEqual(addr[0], "127.0.0.1")
        self.assertEqual(conn.getpeername(), addr)
        self.assertEqual(conn.getsockname(), ("127.0.0.1", port))
        received = recv_until_eof(conn)
        self.assertEqual(sha256hex(received), sha256hex(pattern(100000)))
        reply = pattern(250000)[::-1]
        conn.sendall(reply)
        conn.shutdown(socket.SHUT_WR)
        self.assertEqual(dial_result(ctl), (len(reply), sha256hex(reply)))

    def test_close_after_sendall_delivers_everything(self):
        srv = self.listener()
        ctl = dial(srv.getsockname()[1], 0)
        conn, _ = srv.accept()
        self.track(conn)
        self.assertEqual(recv_until_eof(conn), b"")
        reply = pattern(300000)
        conn.sendall(reply)
        conn.close()          # no shutdown: close() itself must flush what send accepted
        self.assertEqual(dial_result(ctl), (len(reply), sha256hex(reply)))

    def test_accepted_socket_is_blocking(self):
        srv = self.listener(timeout=5.0)
        ctl = dial(srv.getsockname()[1], 0)
        conn, _ = srv.accept()
        self.track(conn)
        # CPython 2.7: the accepted socket gets the default timeout, not the listener's
        self.assertEqual(conn.gettimeout(), None)
        conn.close()
        dial_result(ctl)

    def test_accepted_socket_family_and_type(self):
        srv = self.listener()
        ctl = dial(srv.getsockname()[1], 0)
        conn, _ = srv.accept()
        self.track(conn)
        self.assertEqual(conn.family, socket.AF_INET)
        self.assertEqual(conn.type, socket.SOCK_STREAM)
        conn.close()
        dial_result(ctl)

    def test_accept_blocks_until_client_arrives(self):
        srv = self.listener(timeout=None)
        ctl = dial(srv.getsockname()[1], 5, delay_ms=400)
        with Stopwatch() as sw:
            conn, _ = srv.accept()
        self.track(conn)
        self.assertTrue(sw.elapsed >= 0.3, "accept returned after %.3fs" % sw.elapsed)
        self.assertEqual(recv_until_eof(conn), pattern(5))
        conn.close()
        dial_result(ctl)

    def test_accept_timeout(self):
        srv = self.listener(timeout=0.3)
        with Stopwatch() as sw:
            self.assertTimesOut(srv.accept)
        self.assertTrue(0.25 <= sw.elapsed < 5.0, "timed out after %.3fs" % sw.elapsed)

    def test_listen_zero_backlog(self):
        s = self.tcp()
        s.bind(("127.0.0.1", 0))
        s.listen(0)
        ctl = dial(s.getsockname()[1], 3)
        conn, _ = s.accept()
        self.track(conn)
        self.assertEqual(recv_until_eof(conn), pattern(3))
        conn.close()
        dial_result(ctl)

    def test_several_pending_clients(self):
        srv = self.listener(backlog=5)
        port = srv.getsockname()[1]
        sizes = [1000, 2000, 3000]
        ctls = [dial(port, n) for n in sizes]
        seen = []
        for _ in sizes:
            conn, _ = srv.accept()
            self.track(conn)
            data = recv_until_eof(conn)
            self.assertEqual(data, pattern(len(data)))
            seen.append(len(data))
            conn.sendall(str(len(data)).encode("ascii"))
            conn.close()
        self.assertEqual(sorted(seen), sizes)
        for n, ctl in zip(sizes, ctls):
            answer = str(n).encode("ascii")
            self.assertEqual(dial_result(ctl), (len(answer), sha256hex(answer)))

    def test_accept_on_unlistened_socket_einval(self):
        s = self.tcp()
        s.bind(("127.0.0.1", 0))
        self.assertRaisesErrno(errno.EINVAL, s.accept)

    def test_jython_client_to_jython_server(self):
        srv = self.listener()
        c = self.tcp()
        c.connect(srv.getsockname())
        conn, addr = srv.accept()
        self.track(conn)
        self.assertEqual(addr, c.getsockname())
        self.assertEqual(c.getpeername(), conn.getsockname())
        c.sendall(b"ping")
        self.assertEqual(recv_exact(conn, 4), b"ping")
        conn.sendall(b"pong!")
        self.assertEqual(recv_exact(c, 5), b"pong!")
        c.shutdown(socket.SHUT_WR)
        self.assertEqual(conn.recv(10), b"")
        conn.close()
        self.assertEqual(c.recv(10), b"")

    def test_close_listener_then_connect_refused(self):
        srv = self.listener()
        addr = srv.getsockname()
        srv.close()
        c = self.tcp()
        self.assertRaisesErrno(errno.ECONNREFUSED, c.connect, addr)


if __name__ == "__main__":
    unittest.main()
