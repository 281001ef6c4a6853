# -*- coding: utf-8 -*-
"""UDP sockets: datagram boundaries, truncation, empty datagrams, connect, modes, errors.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.  The
CPython 3 peers are in tests/harness/dgram_peers.py (UDP echo, UDP burst).
"""

import errno
import os
import socket
import unittest

from netsupport import IO_TIMEOUT, NetTestCase, pattern, peer


def echo6():
    value = os.environ.get("JNS_PEER_UDP_ECHO6", "unavailable")
    if value == "unavailable":
        return None
    host, port = value.rsplit(":", 1)
    return host, int(port)


class UdpTestCase(NetTestCase):

    def udp(self, family=socket.AF_INET, timeout=IO_TIMEOUT):
        s = self.track(socket.socket(family, socket.SOCK_DGRAM))
        if timeout is not None:
            s.settimeout(timeout)
        return s

    def bound(self, family=socket.AF_INET, timeout=IO_TIMEOUT):
        s = self.udp(family, timeout)
        s.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        return s

    def closed_udp_port(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port


class IdentityTests(UdpTestCase):

    def test_is_a_socket(self):
        s = self.udp()
        self.assertTrue(isinstance(s, socket.socket))
        self.assertTrue(isinstance(s, socket.SocketType))
        self.assertEqual((s.family, s.type, s.proto), (socket.AF_INET, socket.SOCK_DGRAM, 0))
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), socket.SOCK_DGRAM)

    def test_fileno_is_small_int(self):
        s = self.udp()
        self.assertTrue(isinstance(s.fileno(), int) and s.fileno() >= 0)

    def test_unbound_name_is_wildcard(self):
        self.assertEqual(self.udp().getsockname(), ("0.0.0.0", 0))

    def test_bind_gives_port(self):
        s = self.bound()
        host, port = s.getsockname()
        self.assertEqual(host, "127.0.0.1")
        self.assertTrue(0 < port < 65536)

    def test_bind_twice_einval(self):
        s = self.bound()
        self.assertRaisesErrno(errno.EINVAL, s.bind, ("127.0.0.1", 0))

    def test_bind_port_in_use(self):
        a = self.bound()
        b = self.udp()
        self.assertRaisesErrno(errno.EADDRINUSE, b.bind, a.getsockname())

    def test_close_frees_port_at_once(self):
        a = self.bound()
        address = a.getsockname()
        a.close()
        b = self.udp()
        b.bind(address)
        self.assertEqual(b.getsockname(), address)

    def test_sendto_binds_to_wildcard(self):
        s = self.udp()
        s.sendto(b"x", peer("UDP_ECHO"))
        host, port = s.getsockname()
        self.assertEqual(host, "0.0.0.0")
        self.assertTrue(port > 0)
        self.assertEqual(s.recv(10), b"x")

    def test_getpeername_unconnected(self):
        self.assertRaisesErrno(errno.ENOTCONN, self.bound().getpeername)

    def test_listen_and_accept_not_supported(self):
        s = self.bound(timeout=None)
        self.assertRaisesErrno(errno.EOPNOTSUPP, s.listen, 1)
        self.assertRaisesErrno(errno.EOPNOTSUPP, s.accept)

    def test_closed_socket_ebadf(self):
        s = self.bound()
        s.close()
        self.assertRaisesErrno(errno.EBADF, s.recv, 10)
        self.assertRaisesErrno(errno.EBADF, s.sendto, b"x", peer("UDP_ECHO"))
        self.assertRaisesErrno(errno.EBADF, s.getsockname)

    def test_dup_shares_endpoint(self):
        s = self.bound()
        d = self.track(s.dup())
        self.assertEqual(d.type, socket.SOCK_DGRAM)
        self.assertEqual(d.getsockname(), s.getsockname())
        s.sendto(b"via s", peer("UDP_ECHO"))
        self.assertEqual(d.recv(100), b"via s")
        s.close()
        d.sendto(b"via d", peer("UDP_ECHO"))
        self.assertEqual(d.recv(100), b"via d")


class DatagramTests(UdpTestCase):

    def test_echo_roundtrip_with_sender(self):
        s = self.bound()
        self.assertEqual(s.sendto(b"hello", peer("UDP_ECHO")), 5)
        self.assertEqual(s.recvfrom(100), (b"hello", peer("UDP_ECHO")))

    def test_boundaries_kept(self):
        s = self.bound()
        payloads = [b"a", b"bb", b"ccc", b"dddd" * 100]
        for p in payloads:
            s.sendto(p, peer("UDP_ECHO"))
        self.assertEqual([s.recv(65536) for _ in payloads], payloads)

    def test_short_read_discards_rest(self):
        s = self.bound()
        s.sendto(b"abcdefgh", peer("UDP_ECHO"))
        s.sendto(b"XYZ", peer("UDP_ECHO"))
        self.assertEqual(s.recv(3), b"abc")
        self.assertEqual(s.recv(100), b"XYZ")

    def test_recvfrom_short_read(self):
        s = self.bound()
        s.sendto(pattern(1000), peer("UDP_ECHO"))
        s.sendto(b"next", peer("UDP_ECHO"))
        self.assertEqual(s.recvfrom(10), (pattern(10), peer("UDP_ECHO")))
        self.assertEqual(s.recvfrom(10), (b"next", peer("UDP_ECHO")))

    def test_recv_zero_consumes_a_datagram(self):
        s = self.bound()
        s.sendto(b"first", peer("UDP_ECHO"))
        s.sendto(b"second", peer("UDP_ECHO"))
        self.assertEqual(s.recv(0), b"")
        self.assertEqual(s.recv(100), b"second")

    def test_empty_datagram(self):
        s = self.bound()
        self.assertEqual(s.sendto(b"", peer("UDP_ECHO")), 0)
        s.sendto(b"after", peer("UDP_ECHO"))
        self.assertEqual(s.recvfrom(100), (b"", peer("UDP_ECHO")))
        self.assertEqual(s.recv(100), b"after")

    def test_largest_datagram(self):
        s = self.bound()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        data = pattern(65507)
        self.assertEqual(s.sendto(data, peer("UDP_ECHO")), 65507)
        self.assertEqual(s.recv(65536), data)

    def test_oversize_datagram_emsgsize(self):
        s = self.bound()
        self.assertRaisesErrno(errno.EMSGSIZE, s.sendto, b"x" * 65508, peer("UDP_ECHO"))
        self.assertRaisesErrno(errno.EMSGSIZE, s.sendto, b"x" * 70000, peer("UDP_ECHO"))
        s.sendto(b"still fine", peer("UDP_ECHO"))
        self.assertEqual(s.recv(100), b"still fine")

    def test_peek_keeps_datagram(self):
        s = self.bound()
        s.sendto(b"peekaboo", peer("UDP_ECHO"))
        self.assertEqual(s.recv(4, socket.MSG_PEEK), b"peek")
        self.assertEqual(s.recvfrom(100, socket.MSG_PEEK), (b"peekaboo", peer("UDP_ECHO")))
        self.assertEqual(s.recv(100), b"peekaboo")

    def test_recvfrom_into(self):
        s = self.bound()
        s.sendto(b"0123456789", peer("UDP_ECHO"))
        s.sendto(b"abc", peer("UDP_ECHO"))
        buf = bytearray(b"." * 20)
        self.assertEqual(s.recvfrom_into(buf, 4), (4, peer("UDP_ECHO")))
        self.assertEqual(bytes(buf), b"0123" + b"." * 16)
        self.assertEqual(s.recv_into(buf), 3)
        self.assertEqual(bytes(buf[:4]), b"abc3")

    def test_recvfrom_into_too_small(self):
        s = self.bound()
        self.assertRaises(ValueError, s.recvfrom_into, bytearray(2), 5)

    def test_sendto_flags_and_buffers(self):
        s = self.bound()
        self.assertEqual(s.sendto(bytearray(b"ba"), 0, peer("UDP_ECHO")), 2)
        self.assertEqual(s.recv(10), b"ba")
        self.assertEqual(s.sendto(memoryview(b"mv"), peer("UDP_ECHO")), 2)
        self.assertEqual(s.recv(10), b"mv")

    def test_sendto_bad_arguments(self):
        s = self.udp()
        self.assertRaises(TypeError, s.sendto, b"x")
        self.assertRaises(TypeError, s.sendto, b"x", "not a tuple")
        self.assertRaises(OverflowError, s.sendto, b"x", ("127.0.0.1", 70000))
        self.assertRaises(TypeError, s.sendto, 42, peer("UDP_ECHO"))
        self.assertRaises(ValueError, s.recvfrom, -1)

    def test_many_datagrams_in_order(self):
        s = self.bound()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for i in range(50):
            s.sendto(b"%03d" % i, peer("UDP_ECHO"))
            self.assertEqual(s.recv(10), b"%03d" % i)

    def test_ipv6_echo(self):
        address = echo6()
        if address is None:
            self.skipTest("no IPv6 loopback")
        s = self.bound(socket.AF_INET6)
        self.assertEqual(s.getsockname()[0], "::1")
        self.assertEqual(len(s.getsockname()), 4)
        s.sendto(b"six", address)
        data, sender = s.recvfrom(100)
        self.assertEqual(data, b"six")
        self.assertEqual(sender[:2], address)
        self.assertEqual(len(sender), 4)
        s.sendto(b"truncated", address)
        self.assertEqual(s.recv(5), b"trunc")


class ConnectTests(UdpTestCase):

    def test_send_needs_destination(self):
        s = self.udp()
        self.assertRaisesErrno(errno.EDESTADDRREQ, s.send, b"x")

    def test_connect_send_recv(self):
        s = self.udp()
        s.connect(peer("UDP_ECHO"))
        self.assertEqual(s.getpeername(), peer("UDP_ECHO"))
        self.assertEqual(s.getsockname()[0], "127.0.0.1")
        self.assertEqual(s.send(b"connected"), 9)
        self.assertEqual(s.recv(100), b"connected")
        s.sendall(b"all")
        self.assertEqual(s.recvfrom(100), (b"all", peer("UDP_ECHO")))

    def test_connect_ex_returns_zero(self):
        s = self.udp()
        self.assertEqual(s.connect_ex(peer("UDP_ECHO")), 0)

    def test_connect_filters_other_senders(self):
        s = self.bound()
        other = self.bound()
        s.connect(peer("UDP_ECHO"))
        other.sendto(b"from a stranger", s.getsockname())
        s.send(b"from the peer")
        self.assertEqual(s.recv(100), b"from the peer")
        s.setblocking(False)
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 100)

    def test_reconnect_changes_peer(self):
        s = self.bound()
        target = self.bound()
        s.connect(target.getsockname())
        s.connect(peer("UDP_ECHO"))
        self.assertEqual(s.getpeername(), peer("UDP_ECHO"))
        s.send(b"again")
        self.assertEqual(s.recv(10), b"again")

    def test_refused_after_port_unreachable(self):
        s = self.udp()
        s.connect(("127.0.0.1", self.closed_udp_port()))
        s.send(b"anyone there?")
        self.assertRaisesErrno(errno.ECONNREFUSED, s.recv, 100)

    def test_shutdown_unconnected_enotconn(self):
        s = self.bound()
        self.assertRaisesErrno(errno.ENOTCONN, s.shutdown, socket.SHUT_RDWR)

    def test_shutdown_on_connected(self):
        """Linux: SHUT_RD shows as POLLIN but recv still waits; SHUT_WR: EPIPE, POLLHUP."""
        import select
        s = self.udp(timeout=0.0)
        s.connect(peer("UDP_ECHO"))
        s.shutdown(socket.SHUT_RD)
        self.assertEqual(select.select([s], [], [], 0)[0], [s])
        p = select.poll()
        p.register(s, select.POLLIN | select.POLLOUT)
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLIN | select.POLLOUT)])
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10)
        s.shutdown(socket.SHUT_WR)
        self.assertRaisesErrno(errno.EPIPE, s.send, b"x")
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLIN | select.POLLOUT | select.POLLHUP)])


class ModeTests(UdpTestCase):

    def test_nonblocking_recv_eagain(self):
        s = self.bound(timeout=None)
        s.setblocking(False)
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10)
        self.assertRaisesErrno(errno.EAGAIN, s.recvfrom, 10)

    def test_dontwait_on_blocking_socket(self):
        s = self.bound(timeout=None)
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10, socket.MSG_DONTWAIT)

    def test_unbound_nonblocking_recv_eagain(self):
        s = self.udp(timeout=0.0)
        self.assertRaisesErrno(errno.EAGAIN, s.recvfrom, 10)

    def test_timeout_recv(self):
        s = self.bound(timeout=0.2)
        self.assertTimesOut(s.recv, 10)
        self.assertTimesOut(s.recvfrom, 10)

    def test_nonblocking_receives_after_select(self):
        import select
        s = self.bound(timeout=0.0)
        s.sendto(b"nb", peer("UDP_ECHO"))
        self.assertEqual(select.select([s], [], [], IO_TIMEOUT)[0], [s])
        self.assertEqual(s.recvfrom(10), (b"nb", peer("UDP_ECHO")))
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10)

    def test_blocking_recv_waits_for_datagram(self):
        s = self.bound(timeout=None)
        sender = self.udp()
        t = self.thread(s.recvfrom, 100)
        sender.sendto(b"wake up", s.getsockname())
        data, address = self.join_thread(t)
        self.assertEqual(data, b"wake up")
        self.assertEqual(address[1], sender.getsockname()[1])

    def test_nonblocking_send(self):
        s = self.bound(timeout=0.0)
        self.assertEqual(s.sendto(b"quick", peer("UDP_ECHO")), 5)
        s.settimeout(IO_TIMEOUT)
        self.assertEqual(s.recv(10), b"quick")


class QueueTests(UdpTestCase):

    def test_unread_datagrams_are_dropped_not_hoarded(self):
        """Like the kernel's receive buffer: what does not fit is dropped; what is delivered
        is whole and in order."""
        import select
        import time
        s = self.bound()
        count, size = 3000, 1000
        s.sendto(b"BURST %d %d" % (count, size), peer("UDP_BURST"))
        self.assertEqual(select.select([s], [], [], IO_TIMEOUT)[0], [s])
        time.sleep(1.0)   # let the burst finish while nobody reads
        s.settimeout(1.0)
        seen = []
        try:
            while True:
                data = s.recv(65536)
                self.assertEqual(len(data), size)
                self.assertEqual(data[8:], pattern(size - 8))
                seen.append(int(data[:8]))
        except socket.timeout:
            pass
        self.assertTrue(0 < len(seen) < count, "received %d of %d" % (len(seen), count))
        self.assertEqual(seen, sorted(seen))


if __name__ == "__main__":
    unittest.main()
