# -*- coding: utf-8 -*-
"""TCP socket options: real values read back from the kernel, applied before and after
connect, inherited by accepted sockets, and defaults left to Linux (CPython 2.7 on Linux).
"""

import errno
import socket
import struct

from netsupport import NetTestCase, peer, read_line, parse_count_sha

TCP = socket.IPPROTO_TCP
SOL = socket.SOL_SOCKET


class DefaultsTests(NetTestCase):

    def test_nodelay_off_on_connected_and_accepted_sockets(self):
        server = self.listener()
        client = self.tcp()
        client.connect(server.getsockname())
        accepted = self.track(server.accept()[0])
        self.assertEqual(client.getsockopt(TCP, socket.TCP_NODELAY), 0)
        self.assertEqual(accepted.getsockopt(TCP, socket.TCP_NODELAY), 0)

    def test_send_buffer_not_pinned(self):
        # Linux sizes the send buffer of a busy connection itself (up to tcp_wmem's maximum)
        # unless the program set SO_SNDBUF; an implementation that re-applies the value it
        # read before connecting pins it small, and bulk sends crawl.
        with open("/proc/sys/net/ipv4/tcp_wmem") as f:
            wmem_max = int(f.read().split()[2])
        s = self.connect("SINK")
        block = b"\x5a" * 65536
        for _ in range(256):
            s.sendall(block)
        grown = s.getsockopt(SOL, socket.SO_SNDBUF)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(parse_count_sha(read_line(s))[0], 256 * 65536)
        self.assertTrue(grown >= min(wmem_max, 128 * 1024), (grown, wmem_max))

    def test_reuseaddr_default_and_set(self):
        s = self.tcp()
        self.assertEqual(s.getsockopt(SOL, socket.SO_REUSEADDR), 0)
        s.setsockopt(SOL, socket.SO_REUSEADDR, 1)
        self.assertNotEqual(s.getsockopt(SOL, socket.SO_REUSEADDR), 0)

    def test_type_and_acceptconn(self):
        server = self.listener()
        client = self.tcp()
        self.assertEqual(client.getsockopt(SOL, socket.SO_TYPE), socket.SOCK_STREAM)
        self.assertEqual(client.getsockopt(SOL, socket.SO_ACCEPTCONN), 0)
        self.assertEqual(server.getsockopt(SOL, socket.SO_ACCEPTCONN), 1)

    def test_v6only_reads_zero_on_ipv6(self):
        s = self.track(socket.socket(socket.AF_INET6, socket.SOCK_STREAM))
        self.assertEqual(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 0)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        self.assertEqual(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), 0)


class SetAndGetTests(NetTestCase):

    def check_before_and_after_connect(self, level, option, value, later):
        s = self.tcp()
        s.setsockopt(level, option, value)
        self.assertEqual(s.getsockopt(level, option), value)
        s.connect(peer("ECHO"))
        self.assertEqual(s.getsockopt(level, option), value)
        s.setsockopt(level, option, later)
        self.assertEqual(s.getsockopt(level, option), later)

    def test_nodelay(self):
        s = self.tcp()
        s.setsockopt(TCP, socket.TCP_NODELAY, 1)
        s.connect(peer("ECHO"))
        self.assertEqual(s.getsockopt(TCP, socket.TCP_NODELAY), 1)
        s.setsockopt(TCP, socket.TCP_NODELAY, 0)
        self.assertEqual(s.getsockopt(TCP, socket.TCP_NODELAY), 0)

    def test_keepalive_and_its_tuning(self):
        s = self.tcp()
        s.setsockopt(SOL, socket.SO_KEEPALIVE, 1)
        self.assertNotEqual(s.getsockopt(SOL, socket.SO_KEEPALIVE), 0)
        self.check_before_and_after_connect(TCP, socket.TCP_KEEPIDLE, 30, 31)

    def test_keepintvl(self):
        self.check_before_and_after_connect(TCP, socket.TCP_KEEPINTVL, 7, 8)

    def test_keepcnt(self):
        self.check_before_and_after_connect(TCP, socket.TCP_KEEPCNT, 4, 5)

    def test_buffer_sizes_read_back_doubled_as_linux_reports_them(self):
        for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            s = self.tcp()
            s.setsockopt(SOL, option, 32768)
            self.assertEqual(s.getsockopt(SOL, option), 65536)
            s.connect(peer("ECHO"))
            self.assertEqual(s.getsockopt(SOL, option), 65536)

    def test_tos(self):
        self.check_before_and_after_connect(socket.IPPROTO_IP, socket.IP_TOS, 0x10, 0x20)

    def test_buflen_gives_packed_bytes(self):
        s = self.tcp()
        s.setsockopt(SOL, socket.SO_KEEPALIVE, 1)
        packed = s.getsockopt(SOL, socket.SO_KEEPALIVE, 4)
        self.assertTrue(isinstance(packed, str))
        self.assertEqual(len(packed), 4)
        self.assertEqual(struct.unpack("i", packed)[0], 1)

    def test_value_as_packed_string(self):
        s = self.tcp()
        s.setsockopt(SOL, socket.SO_KEEPALIVE, struct.pack("i", 1))
        self.assertEqual(s.getsockopt(SOL, socket.SO_KEEPALIVE), 1)

    def test_unknown_option_is_enoprotoopt(self):
        s = self.tcp()
        self.assertRaisesErrno(errno.ENOPROTOOPT, s.setsockopt, SOL, 9999, 1)
        self.assertRaisesErrno(errno.ENOPROTOOPT, s.getsockopt, SOL, 9999)

    def test_options_on_closed_socket_are_ebadf(self):
        s = self.tcp()
        s.close()
        self.assertRaisesErrno(errno.EBADF, s.getsockopt, SOL, socket.SO_REUSEADDR)
        self.assertRaisesErrno(errno.EBADF, s.setsockopt, SOL, socket.SO_REUSEADDR, 1)


class InheritedTests(NetTestCase):

    def accepted_with(self, level, option, value):
        server = self.listener()
        server.setsockopt(level, option, value)
        client = self.tcp()
        client.connect(server.getsockname())
        return self.track(server.accept()[0])

    def test_nodelay_inherited(self):
        self.assertEqual(self.accepted_with(TCP, socket.TCP_NODELAY, 1)
                         .getsockopt(TCP, socket.TCP_NODELAY), 1)

    def test_keepalive_inherited(self):
        self.assertNotEqual(self.accepted_with(SOL, socket.SO_KEEPALIVE, 1)
                            .getsockopt(SOL, socket.SO_KEEPALIVE), 0)

    def test_listener_options_turn_off_again(self):
        server = self.listener()
        for level, option in ((TCP, socket.TCP_NODELAY), (SOL, socket.SO_KEEPALIVE)):
            server.setsockopt(level, option, 1)
            self.assertNotEqual(server.getsockopt(level, option), 0)
            server.setsockopt(level, option, 0)
            self.assertEqual(server.getsockopt(level, option), 0)
        client = self.tcp()
        client.connect(server.getsockname())
        accepted = self.track(server.accept()[0])
        self.assertEqual(accepted.getsockopt(TCP, socket.TCP_NODELAY), 0)
        self.assertEqual(accepted.getsockopt(SOL, socket.SO_KEEPALIVE), 0)

    def test_keepidle_inherited(self):
        self.assertEqual(self.accepted_with(TCP, socket.TCP_KEEPIDLE, 45)
                         .getsockopt(TCP, socket.TCP_KEEPIDLE), 45)


class LingerTests(NetTestCase):

    def test_linger_zero_resets_the_peer(self):
        server = self.listener()
        client = self.tcp()
        client.connect(server.getsockname())
        accepted = server.accept()[0]
        accepted.setsockopt(SOL, socket.SO_LINGER, struct.pack("ii", 1, 0))
        onoff, seconds = struct.unpack("ii", accepted.getsockopt(SOL, socket.SO_LINGER, 8))
        self.assertEqual((onoff, seconds), (1, 0))
        accepted.close()
        self.assertRaisesErrno(errno.ECONNRESET, client.recv, 10)

    def test_linger_off_by_default_and_readable(self):
        s = self.tcp()
        self.assertEqual(struct.unpack("ii", s.getsockopt(SOL, socket.SO_LINGER, 8)), (0, 0))
        s.setsockopt(SOL, socket.SO_LINGER, struct.pack("ii", 1, 5))
        self.assertEqual(struct.unpack("ii", s.getsockopt(SOL, socket.SO_LINGER, 8)), (1, 5))
        self.assertEqual(s.getsockopt(SOL, socket.SO_LINGER), 1)
