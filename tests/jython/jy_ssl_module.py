# -*- coding: utf-8 -*-
"""ssl at module level and SSLContext configuration (no connections): constants, exception
classes, match_hostname, PEM/DER, certificate times, RAND_*, Purpose, default verify paths,
contexts and what they accept or refuse when loading certificates, keys and cipher strings.

The PKI comes from the TLS peers (JNS_PEER_TLS_DIR, see tests/harness/tls_peers.py).
Behaviour is CPython 2.7.18's: these cases must pass on the cpython2 oracle.
"""

import errno
import os
import platform
import socket
import ssl
import time
import unittest

from netsupport import NetTestCase
from users_support import tls_file as pki

ON_JYTHON = platform.python_implementation() == "Jython"


def password():
    return os.environ["JNS_PEER_TLS_PASSWORD"]


def read(name):
    with open(pki(name), "rb") as f:
        return f.read()


class ConstantTests(unittest.TestCase):

    def test_protocols(self):
        self.assertEqual((ssl.PROTOCOL_SSLv23, ssl.PROTOCOL_TLS, ssl.PROTOCOL_TLSv1,
                          ssl.PROTOCOL_TLSv1_1, ssl.PROTOCOL_TLSv1_2), (2, 2, 3, 4, 5))

    def test_cert_reqs(self):
        self.assertEqual((ssl.CERT_NONE, ssl.CERT_OPTIONAL, ssl.CERT_REQUIRED), (0, 1, 2))

    def test_options(self):
        self.assertEqual(ssl.OP_NO_SSLv3, 0x02000000)
        self.assertEqual(ssl.OP_NO_TLSv1, 0x04000000)
        self.assertEqual(ssl.OP_NO_TLSv1_1, 0x10000000)
        self.assertEqual(ssl.OP_NO_TLSv1_2, 0x08000000)
        self.assertEqual(ssl.OP_NO_TLSv1_3, 0x20000000)
        self.assertEqual(ssl.OP_NO_COMPRESSION, 0x20000)
        self.assertEqual(ssl.OP_CIPHER_SERVER_PREFERENCE, 0x400000)
        self.assertEqual(ssl.OP_ALL & 0xFFFFFFFF, 0x80000050)

    def test_verify_flags_and_errors(self):
        self.assertEqual((ssl.VERIFY_DEFAULT, ssl.VERIFY_CRL_CHECK_LEAF,
                          ssl.VERIFY_CRL_CHECK_CHAIN, ssl.VERIFY_X509_STRICT,
                          ssl.VERIFY_X509_TRUSTED_FIRST), (0, 4, 12, 32, 32768))
        self.assertEqual((ssl.SSL_ERROR_SSL, ssl.SSL_ERROR_WANT_READ, ssl.SSL_ERROR_WANT_WRITE,
                          ssl.SSL_ERROR_SYSCALL, ssl.SSL_ERROR_ZERO_RETURN, ssl.SSL_ERROR_EOF),
                         (1, 2, 3, 5, 6, 8))

    def test_alert_descriptions(self):
        self.assertEqual(ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE, 40)
        self.assertEqual(ssl.ALERT_DESCRIPTION_UNKNOWN_CA, 48)
        self.assertEqual(ssl.ALERT_DESCRIPTION_INTERNAL_ERROR, 80)
        self.assertEqual(ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME, 112)

    def test_feature_flags(self):
        self.assertTrue(ssl.HAS_SNI)
        self.assertTrue(ssl.HAS_ALPN)
        self.assertTrue(ssl.HAS_ECDH)
        self.assertTrue(ssl.HAS_TLSv1_3)
        self.assertFalse(ssl.HAS_NPN)

    def test_openssl_version_names_the_engine(self):
        self.assertTrue(isinstance(ssl.OPENSSL_VERSION, str))
        self.assertEqual(len(ssl.OPENSSL_VERSION_INFO), 5)
        number = 0
        for part, shift in zip(ssl.OPENSSL_VERSION_INFO, (28, 20, 12, 4, 0)):
            number |= part << shift
        self.assertEqual(number, ssl.OPENSSL_VERSION_NUMBER)
        self.assertTrue(ssl.OPENSSL_VERSION_INFO[:3] >= (1, 1, 1), ssl.OPENSSL_VERSION_INFO)
        # the harness runs TLS modules on each engine and says which (JNS_TEST_TLS_ENGINE)
        engine = os.environ.get("JNS_TEST_TLS_ENGINE")
        if ON_JYTHON and engine == "openssl":
            self.assertTrue("BoringSSL" in ssl.OPENSSL_VERSION
                            and "netty-tcnative" in ssl.OPENSSL_VERSION, ssl.OPENSSL_VERSION)
        elif ON_JYTHON and engine == "jdk":
            self.assertTrue("JDK" in ssl.OPENSSL_VERSION and "Netty" in ssl.OPENSSL_VERSION,
                            ssl.OPENSSL_VERSION)
        elif ON_JYTHON:
            self.assertTrue("Netty" in ssl.OPENSSL_VERSION, ssl.OPENSSL_VERSION)
        else:
            self.assertTrue(ssl.OPENSSL_VERSION.startswith("OpenSSL"), ssl.OPENSSL_VERSION)


class ExceptionTests(unittest.TestCase):

    def test_hierarchy(self):
        self.assertTrue(issubclass(ssl.SSLError, socket.error))
        for cls in (ssl.SSLZeroReturnError, ssl.SSLWantReadError, ssl.SSLWantWriteError,
                    ssl.SSLSyscallError, ssl.SSLEOFError):
            self.assertTrue(issubclass(cls, ssl.SSLError), cls)
        self.assertTrue(issubclass(ssl.CertificateError, ValueError))

    def test_str_is_the_message(self):
        e = ssl.SSLError(1, "[SSL: X] y")
        self.assertEqual(str(e), "[SSL: X] y")
        self.assertEqual(e.errno, 1)


def cert(dns=(), ips=(), cn=None):
    c = {"subjectAltName": tuple(("DNS", d) for d in dns) + tuple(("IP Address", i)
                                                                  for i in ips)}
    if cn:
        c["subject"] = ((("commonName", cn),),)
    return c


class MatchHostnameTests(unittest.TestCase):

    def ok(self, c, host):
        self.assertEqual(ssl.match_hostname(c, host), None)

    def bad(self, c, host):
        self.assertRaises(ssl.CertificateError, ssl.match_hostname, c, host)

    def test_exact_and_case(self):
        self.ok(cert(["example.com"]), "example.com")
        self.ok(cert(["example.com"]), "EXAMPLE.com")
        self.bad(cert(["example.com"]), "www.example.com")

    def test_wildcards(self):
        c = cert(["*.example.com"])
        self.ok(c, "www.example.com")
        self.bad(c, "example.com")
        self.bad(c, "a.b.example.com")
        self.ok(cert(["f*.example.com"]), "foo.example.com")
        self.bad(cert(["f*.example.com"]), "bar.example.com")
        self.bad(cert(["www.*.com"]), "www.example.com")

    def test_too_many_wildcards(self):
        self.assertRaises(ssl.CertificateError, ssl.match_hostname,
                          cert(["a*b*.example.com"]), "axbxc.example.com")

    def test_idna_labels_are_not_wildcarded(self):
        self.bad(cert(["xn--p*.example.com"]), "xn--pa.example.com")

    def test_common_name_only_without_dns_san(self):
        self.ok({"subject": ((("commonName", "example.com"),),)}, "example.com")
        c = cert(["other.example"], cn="example.com")
        self.bad(c, "example.com")

    def test_messages(self):
        try:
            ssl.match_hostname(cert(["a.example", "b.example"]), "c.example")
        except ssl.CertificateError as e:
            self.assertEqual(str(e),
                             "hostname 'c.example' doesn't match either of 'a.example', "
                             "'b.example'")
        try:
            ssl.match_hostname({"subject": ()}, "c.example")
        except ssl.CertificateError as e:
            self.assertEqual(str(e), "no appropriate commonName or subjectAltName fields "
                                     "were found")

    def test_empty_certificate(self):
        self.assertRaises(ValueError, ssl.match_hostname, {}, "example.com")
        self.assertRaises(ValueError, ssl.match_hostname, None, "example.com")

    def test_ip_does_not_match_other_ip_or_dns(self):
        self.bad(cert(["localhost"], ["127.0.0.1"]), "127.0.0.2")
        self.bad(cert(["example.com"]), "10.0.0.1")

    @unittest.skipUnless(ON_JYTHON, "CPython 2.7.18 compares IP literals with DNS names only "
                                    "(IP SAN matching came with Python 3.5; issue 5 asks for it)")
    def test_ip_matches_ip_san(self):
        self.ok(cert(["localhost"], ["127.0.0.1"]), "127.0.0.1")
        self.ok(cert([], ["::1"]), "::1")
        self.ok(cert([], ["0:0:0:0:0:0:0:1"]), "::1")
        self.bad(cert(["127.0.0.1"]), "127.0.0.1")   # an IP is never matched as a DNS name


class PemDerTests(unittest.TestCase):

    def test_round_trip(self):
        pem = read("ca.pem").decode("ascii")
        der = read("ca.der")
        self.assertEqual(ssl.PEM_cert_to_DER_cert(pem), der)
        again = ssl.DER_cert_to_PEM_cert(der)
        self.assertTrue(again.startswith(ssl.PEM_HEADER + "\n"))
        self.assertTrue(again.endswith(ssl.PEM_FOOTER + "\n"))
        self.assertEqual(ssl.PEM_cert_to_DER_cert(again), der)
        body = again.splitlines()[1:-1]
        self.assertTrue(all(len(line) == 64 for line in body[:-1]))

    def test_bad_pem(self):
        self.assertRaises(ValueError, ssl.PEM_cert_to_DER_cert, "junk")
        pem = read("ca.pem").decode("ascii")
        self.assertRaises(ValueError, ssl.PEM_cert_to_DER_cert, pem[:-5])

    def test_cert_time_to_seconds(self):
        self.assertEqual(ssl.cert_time_to_seconds("May  9 00:00:00 2007 GMT"), 1178668800)
        self.assertEqual(ssl.cert_time_to_seconds("Jan  5 09:34:43 2018 GMT"), 1515144883)
        self.assertEqual(ssl.cert_time_to_seconds("Jan 05 09:34:43 2018 GMT"), 1515144883)
        self.assertRaises(ValueError, ssl.cert_time_to_seconds, "Foo  5 09:34:43 2018 GMT")
        self.assertRaises(ValueError, ssl.cert_time_to_seconds, "Jan  5 09:34 2018")


class RandomAndPurposeTests(unittest.TestCase):

    def test_rand(self):
        self.assertTrue(ssl.RAND_status())
        ssl.RAND_add("some entropy", 2.0)

    @unittest.skipUnless(ON_JYTHON, "CPython 2.7 has no RAND_bytes (Python 3.3+; issue 5 asks "
                                    "for it)")
    def test_rand_bytes(self):
        a, b = ssl.RAND_bytes(16), ssl.RAND_bytes(16)
        self.assertEqual((len(a), type(a)), (16, str))
        self.assertNotEqual(a, b)
        self.assertRaises(ValueError, ssl.RAND_bytes, -1)

    def test_purpose(self):
        self.assertEqual(ssl.Purpose.SERVER_AUTH.oid, "1.3.6.1.5.5.7.3.1")
        self.assertEqual(ssl.Purpose.SERVER_AUTH.shortname, "serverAuth")
        self.assertEqual(ssl.Purpose.CLIENT_AUTH.oid, "1.3.6.1.5.5.7.3.2")
        self.assertEqual(ssl.Purpose.CLIENT_AUTH.nid, 130)

    def test_default_verify_paths(self):
        paths = ssl.get_default_verify_paths()
        self.assertEqual(len(paths), 6)
        self.assertEqual(paths.openssl_cafile_env, "SSL_CERT_FILE")
        self.assertEqual(paths.openssl_capath_env, "SSL_CERT_DIR")


class ContextSettingTests(unittest.TestCase):

    def test_protocol_and_bad_protocol(self):
        self.assertEqual(ssl.SSLContext(ssl.PROTOCOL_TLSv1_2).protocol, ssl.PROTOCOL_TLSv1_2)
        self.assertRaises(ValueError, ssl.SSLContext, 42)

    def test_default_options(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        for flag in (ssl.OP_NO_SSLv3, ssl.OP_NO_COMPRESSION):
            self.assertTrue(ctx.options & flag, flag)
        ctx.options |= ssl.OP_NO_TLSv1_3
        self.assertTrue(ctx.options & ssl.OP_NO_TLSv1_3)

    def test_verify_mode_and_check_hostname(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        self.assertEqual((ctx.verify_mode, ctx.check_hostname), (ssl.CERT_NONE, False))
        self.assertRaises(ValueError, setattr, ctx, "check_hostname", True)
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.check_hostname = True
        self.assertRaises(ValueError, setattr, ctx, "verify_mode", ssl.CERT_NONE)
        self.assertRaises(ValueError, setattr, ctx, "verify_mode", 7)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE

    def test_create_default_context(self):
        ctx = ssl.create_default_context()
        self.assertEqual(ctx.verify_mode, ssl.CERT_REQUIRED)
        self.assertTrue(ctx.check_hostname)
        self.assertTrue(ctx.options & ssl.OP_NO_SSLv3)
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.assertEqual(server.verify_mode, ssl.CERT_NONE)
        self.assertRaises(TypeError, ssl.create_default_context, "serverAuth")

    def test_unverified_context(self):
        ctx = ssl._create_unverified_context()
        self.assertEqual((ctx.verify_mode, ctx.check_hostname), (ssl.CERT_NONE, False))

    def test_set_ciphers(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.set_ciphers("ECDHE+AESGCM:!aNULL")
        ctx.set_ciphers("HIGH")
        ctx.set_ciphers("AES256-SHA")
        self.assertRaises(ssl.SSLError, ctx.set_ciphers, "NO-SUCH-CIPHER")
        self.assertRaises(ssl.SSLError, ctx.set_ciphers, "")

    def test_alpn_and_npn(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        self.assertRaises(NotImplementedError, ctx.set_npn_protocols, ["http/1.1"])

    def test_servername_callback_must_be_callable(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.set_servername_callback(None)
        ctx.set_servername_callback(lambda *a: None)
        self.assertRaises(TypeError, ctx.set_servername_callback, 3)

    def test_session_stats(self):
        stats = ssl.SSLContext(ssl.PROTOCOL_TLS).session_stats()
        self.assertEqual(stats["accept"], 0)
        self.assertEqual(stats["hits"], 0)


class LoadVerifyLocationsTests(unittest.TestCase):

    def test_cafile(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        self.assertEqual(ctx.cert_store_stats(), {"x509": 0, "x509_ca": 0, "crl": 0})
        ctx.load_verify_locations(pki("ca.pem"))
        self.assertEqual(ctx.cert_store_stats(), {"x509": 1, "x509_ca": 1, "crl": 0})
        cas = ctx.get_ca_certs()
        self.assertEqual(len(cas), 1)
        self.assertEqual(dict(rdn[0] for rdn in cas[0]["subject"])["commonName"], "JNS Test CA")
        self.assertEqual(ctx.get_ca_certs(True), [read("ca.der")])

    def test_cadata_pem_and_der(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.load_verify_locations(cadata=read("ca.pem").decode("ascii"))
        ctx.load_verify_locations(cadata=read("other_ca.pem").decode("ascii"))
        self.assertEqual(ctx.cert_store_stats()["x509_ca"], 2)

    @unittest.skipUnless(ON_JYTHON, "CPython 2.7.18 on OpenSSL 3 rejects any DER cadata "
                                    "('unknown error': OpenSSL 3 changed the end-of-data code)")
    def test_cadata_der(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.load_verify_locations(cadata=read("ca.der"))
        self.assertEqual(ctx.cert_store_stats()["x509_ca"], 1)
        ctx.load_verify_locations(cadata=bytearray(read("other_ca.der")))
        self.assertEqual(ctx.cert_store_stats()["x509_ca"], 2)

    def test_capath(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.load_verify_locations(capath=os.path.dirname(pki("ca.pem")))

    def test_errors(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        self.assertRaises(TypeError, ctx.load_verify_locations)
        try:
            ctx.load_verify_locations(pki("no-such-file.pem"))
            self.fail("no IOError")
        except IOError as e:
            self.assertEqual(e.errno, errno.ENOENT)
        self.assertRaises(ssl.SSLError, ctx.load_verify_locations, cadata=b"garbage")
        self.assertRaises(ssl.SSLError, ctx.load_verify_locations, cadata=u"garbage")
        self.assertRaises(TypeError, ctx.load_verify_locations, cadata=42)

    def test_default_certs(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.load_default_certs()
        ctx.set_default_verify_paths()


class LoadCertChainTests(unittest.TestCase):

    def load(self, certfile, keyfile=None, password=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.load_cert_chain(pki(certfile), keyfile and pki(keyfile), password)
        return ctx

    def test_key_forms(self):
        self.load("client.pem", "client_pkcs8.key")
        self.load("client.pem", "client_pkcs1.key")
        self.load("server_combined.pem")
        self.load("server_chain.pem", "server.key")
        self.load("ec.pem", "ec.key")

    def test_encrypted_keys(self):
        self.load("client.pem", "client_enc.key", password())
        self.load("client.pem", "client_enc.key", lambda: password())
        self.load("client.pem", "client_legacy_enc.key", password())
        self.load("client.pem", "client_enc.key", bytearray(password().encode("ascii")))

    def test_wrong_password(self):
        self.assertRaises(ssl.SSLError, self.load, "client.pem", "client_enc.key", "wrong")
        self.assertRaises(ssl.SSLError, self.load, "client.pem", "client_legacy_enc.key",
                          "wrong")

    def test_password_types(self):
        self.assertRaises(TypeError, self.load, "client.pem", "client_enc.key", 3)
        self.assertRaises(TypeError, self.load, "client.pem", "client_enc.key", lambda: 3)

    def test_key_mismatch(self):
        try:
            self.load("client.pem", "other.key")
            self.fail("mismatch accepted")
        except ssl.SSLError as e:
            self.assertEqual(e.reason, "KEY_VALUES_MISMATCH")
            self.assertEqual(e.library, "X509")

    def test_bad_files(self):
        self.assertRaises(ssl.SSLError, self.load, "garbage.pem")
        self.assertRaises(ssl.SSLError, self.load, "client.pem")   # no key in it
        try:
            self.load("no-such.pem")
            self.fail("no IOError")
        except IOError as e:
            self.assertEqual(e.errno, errno.ENOENT)


if __name__ == "__main__":
    unittest.main()
