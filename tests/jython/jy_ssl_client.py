# -*- coding: utf-8 -*-
"""TLS clients against the CPython 3 TLS peers (tests/harness/tls_peers.py), over TLS 1.2
and TLS 1.3, in blocking, timeout and non-blocking modes (one class per combination).

Non-blocking cases drive the handshake and the I/O CPython's way: SSLWantReadError /
SSLWantWriteError, then select() until calling again is worth it.
Behaviour is CPython 2.7.18's: these cases must pass on the cpython2 oracle.
"""

import errno
import hashlib
import os
import platform
import select
import socket
import ssl
import time
import unittest

from netsupport import IO_TIMEOUT, NetTestCase, greeting, pattern, peer
from users_support import read_tls_file as read_pki, tls_file as pki

ON_JYTHON = platform.python_implementation() == "Jython"


def info(line):
    """'sni=a alpn=b ...' -> dict."""
    return dict(item.split("=", 1) for item in line.decode("ascii").split())


class _TlsClientCases(object):
    """The cases; subclasses choose VERSION ('TLSv1.2'/'TLSv1.3') and MODE."""

    VERSION = None
    MODE = None

    # ------------------------------------------------------------------ helpers

    def context(self, verify=True, alpn=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        if self.VERSION == "TLSv1.2":
            ctx.options |= ssl.OP_NO_TLSv1_3
        else:
            ctx.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1 | ssl.OP_NO_TLSv1_2
        if verify:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.check_hostname = True
            ctx.load_verify_locations(pki("ca.pem"))
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx

    def raw(self, name):
        s = self.track(socket.create_connection(peer(name), IO_TIMEOUT))
        if self.MODE == "blocking":
            s.settimeout(None)
        elif self.MODE == "nonblocking":
            s.setblocking(False)
        return s

    def open(self, name, ctx=None, server_hostname="localhost", **kwargs):
        ctx = ctx or self.context()
        raw = self.raw(name)
        if self.MODE == "nonblocking":
            s = self.track(ctx.wrap_socket(raw, server_hostname=server_hostname,
                                           do_handshake_on_connect=False, **kwargs))
            self.handshake(s)
        else:
            s = self.track(ctx.wrap_socket(raw, server_hostname=server_hostname, **kwargs))
        return s

    def wait(self, s, want):
        readable, writable, _ = select.select([s] if want == "r" else [],
                                              [s] if want == "w" else [], [], IO_TIMEOUT)
        self.assertTrue(readable or writable, "select timed out waiting for %s" % want)

    def handshake(self, s):
        for _ in range(1000):
            try:
                s.do_handshake()
                return
            except ssl.SSLWantReadError:
                self.wait(s, "r")
            except ssl.SSLWantWriteError:
                self.wait(s, "w")
        self.fail("handshake never finished")

    def recv(self, s, n=65536):
        while True:
            try:
                return s.recv(n)
            except ssl.SSLWantReadError:
                self.assertEqual(self.MODE, "nonblocking")
                self.wait(s, "r")
            except socket.error as e:     # a plain socket (before STARTTLS, after unwrap)
                if isinstance(s, ssl.SSLSocket) or e.errno != errno.EAGAIN:
                    raise
                self.wait(s, "r")

    def send_all(self, s, data):
        if self.MODE != "nonblocking":
            s.sendall(data)
            return
        view = memoryview(data)
        while view:
            try:
                sent = s.send(view[:65536].tobytes())
            except socket.error as e:     # a plain socket
                if isinstance(s, ssl.SSLSocket) or e.errno != errno.EAGAIN:
                    raise
                sent = 0
            if sent == 0:
                self.wait(s, "w")
            view = view[sent:]

    def recv_exact(self, s, n):
        chunks, left = [], n
        while left:
            data = self.recv(s, min(left, 65536))
            if not data:
                raise AssertionError("EOF after %d of %d bytes" % (n - left, n))
            chunks.append(data)
            left -= len(data)
        return b"".join(chunks)

    def recv_until_eof(self, s):
        chunks = []
        while True:
            data = self.recv(s)
            if not data:
                return b"".join(chunks)
            chunks.append(data)

    # ------------------------------------------------------------------ cases

    def test_echo_and_negotiated_parameters(self):
        s = self.open("TLS_ECHO")
        self.send_all(s, b"hello over tls")
        self.assertEqual(self.recv_exact(s, 14), b"hello over tls")
        self.assertEqual(s.version(), self.VERSION)
        name, protocol, bits = s.cipher()
        self.assertTrue(isinstance(name, str) and "_" not in name or
                        name.startswith("TLS_"), name)
        self.assertTrue(bits >= 128, bits)
        self.assertTrue(isinstance(s, socket.socket))

    def test_echo_256k_in_chunks(self):
        s = self.open("TLS_ECHO")
        data = pattern(256 * 1024)
        received = hashlib.sha256()
        for start in range(0, len(data), 32768):
            chunk = data[start:start + 32768]
            self.send_all(s, chunk)
            received.update(self.recv_exact(s, len(chunk)))
        self.assertEqual(received.hexdigest(), hashlib.sha256(data).hexdigest())

    def test_getpeercert(self):
        s = self.open("TLS_ECHO")
        cert = s.getpeercert()
        self.assertEqual(dict(rdn[0] for rdn in cert["subject"])["commonName"], "localhost")
        self.assertEqual(dict(rdn[0] for rdn in cert["issuer"])["commonName"], "JNS Test CA")
        self.assertEqual(cert["version"], 3)
        self.assertEqual(cert["subjectAltName"],
                         (("DNS", "localhost"), ("IP Address", "127.0.0.1")))
        self.assertTrue(ssl.cert_time_to_seconds(cert["notAfter"]) > time.time())
        self.assertTrue(ssl.cert_time_to_seconds(cert["notBefore"]) < time.time())
        self.assertTrue(len(cert["serialNumber"]) % 2 == 0)
        int(cert["serialNumber"], 16)
        der = ssl.PEM_cert_to_DER_cert(read_pki("server.pem").decode("ascii"))
        self.assertEqual(s.getpeercert(True), der)

    def test_unverified_peer_cert_is_empty_dict(self):
        s = self.open("TLS_ECHO", ctx=self.context(verify=False))
        self.assertEqual(s.getpeercert(), {})
        self.assertTrue(len(s.getpeercert(True)) > 100)

    def test_sni_and_alpn(self):
        s = self.open("TLS_INFO", ctx=self.context(alpn=["h2", "x-jns"]))
        line = self.recv_until_eof(s)
        fields = info(line)
        self.assertEqual(fields["sni"], "localhost")
        self.assertEqual(fields["alpn"], "x-jns")
        self.assertEqual(fields["version"], self.VERSION)
        self.assertEqual(s.selected_alpn_protocol(), "x-jns")

    def test_sni_sent_without_verification(self):
        s = self.open("TLS_INFO", ctx=self.context(verify=False))
        self.assertEqual(info(self.recv_until_eof(s))["sni"], "localhost")
        self.assertEqual(s.selected_alpn_protocol(), None)

    def test_no_sni_without_server_hostname(self):
        s = self.open("TLS_INFO", ctx=self.context(verify=False), server_hostname=None)
        self.assertEqual(info(self.recv_until_eof(s))["sni"], "-")

    def test_close_notify_reads_empty(self):
        s = self.open("TLS_CLOSE", suppress_ragged_eofs=False)
        self.assertEqual(self.recv_until_eof(s), greeting())
        self.assertEqual(self.recv(s), b"")

    def test_ragged_eof_is_an_error_without_suppression(self):
        s = self.open("TLS_RAGGED", suppress_ragged_eofs=False)
        data = b""
        try:
            while True:
                chunk = self.recv(s)
                if not chunk:
                    self.fail("ragged EOF read as a clean end after %r" % (data,))
                data += chunk
        except ssl.SSLError:
            pass
        self.assertEqual(data, greeting())

    @unittest.skipUnless(ON_JYTHON, "CPython 2.7.18 on OpenSSL 3 reports a ragged EOF as "
                                    "SSL_ERROR_SSL ('unexpected eof'), which "
                                    "suppress_ragged_eofs does not cover")
    def test_ragged_eof_suppressed(self):
        s = self.open("TLS_RAGGED")
        self.assertEqual(self.recv_until_eof(s), greeting())
        s2 = self.open("TLS_RAGGED", suppress_ragged_eofs=False)
        self.recv_exact(s2, len(greeting()))
        self.assertRaises(ssl.SSLEOFError, self.recv, s2)

    def test_hostname_mismatch(self):
        self.assertRaises(ssl.CertificateError, self.open, "TLS_WRONGHOST")

    def test_hostname_not_checked_when_disabled(self):
        ctx = self.context()
        ctx.check_hostname = False
        s = self.open("TLS_WRONGHOST", ctx=ctx)
        self.assertEqual(self.recv_until_eof(s), greeting())

    def assertVerifyFailed(self, name):
        try:
            self.open(name)
        except ssl.SSLError as e:
            self.assertEqual(e.reason, "CERTIFICATE_VERIFY_FAILED")
            self.assertEqual(e.library, "SSL")
            self.assertTrue(str(e).startswith("[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                                              "verify failed"), str(e))
        else:
            self.fail("%s: certificate accepted" % name)

    def test_untrusted_ca(self):
        self.assertVerifyFailed("TLS_UNTRUSTED")

    def test_expired_certificate(self):
        self.assertVerifyFailed("TLS_EXPIRED")

    def test_no_ca_loaded_fails_verification(self):
        ctx = self.context(verify=False)
        ctx.verify_mode = ssl.CERT_REQUIRED
        try:
            self.open("TLS_ECHO", ctx=ctx)
        except ssl.SSLError as e:
            self.assertEqual(e.reason, "CERTIFICATE_VERIFY_FAILED")
        else:
            self.fail("no CA, yet verified")

    def test_client_certificate(self):
        ctx = self.context()
        ctx.load_cert_chain(pki("client.pem"), pki("client_pkcs8.key"))
        s = self.open("TLS_CLIENTCERT", ctx=ctx)
        self.assertEqual(info(self.recv_until_eof(s))["client"], "jns_client")

    def test_encrypted_client_key(self):
        ctx = self.context()
        ctx.load_cert_chain(pki("client.pem"), pki("client_enc.key"),
                            os.environ["JNS_PEER_TLS_PASSWORD"])
        s = self.open("TLS_INFO", ctx=ctx)
        self.assertEqual(info(self.recv_until_eof(s))["client"], "jns_client")

    def test_client_certificate_required_but_missing(self):
        # TLS 1.3 reports the server's refusal after the client's handshake has finished,
        # so the failure may come from the first read.
        def attempt():
            s = self.open("TLS_CLIENTCERT")
            self.recv_until_eof(s)
        self.assertRaises(ssl.SSLError, attempt)

    def test_pending_and_recv_into(self):
        s = self.open("TLS_INFO", ctx=self.context(verify=False))
        first = self.recv(s, 5)
        self.assertEqual(len(first), 5)
        self.assertTrue(s.pending() > 0)
        buf = bytearray(200)
        n = s.recv_into(buf)
        self.assertEqual(first + bytes(buf[:n]), first + bytes(buf[:n]))
        self.assertTrue(bytes(buf[:n]).endswith(b"\n"))
        self.assertEqual(s.pending(), 0)

    def test_read_and_write(self):
        s = self.open("TLS_ECHO")
        if self.MODE == "nonblocking":
            self.assertRaises(ssl.SSLWantReadError, s.read, 10)
        self.assertEqual(s.write(b"abc"), 3)
        data = b""
        while len(data) < 3:
            try:
                data += s.read(10)
            except ssl.SSLWantReadError:
                self.wait(s, "r")
        self.assertEqual(data, b"abc")

    def test_flags_refused(self):
        s = self.open("TLS_ECHO")
        self.assertRaises(ValueError, s.recv, 10, socket.MSG_PEEK)
        self.assertRaises(ValueError, s.send, b"x", socket.MSG_DONTWAIT)
        self.assertRaises(ValueError, s.recvfrom, 10)

    def test_set_ciphers_applied(self):
        if self.VERSION != "TLSv1.2":
            return self.skipTest("TLS 1.3 suites are not chosen by cipher strings")
        ctx = self.context()
        ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
        s = self.open("TLS_ECHO", ctx=ctx)
        self.assertEqual(s.cipher(), ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2", 128))

    def test_protocol_pinned(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)
        s = self.open("TLS_ECHO", ctx=ctx, server_hostname=None)
        self.assertEqual(s.version(), "TLSv1.2")

    def test_no_common_protocol(self):
        ctx = self.context()
        ctx.options |= ssl.OP_NO_TLSv1_2 | ssl.OP_NO_TLSv1_3
        self.assertRaises(ssl.SSLError, self.open, "TLS_ECHO", ctx=ctx)

    def test_plaintext_server_is_an_ssl_error(self):
        # the greeter answers the ClientHello with plain text
        self.assertRaises(ssl.SSLError, self.open, "GREETER", ctx=self.context(verify=False))


    # ------------------------------------------------------------------ STARTTLS / unwrap

    def line(self, s, buf):
        """(line, rest) from a socket plus what is buffered (non-blocking aware)."""
        while b"\n" not in buf:
            data = self.recv(s)
            if not data:
                raise AssertionError("EOF before a full line: %r" % (buf,))
            buf += data
        line, rest = buf.split(b"\n", 1)
        return line, rest

    def test_starttls_up_and_unwrap_down(self):
        plain = self.raw("TLS_STARTTLS")
        self.send_all(plain, b"before tls\n")
        line, rest = self.line(plain, b"")
        self.assertEqual(line, b"before tls")
        self.send_all(plain, b"STARTTLS\n")
        line, rest = self.line(plain, rest)
        self.assertEqual((line, rest), (b"OK", b""))
        ctx = self.context()
        if self.MODE == "nonblocking":
            tls = self.track(ctx.wrap_socket(plain, server_hostname="localhost",
                                             do_handshake_on_connect=False))
            self.handshake(tls)
        else:
            tls = self.track(ctx.wrap_socket(plain, server_hostname="localhost"))
        self.assertEqual(tls.version(), self.VERSION)
        self.send_all(tls, b"inside tls\n")
        line, rest = self.line(tls, b"")
        self.assertEqual(line, b"inside tls")
        self.send_all(tls, b"STOPTLS\n")
        line, rest = self.line(tls, rest)
        self.assertEqual((line, rest), (b"STOPPING", b""))
        while True:
            try:
                clear = self.track(tls.unwrap())
                break
            except ssl.SSLWantReadError:
                self.wait(tls, "r")
        self.assertFalse(isinstance(clear, ssl.SSLSocket))
        line, rest = self.line(clear, b"")
        self.assertEqual(line, b"PLAIN AGAIN")
        self.send_all(clear, b"after tls\n")
        line, rest = self.line(clear, rest)
        self.assertEqual((line, rest), (b"after tls", b""))
        clear.shutdown(socket.SHUT_WR)
        self.assertEqual(self.recv(clear), b"")

    def test_unwrap_without_tls(self):
        s = self.open("TLS_ECHO")
        s.shutdown(socket.SHUT_RDWR)
        self.assertRaises(ValueError, s.unwrap)


class _ModeCases(object):
    """Cases that only make sense in one mode (mixed into the matching classes)."""


class _NonBlockingCases(object):

    def test_handshake_wants_read_until_select_says_so(self):
        raw = self.raw("TLS_ECHO")
        s = self.track(self.context().wrap_socket(raw, server_hostname="localhost",
                                                  do_handshake_on_connect=False))
        self.handshake(s)       # do_handshake, select on SSLWantReadError, again
        self.assertEqual(s.version(), self.VERSION)
        self.assertRaises(ssl.SSLWantReadError, s.recv, 10)
        self.assertEqual(s.send(b"ping"), 4)
        self.wait(s, "r")
        self.assertEqual(self.recv_exact(s, 4), b"ping")

    def test_poll_reports_readable_plaintext(self):
        s = self.open("TLS_ECHO")
        poller = select.poll()
        poller.register(s, select.POLLIN)
        self.send_all(s, b"x" * 100)
        events = poller.poll(IO_TIMEOUT * 1000)
        self.assertEqual([(fd, ev & select.POLLIN) for fd, ev in events],
                         [(s.fileno(), select.POLLIN)])
        self.assertEqual(self.recv_exact(s, 100), b"x" * 100)

    def test_implicit_handshake_then_not_readable(self):
        # no do_handshake(): recv drives it; once done, an idle socket is not readable
        raw = self.raw("TLS_ECHO")
        s = self.track(self.context().wrap_socket(raw, server_hostname="localhost",
                                                  do_handshake_on_connect=False))
        while True:
            try:
                s.recv(10)
                self.fail("data from an idle echo server")
            except ssl.SSLWantReadError:
                if s.version() is not None and select.select([s], [], [], 0.3)[0] == []:
                    break
                self.wait(s, "r")
        self.assertEqual(s.send(b"x"), 1)
        self.assertEqual(self.recv_exact(s, 1), b"x")

    def test_wrap_with_handshake_on_connect_refused(self):
        raw = self.raw("TLS_ECHO")
        self.assertRaises(ValueError, self.context().wrap_socket, raw,
                          server_hostname="localhost")


class _TimeoutCases(object):

    def test_read_times_out(self):
        s = self.open("TLS_ECHO")
        s.settimeout(0.3)
        # CPython 2.7 raises SSLError('The read operation timed out'), not socket.timeout
        try:
            s.recv(10)
        except ssl.SSLError as e:
            self.assertEqual(e.args, ("The read operation timed out",))
        else:
            self.fail("recv returned")

    def test_handshake_times_out(self):
        raw = self.raw("SLOW")           # accepts, never answers the ClientHello
        raw.settimeout(0.3)
        try:
            self.context(verify=False).wrap_socket(raw)
        except ssl.SSLError as e:
            self.assertTrue(e.args[-1].endswith("The handshake operation timed out"), e.args)
        else:
            self.fail("handshake finished")

    def test_wrap_before_connect(self):
        s = self.track(self.context().wrap_socket(socket.socket(),
                                                  server_hostname="localhost"))
        s.settimeout(IO_TIMEOUT)
        s.connect(peer("TLS_ECHO"))
        s.sendall(b"early")
        self.assertEqual(self.recv_exact(s, 5), b"early")
        self.assertEqual(s.version(), self.VERSION)

    def test_makefile(self):
        s = self.open("TLS_INFO", ctx=self.context(verify=False))
        f = s.makefile("rb")
        line = f.readline()
        self.assertTrue(line.startswith(b"sni=localhost "), line)
        self.assertEqual(f.read(), b"")
        f.close()


class _BlockingCases(object):

    def test_before_handshake(self):
        s = self.track(self.context().wrap_socket(socket.socket(),
                                                  server_hostname="localhost"))
        self.assertEqual(s.cipher(), None)
        self.assertEqual(s.version(), None)
        self.assertRaises(socket.error, s.getpeercert)

    def test_module_wrap_socket(self):
        s = self.track(ssl.wrap_socket(self.raw("TLS_ECHO"), ca_certs=pki("ca.pem"),
                                       cert_reqs=ssl.CERT_REQUIRED))
        s.sendall(b"module")
        self.assertEqual(self.recv_exact(s, 6), b"module")
        self.assertEqual(s.getpeercert()["subjectAltName"][0], ("DNS", "localhost"))


class ModuleFunctionTests(NetTestCase):

    def test_get_server_certificate(self):
        pem = ssl.get_server_certificate(peer("TLS_ECHO"))
        self.assertEqual(ssl.PEM_cert_to_DER_cert(pem),
                         ssl.PEM_cert_to_DER_cert(read_pki("server.pem").decode("ascii")))
        verified = ssl.get_server_certificate(peer("TLS_ECHO"), ca_certs=pki("ca.pem"))
        self.assertEqual(verified, pem)
        self.assertRaises(ssl.SSLError, ssl.get_server_certificate, peer("TLS_ECHO"),
                          ca_certs=pki("other_ca.pem"))

    def test_no_sni_for_ip_literal(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        s = self.track(ctx.wrap_socket(socket.create_connection(peer("TLS_INFO"), IO_TIMEOUT),
                                       server_hostname="127.0.0.1"))
        line = b""
        while not line.endswith(b"\n"):
            data = s.recv(100)
            if not data:
                break
            line += data
        self.assertEqual(info(line)["sni"], "-")


    def test_wrapped_socket_keeps_its_file_number(self):
        raw = self.track(socket.create_connection(peer("TLS_ECHO"), IO_TIMEOUT))
        number = raw.fileno()
        poller = select.poll()
        poller.register(number, select.POLLIN)
        ctx = ssl.create_default_context(cafile=pki("ca.pem"))
        s = self.track(ctx.wrap_socket(raw, server_hostname="localhost"))
        self.assertEqual(s.fileno(), number)
        s.sendall(b"same fd\n")
        self.assertEqual(poller.poll(IO_TIMEOUT * 1000), [(number, select.POLLIN)])
        self.assertEqual(s.recv(100), b"same fd\n")
        s.close()
        raw.close()
        replacement = self.tcp()
        self.assertEqual(replacement.fileno(), number)   # the lowest free number again


class Tls12Blocking(_TlsClientCases, _BlockingCases, NetTestCase):
    VERSION, MODE = "TLSv1.2", "blocking"


class Tls13Blocking(_TlsClientCases, _BlockingCases, NetTestCase):
    VERSION, MODE = "TLSv1.3", "blocking"


class Tls12Timeout(_TlsClientCases, _TimeoutCases, NetTestCase):
    VERSION, MODE = "TLSv1.2", "timeout"


class Tls13Timeout(_TlsClientCases, _TimeoutCases, NetTestCase):
    VERSION, MODE = "TLSv1.3", "timeout"


class Tls12NonBlocking(_TlsClientCases, _NonBlockingCases, NetTestCase):
    VERSION, MODE = "TLSv1.2", "nonblocking"


class Tls13NonBlocking(_TlsClientCases, _NonBlockingCases, NetTestCase):
    VERSION, MODE = "TLSv1.3", "nonblocking"


if __name__ == "__main__":
    unittest.main()
