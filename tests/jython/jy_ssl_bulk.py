# -*- coding: utf-8 -*-
"""Bulk data through TLS: 100 MB to the CPython 3 TLS echo peer and back, SHA-256 checked
at both ends, over TLS 1.2 and 1.3 (lock-step chunks: one thread per SSL object, as
OpenSSL requires of the oracle).

Behaviour is CPython 2.7.18's: these cases must pass on the cpython2 oracle.
"""

import hashlib
import socket
import ssl
import unittest

from netsupport import IO_TIMEOUT, NetTestCase, pattern, peer
from users_support import tls_file as pki

TOTAL = 100 * 1024 * 1024
CHUNK = 256 * 1024


class BulkTests(NetTestCase):

    def echo_100mb(self, no_version):
        ctx = ssl.create_default_context(cafile=pki("ca.pem"))
        ctx.options |= no_version
        raw = socket.create_connection(peer("TLS_ECHO"), IO_TIMEOUT)
        s = self.track(ctx.wrap_socket(raw, server_hostname="localhost"))
        block = pattern(CHUNK)
        sent, received = hashlib.sha256(), hashlib.sha256()
        count = 0
        for _ in range(TOTAL // CHUNK):
            s.sendall(block)
            sent.update(block)
            left = CHUNK
            while left:
                data = s.recv(min(left, 65536))
                self.assertTrue(data, "EOF after %d bytes" % count)
                received.update(data)
                left -= len(data)
                count += len(data)
        self.assertEqual(count, TOTAL)
        self.assertEqual(received.hexdigest(), sent.hexdigest())
        return s.version()

    def test_100mb_tls12(self):
        self.assertEqual(self.echo_100mb(ssl.OP_NO_TLSv1_3), "TLSv1.2")

    def test_100mb_tls13(self):
        self.assertEqual(self.echo_100mb(ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1 | ssl.OP_NO_TLSv1_2), "TLSv1.3")


if __name__ == "__main__":
    unittest.main()
