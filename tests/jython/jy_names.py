# -*- coding: utf-8 -*-
"""Module functions for names and addresses, as CPython 2.7 on Linux (glibc) answers them.

Only loopback names and numeric addresses are used, so the answers do not depend on the
network; the services and protocols databases are the machine's own.
"""

import socket
import unittest

from netsupport import NetTestCase

AF_INET, AF_INET6 = socket.AF_INET, socket.AF_INET6
STREAM, DGRAM, RAW = socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW
TCP, UDP = socket.IPPROTO_TCP, socket.IPPROTO_UDP


def kinds(*args):
    return sorted((f, t, p) for f, t, p, _, _ in socket.getaddrinfo(*args))


class GetAddrInfoTests(NetTestCase):

    def assertGaiError(self, code, *args):
        try:
            socket.getaddrinfo(*args)
        except socket.gaierror as e:
            self.assertEqual(e.args[0], code, e)
        else:
            self.fail("getaddrinfo%r did not raise" % (args,))

    def test_numeric_port_lists_stream_dgram_raw(self):
        self.assertEqual(kinds("127.0.0.1", 80),
                         [(AF_INET, STREAM, TCP), (AF_INET, DGRAM, UDP), (AF_INET, RAW, 0)])

    def test_socktype_selects_one_kind(self):
        self.assertEqual(kinds("127.0.0.1", 80, 0, STREAM), [(AF_INET, STREAM, TCP)])

    def test_protocol_selects_its_kind(self):
        self.assertEqual(kinds("127.0.0.1", 80, AF_INET, 0, UDP), [(AF_INET, DGRAM, UDP)])
        self.assertEqual(kinds("127.0.0.1", None, AF_INET, 0, 99), [(AF_INET, RAW, 99)])

    def test_mismatched_socktype_and_protocol(self):
        self.assertGaiError(socket.EAI_SOCKTYPE, "127.0.0.1", 80, AF_INET, STREAM, UDP)
        self.assertGaiError(socket.EAI_SOCKTYPE, "127.0.0.1", 80, 0, DGRAM, TCP)
        self.assertGaiError(socket.EAI_SOCKTYPE, "127.0.0.1", 80, 0, 12345)

    def test_raw_refuses_a_service(self):
        self.assertGaiError(socket.EAI_SERVICE, "127.0.0.1", 0, AF_INET, RAW)
        self.assertGaiError(socket.EAI_SERVICE, "127.0.0.1", 80, 0, 0, 99)
        self.assertEqual(kinds("127.0.0.1", None, AF_INET, RAW, UDP), [(AF_INET, RAW, UDP)])

    def test_named_service_only_where_the_database_has_it(self):
        infos = socket.getaddrinfo("127.0.0.1", "domain")
        self.assertEqual(sorted((t, p, a[1]) for _, t, p, _, a in infos),
                         [(STREAM, TCP, 53), (DGRAM, UDP, 53)])
        self.assertEqual(kinds("127.0.0.1", "domain", 0, 0, TCP), [(AF_INET, STREAM, TCP)])
        self.assertGaiError(socket.EAI_SERVICE, "127.0.0.1", "no-such-service-here")

    def test_passive_and_loopback_defaults(self):
        passive = socket.getaddrinfo(None, 80, AF_INET, STREAM, 0, socket.AI_PASSIVE)
        self.assertEqual(passive[0][4], ("0.0.0.0", 80))
        active = socket.getaddrinfo(None, 80, AF_INET, STREAM)
        self.assertEqual(active[0][4], ("127.0.0.1", 80))
        v6 = socket.getaddrinfo(None, 80, AF_INET6, STREAM, 0, socket.AI_PASSIVE)
        self.assertEqual(v6[0][4], ("::", 80, 0, 0))

    def test_ipv6_literal(self):
        infos = socket.getaddrinfo("::1", 8080, 0, STREAM)
        self.assertEqual(infos, [(AF_INET6, STREAM, TCP, "", ("::1", 8080, 0, 0))])

    def test_errors(self):
        self.assertGaiError(socket.EAI_NONAME, None, None)
        self.assertGaiError(socket.EAI_FAMILY, "127.0.0.1", 80, 12345)
        self.assertGaiError(socket.EAI_NONAME, "localhost", 80, 0, 0, 0, socket.AI_NUMERICHOST)
        self.assertGaiError(socket.EAI_NONAME, "127.0.0.1", "http", 0, 0, 0, socket.AI_NUMERICSERV)
        self.assertRaises(socket.error, socket.getaddrinfo, "127.0.0.1", 1.5)


class HostNameTests(NetTestCase):

    def test_gethostbyname(self):
        self.assertEqual(socket.gethostbyname("127.0.0.1"), "127.0.0.1")
        self.assertEqual(socket.gethostbyname("localhost"), "127.0.0.1")

    def test_gethostbyname_ex_gives_lists(self):
        name, aliases, addresses = socket.gethostbyname_ex("127.0.0.1")
        self.assertTrue(isinstance(aliases, list))
        self.assertEqual(addresses, ["127.0.0.1"])

    def test_gethostbyaddr_loopback(self):
        name, aliases, addresses = socket.gethostbyaddr("127.0.0.1")
        self.assertTrue(name)
        self.assertEqual(addresses, ["127.0.0.1"])

    def test_unknown_host(self):
        self.assertRaises(socket.gaierror, socket.gethostbyname, "no-such-host.invalid")

    def test_gethostname_and_getfqdn(self):
        self.assertTrue(socket.gethostname())
        self.assertTrue(socket.getfqdn())


class ServicesTests(NetTestCase):

    def test_getservbyname_and_port(self):
        self.assertEqual(socket.getservbyname("domain", "udp"), 53)
        self.assertEqual(socket.getservbyport(53, "tcp"), "domain")
        self.assertRaises(socket.error, socket.getservbyname, "no-such-service-here")

    def test_getprotobyname(self):
        self.assertEqual(socket.getprotobyname("tcp"), 6)
        self.assertEqual(socket.getprotobyname("udp"), 17)
        self.assertRaises(socket.error, socket.getprotobyname, "no-such-protocol")

    def test_getnameinfo(self):
        self.assertEqual(socket.getnameinfo(("127.0.0.1", 53), socket.NI_NUMERICHOST),
                         ("127.0.0.1", "domain"))
        self.assertEqual(socket.getnameinfo(("::1", 53, 0, 0),
                                            socket.NI_NUMERICHOST | socket.NI_NUMERICSERV),
                         ("::1", "53"))
        self.assertRaises(OverflowError, socket.getnameinfo, ("::1", 0, 0xffffffff), 0)


class AddressTextTests(NetTestCase):

    def test_inet_aton_ntoa(self):
        self.assertEqual(socket.inet_aton("1.2.3.4"), b"\x01\x02\x03\x04")
        self.assertEqual(socket.inet_ntoa(b"\x7f\x00\x00\x01"), "127.0.0.1")
        self.assertRaises(socket.error, socket.inet_aton, "1.2.3.400")
        self.assertRaises(socket.error, socket.inet_ntoa, b"\x01\x02")

    def test_inet_pton_ntop_rfc5952(self):
        packed = socket.inet_pton(AF_INET6, "2001:db8:0:0:1:0:0:1")
        self.assertEqual(socket.inet_ntop(AF_INET6, packed), "2001:db8::1:0:0:1")
        self.assertEqual(socket.inet_ntop(AF_INET6, b"\0" * 16), "::")
        self.assertEqual(socket.inet_ntop(AF_INET6, socket.inet_pton(AF_INET6, "::ffff:1.2.3.4")),
                         "::ffff:1.2.3.4")
        self.assertRaises(socket.error, socket.inet_pton, AF_INET6, "1:::2")
        self.assertRaises(ValueError, socket.inet_ntop, AF_INET6, b"\0" * 15)

    def test_byte_order(self):
        self.assertEqual(socket.htons(1), 256)
        self.assertEqual(socket.ntohl(1), 16777216)
        self.assertEqual(socket.htonl(socket.ntohl(0x12345678)), 0x12345678)
        self.assertRaises(OverflowError, socket.htons, -1)
        self.assertRaises(OverflowError, socket.htonl, -1)

    def test_default_timeout(self):
        socket.setdefaulttimeout(3.5)
        self.assertEqual(socket.getdefaulttimeout(), 3.5)
        self.assertEqual(self.track(socket.socket()).gettimeout(), 3.5)
        self.assertRaises(ValueError, socket.setdefaulttimeout, -1)

    def test_has_ipv6(self):
        self.assertTrue(socket.has_ipv6)
