# -*- coding: utf-8 -*-
"""UDP socket options and multicast: broadcast, reuse, TTLs, TOS, group membership.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.  The
multicast round trip runs on the loopback interface (group joined on 127.0.0.1, sent
with IP_MULTICAST_IF 127.0.0.1), so it needs no network.
"""

import errno
import socket
import struct
import unittest

from netsupport import IO_TIMEOUT, NetTestCase

GROUP = "239.255.42.99"
GROUP6 = "ff02::4a4e:5331"


def loopback_index():
    with open("/sys/class/net/lo/ifindex") as f:
        return int(f.read())


def ip_mreq(group, interface="127.0.0.1"):
    return socket.inet_aton(group) + socket.inet_aton(interface)


class OptionTestCase(NetTestCase):

    def udp(self, family=socket.AF_INET):
        s = self.track(socket.socket(family, socket.SOCK_DGRAM))
        s.settimeout(IO_TIMEOUT)
        return s

    def get(self, s, level, option, *buflen):
        return s.getsockopt(level, option, *buflen)


class SocketLevelTests(OptionTestCase):

    def test_broadcast_needs_so_broadcast(self):
        receiver = self.udp()
        receiver.bind(("", 0))
        port = receiver.getsockname()[1]
        s = self.udp()
        self.assertEqual(self.get(s, socket.SOL_SOCKET, socket.SO_BROADCAST), 0)
        self.assertRaisesErrno(errno.EACCES, s.sendto, b"b", ("127.255.255.255", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        self.assertEqual(self.get(s, socket.SOL_SOCKET, socket.SO_BROADCAST), 1)
        self.assertEqual(s.sendto(b"to all", ("127.255.255.255", port)), 6)
        data, sender = receiver.recvfrom(100)
        self.assertEqual(data, b"to all")
        self.assertEqual(sender[1], s.getsockname()[1])

    def test_reuseaddr_lets_two_sockets_share_a_port(self):
        a = self.udp()
        a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.assertEqual(self.get(a, socket.SOL_SOCKET, socket.SO_REUSEADDR), 1)
        a.bind(("127.0.0.1", 0))
        b = self.udp()
        b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        b.bind(a.getsockname())
        self.assertEqual(b.getsockname(), a.getsockname())

    def test_reuseport(self):
        a = self.udp()
        a.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.assertEqual(self.get(a, socket.SOL_SOCKET, socket.SO_REUSEPORT), 1)
        a.bind(("127.0.0.1", 0))
        b = self.udp()
        b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        b.bind(a.getsockname())

    def test_rcvbuf_reported_doubled(self):
        s = self.udp()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        self.assertEqual(self.get(s, socket.SOL_SOCKET, socket.SO_RCVBUF), 131072)

    def test_so_error_is_zero(self):
        self.assertEqual(self.get(self.udp(), socket.SOL_SOCKET, socket.SO_ERROR), 0)

    def test_stream_flags_are_kept_but_tcp_options_refused(self):
        s = self.udp()
        self.assertEqual(self.get(s, socket.SOL_SOCKET, socket.SO_KEEPALIVE), 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self.assertEqual(self.get(s, socket.SOL_SOCKET, socket.SO_KEEPALIVE), 1)
        self.assertRaisesErrno(errno.ENOPROTOOPT, s.setsockopt, socket.IPPROTO_TCP,
                               socket.TCP_NODELAY, 1)
        self.assertRaisesErrno(errno.EOPNOTSUPP, s.getsockopt, socket.IPPROTO_TCP,
                               socket.TCP_NODELAY)

    def test_short_value_einval(self):
        s = self.udp()
        self.assertRaisesErrno(errno.EINVAL, s.setsockopt, socket.SOL_SOCKET,
                               socket.SO_BROADCAST, b"ab")


class IpLevelTests(OptionTestCase):

    def test_tos(self):
        s = self.udp()
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0x10)
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_TOS), 0x10)

    def test_ttl_default(self):
        with open("/proc/sys/net/ipv4/ip_default_ttl") as f:
            default = int(f.read())
        self.assertEqual(self.get(self.udp(), socket.IPPROTO_IP, socket.IP_TTL), default)

    def test_multicast_ttl(self):
        s = self.udp()
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_TTL), 1)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 5)
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_TTL), 5)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, b"\x07")
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_TTL), 7)
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1), b"\x07")
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, -1)
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_TTL), 1)
        self.assertRaisesErrno(errno.EINVAL, s.setsockopt, socket.IPPROTO_IP,
                               socket.IP_MULTICAST_TTL, 256)

    def test_multicast_loop(self):
        s = self.udp()
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP), 1)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP), 0)

    def test_multicast_if(self):
        s = self.udp()
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_IF), 0)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        value = self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_IF)
        self.assertEqual(struct.pack("i", value), socket.inet_aton("127.0.0.1"))
        self.assertEqual(self.get(s, socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4),
                         socket.inet_aton("127.0.0.1"))

    def test_multicast_if_unknown_address(self):
        s = self.udp()
        self.assertRaisesErrno(errno.EADDRNOTAVAIL, s.setsockopt, socket.IPPROTO_IP,
                               socket.IP_MULTICAST_IF, socket.inet_aton("10.254.253.252"))

    def test_membership_errors(self):
        s = self.udp()
        add, drop = socket.IP_ADD_MEMBERSHIP, socket.IP_DROP_MEMBERSHIP
        self.assertRaisesErrno(errno.EADDRNOTAVAIL, s.setsockopt, socket.IPPROTO_IP, drop,
                               ip_mreq(GROUP))
        s.setsockopt(socket.IPPROTO_IP, add, ip_mreq(GROUP))
        self.assertRaisesErrno(errno.EADDRINUSE, s.setsockopt, socket.IPPROTO_IP, add,
                               ip_mreq(GROUP))
        s.setsockopt(socket.IPPROTO_IP, drop, ip_mreq(GROUP))
        self.assertRaisesErrno(errno.EADDRNOTAVAIL, s.setsockopt, socket.IPPROTO_IP, drop,
                               ip_mreq(GROUP))
        self.assertRaisesErrno(errno.EINVAL, s.setsockopt, socket.IPPROTO_IP, add,
                               ip_mreq("10.1.2.3"))
        self.assertRaisesErrno(errno.EINVAL, s.setsockopt, socket.IPPROTO_IP, add, b"abc")
        self.assertRaisesErrno(errno.ENODEV, s.setsockopt, socket.IPPROTO_IP, add,
                               ip_mreq(GROUP, "10.254.253.252"))
        self.assertRaisesErrno(errno.ENOPROTOOPT, s.getsockopt, socket.IPPROTO_IP, add)

    def test_ipv6_options_on_ipv4_socket(self):
        s = self.udp()
        self.assertRaisesErrno(errno.ENOPROTOOPT, s.setsockopt, socket.IPPROTO_IPV6,
                               socket.IPV6_JOIN_GROUP,
                               socket.inet_pton(socket.AF_INET6, GROUP6) + struct.pack("I", 1))


class MulticastTests(OptionTestCase):

    def receiver(self, mreq):
        r = self.udp()
        r.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        r.bind(("", 0))
        r.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        return r

    def sender(self):
        s = self.udp()
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
        return s

    def test_round_trip_on_loopback(self):
        r = self.receiver(ip_mreq(GROUP))
        s = self.sender()
        port = r.getsockname()[1]
        s.sendto(b"to the group", (GROUP, port))
        data, sender = r.recvfrom(100)
        self.assertEqual(data, b"to the group")
        self.assertEqual(sender, ("127.0.0.1", s.getsockname()[1]))

    def test_round_trip_with_ip_mreqn(self):
        mreqn = (socket.inet_aton(GROUP) + socket.inet_aton("0.0.0.0")
                 + struct.pack("i", loopback_index()))
        r = self.receiver(mreqn)
        s = self.sender()
        s.sendto(b"mreqn", (GROUP, r.getsockname()[1]))
        self.assertEqual(r.recv(100), b"mreqn")

    def test_dropped_group_receives_nothing(self):
        r = self.receiver(ip_mreq(GROUP))
        port = r.getsockname()[1]
        r.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, ip_mreq(GROUP))
        s = self.sender()
        s.sendto(b"nobody listens", (GROUP, port))
        s.sendto(b"direct", ("127.0.0.1", port))
        self.assertEqual(r.recv(100), b"direct")


class Ipv6Tests(OptionTestCase):

    def test_join_and_leave_group(self):
        s = self.udp(socket.AF_INET6)
        mreq = socket.inet_pton(socket.AF_INET6, GROUP6) + struct.pack("I", loopback_index())
        join, leave = socket.IPV6_JOIN_GROUP, socket.IPV6_LEAVE_GROUP
        s.setsockopt(socket.IPPROTO_IPV6, join, mreq)
        self.assertRaisesErrno(errno.EADDRINUSE, s.setsockopt, socket.IPPROTO_IPV6, join, mreq)
        s.setsockopt(socket.IPPROTO_IPV6, leave, mreq)
        self.assertRaisesErrno(errno.EADDRNOTAVAIL, s.setsockopt, socket.IPPROTO_IPV6, leave,
                               mreq)

    def test_multicast_hops_loop_and_if(self):
        s = self.udp(socket.AF_INET6)
        self.assertEqual(self.get(s, socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS), 1)
        self.assertEqual(self.get(s, socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP), 1)
        self.assertEqual(self.get(s, socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF), 0)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 3)
        self.assertEqual(self.get(s, socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS), 3)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, loopback_index())
        self.assertEqual(self.get(s, socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF),
                         loopback_index())


if __name__ == "__main__":
    unittest.main()
