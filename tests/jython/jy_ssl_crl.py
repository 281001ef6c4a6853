# -*- coding: utf-8 -*-
"""CRL checking (issue 5): SSLContext.verify_flags VERIFY_CRL_CHECK_LEAF / CHAIN against the
CPython 3 TLS peers (tests/harness/tls_peers.py): TLS_REVOKED serves a certificate that the
test CA's ``crl.pem`` revokes, TLS_CLOSE one it does not.

CRLs come in through load_verify_locations(cafile=...) (CPython 2.7 takes none from cadata).
Behaviour is CPython 2.7.18's: these cases must pass on the cpython2 oracle.
"""

import platform
import socket
import ssl

from netsupport import IO_TIMEOUT, NetTestCase, greeting, peer
from users_support import read_tls_file as read_pki, tls_file as pki

ON_JYTHON = platform.python_implementation() == "Jython"


class CrlCheckTests(NetTestCase):

    def context(self, flags=0, crl=True):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.check_hostname = True
        ctx.load_verify_locations(pki("ca.pem"))
        if crl:
            ctx.load_verify_locations(pki("crl.pem"))
        ctx.verify_flags |= flags
        return ctx

    def open(self, name, ctx):
        raw = self.track(socket.create_connection(peer(name), IO_TIMEOUT))
        return self.track(ctx.wrap_socket(raw, server_hostname="localhost"))

    def read_all(self, s):
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)

    def assertConnects(self, name, ctx):
        s = self.open(name, ctx)
        self.assertTrue(s.getpeercert())
        self.assertEqual(self.read_all(s), greeting())

    def assertVerifyFailed(self, name, ctx, detail=None):
        """CPython 2.7 gives no detail; ours adds OpenSSL's verify error text, as
        CPython 3.7+ does ('certificate revoked', ...)."""
        try:
            self.open(name, ctx)
        except ssl.SSLError as e:
            self.assertEqual(e.reason, "CERTIFICATE_VERIFY_FAILED", str(e))
            self.assertEqual(e.library, "SSL")
            self.assertTrue(str(e).startswith("[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                                              "verify failed"), str(e))
            if ON_JYTHON and detail:
                self.assertIn(detail, str(e))
            return e
        self.fail("%s: certificate accepted" % name)

    # ------------------------------------------------------------------ cases

    def test_default_flags_accept_revoked_certificate(self):
        ctx = self.context()
        self.assertEqual(ctx.verify_flags & ssl.VERIFY_CRL_CHECK_CHAIN, 0)
        self.assertConnects("TLS_REVOKED", ctx)

    def test_leaf_check_refuses_revoked_certificate(self):
        self.assertVerifyFailed("TLS_REVOKED", self.context(ssl.VERIFY_CRL_CHECK_LEAF),
                                "certificate revoked")

    def test_chain_check_refuses_revoked_certificate(self):
        self.assertVerifyFailed("TLS_REVOKED", self.context(ssl.VERIFY_CRL_CHECK_CHAIN),
                                "certificate revoked")

    def test_leaf_check_accepts_certificate_not_revoked(self):
        self.assertConnects("TLS_CLOSE", self.context(ssl.VERIFY_CRL_CHECK_LEAF))

    def test_chain_check_accepts_certificate_not_revoked(self):
        self.assertConnects("TLS_CLOSE", self.context(ssl.VERIFY_CRL_CHECK_CHAIN))

    def test_leaf_check_without_crl_fails(self):
        ctx = self.context(ssl.VERIFY_CRL_CHECK_LEAF, crl=False)
        self.assertVerifyFailed("TLS_CLOSE", ctx, "unable to get certificate CRL")
        self.assertVerifyFailed("TLS_REVOKED", ctx)

    def test_flag_set_on_a_used_context_applies(self):
        ctx = self.context(crl=False)
        self.assertConnects("TLS_CLOSE", ctx)
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
        self.assertVerifyFailed("TLS_CLOSE", ctx)
        ctx.load_verify_locations(pki("crl.pem"))
        self.assertConnects("TLS_CLOSE", ctx)
        self.assertVerifyFailed("TLS_REVOKED", ctx)
        ctx.verify_flags = ssl.VERIFY_DEFAULT
        self.assertConnects("TLS_REVOKED", ctx)

    def test_crl_in_the_ca_file(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki("ca_crl.pem"))
        ctx.verify_flags = ssl.VERIFY_CRL_CHECK_LEAF
        self.assertConnects("TLS_CLOSE", ctx)
        self.assertVerifyFailed("TLS_REVOKED", ctx)

    def test_cadata_brings_certificates_only(self):
        # CPython 2.7 reads cadata with PEM_read_bio_X509: CRL blocks are passed over
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cadata=read_pki("ca_crl.pem").decode("ascii"))
        self.assertEqual(ctx.cert_store_stats(), {"x509": 1, "x509_ca": 1, "crl": 0})
        self.assertRaises(ssl.SSLError, ctx.load_verify_locations,
                          cadata=read_pki("crl.pem").decode("ascii"))
        ctx.verify_flags = ssl.VERIFY_CRL_CHECK_LEAF
        self.assertVerifyFailed("TLS_CLOSE", ctx)
        ctx.load_verify_locations(pki("crl.pem"))
        self.assertConnects("TLS_CLOSE", ctx)
        self.assertVerifyFailed("TLS_REVOKED", ctx)

    def test_strict_and_default_flags_still_verify(self):
        for flags in (ssl.VERIFY_DEFAULT, ssl.VERIFY_X509_STRICT):
            ctx = self.context()
            ctx.verify_flags = flags
            self.assertConnects("TLS_CLOSE", ctx)
            self.assertVerifyFailed("TLS_UNTRUSTED", ctx)

    def test_crl_counted_in_store_stats(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.load_verify_locations(pki("ca.pem"))
        self.assertEqual(ctx.cert_store_stats(), {"x509": 1, "x509_ca": 1, "crl": 0})
        ctx.load_verify_locations(pki("crl.pem"))
        self.assertEqual(ctx.cert_store_stats(), {"x509": 1, "x509_ca": 1, "crl": 1})
        ctx.load_verify_locations(pki("ca_crl.pem"))     # both already there
        self.assertEqual(ctx.cert_store_stats(), {"x509": 1, "x509_ca": 1, "crl": 1})
        self.assertEqual(len(ctx.get_ca_certs()), 1)     # CRLs are not CA certificates


if __name__ == "__main__":
    import unittest
    unittest.main()
