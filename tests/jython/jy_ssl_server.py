# -*- coding: utf-8 -*-
"""TLS servers of ours against the CPython 3 TLS dialer (tests/harness/tls_peers.py), over
TLS 1.2 and 1.3, in blocking, timeout and non-blocking modes: accepted sockets wrapped with
server_side=True, wrapped listening sockets, ALPN, client certificates.

Behaviour is CPython 2.7.18's: these cases must pass on the cpython2 oracle.
"""

import errno
import select
import socket
import ssl
import unittest

from netsupport import IO_TIMEOUT, NetTestCase, parse_count_sha, pattern, peer, read_line, \
    sha256hex
from users_support import tls_file as pki


class Dial(object):
    """A request to the TLS dialer; result() -> (count, sha256, {version, alpn, eof})."""

    def __init__(self, port, nbytes, **opts):
        self.ctl = socket.create_connection(peer("TLS_DIALER"), IO_TIMEOUT)
        words = ["127.0.0.1", str(port), str(nbytes)] + ["%s=%s" % kv for kv in opts.items()]
        self.ctl.sendall((" ".join(words) + "\n").encode("ascii"))

    def result(self):
        try:
            line = read_line(self.ctl)
        finally:
            self.ctl.close()
        if line.startswith("ERR"):
            return line
        words = line.split()
        count, sha = parse_count_sha(" ".join(words[:2]))
        return count, sha, dict(w.split("=", 1) for w in words[2:])


class _TlsServerCases(object):
    VERSION = None
    MODE = None

    def server_context(self, client_auth=ssl.CERT_NONE, alpn=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        ctx.load_cert_chain(pki("server.pem"), pki("server.key"))
        if client_auth != ssl.CERT_NONE:
            ctx.verify_mode = client_auth
            ctx.load_verify_locations(pki("ca.pem"))
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx

    def listen(self):
        s = self.listener()
        if self.MODE == "blocking":
            s.settimeout(None)
        elif self.MODE == "nonblocking":
            s.setblocking(False)
        return s

    def dial(self, listener, nbytes, **opts):
        opts.setdefault("max", self.VERSION)
        return Dial(listener.getsockname()[1], nbytes, **opts)

    def wait(self, s, want):
        r, w, _ = select.select([s] if want == "r" else [], [s] if want == "w" else [], [],
                                IO_TIMEOUT)
        self.assertTrue(r or w, "select timed out waiting for %s" % want)

    def accept(self, listener):
        if self.MODE == "nonblocking":
            self.wait(listener, "r")
        conn, addr = listener.accept()
        self.track(conn)
        if self.MODE == "nonblocking":
            conn.setblocking(False)
        return conn

    def wrap(self, ctx, conn):
        if self.MODE != "nonblocking":
            return self.track(ctx.wrap_socket(conn, server_side=True))
        s = self.track(ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False))
        self.handshake(s)
        return s

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

    def echo(self, s, nbytes):
        """Echo exactly nbytes back, then close (close_notify or EOF for the dialer)."""
        left = nbytes
        while left:
            try:
                data = s.recv(min(left, 65536))
            except ssl.SSLWantReadError:
                self.wait(s, "r")
                continue
            self.assertTrue(data, "EOF with %d bytes left" % left)
            left -= len(data)
            view = data
            while view:
                sent = s.send(view)
                if sent == 0:
                    self.wait(s, "w")
                view = view[sent:]

    def serve_one(self, ctx, listener, nbytes):
        conn = self.accept(listener)
        s = self.wrap(ctx, conn)
        self.echo(s, nbytes)
        version = s.version()
        s.close()
        conn.close()
        return s, version

    # ------------------------------------------------------------------ cases

    def test_echo_accepted_socket(self):
        listener = self.listen()
        d = self.dial(listener, 300000)
        s, version = self.serve_one(self.server_context(), listener, 300000)
        self.assertEqual(version, self.VERSION)
        count, sha, info = d.result()
        self.assertEqual((count, sha), (300000, sha256hex(pattern(300000))))
        self.assertEqual(info["version"], self.VERSION)

    def test_alpn_chosen_by_server(self):
        listener = self.listen()
        d = self.dial(listener, 10, alpn="h2,x-jns")
        conn = self.accept(listener)
        s = self.wrap(self.server_context(alpn=["x-jns", "http/1.1"]), conn)
        self.assertEqual(s.selected_alpn_protocol(), "x-jns")
        self.echo(s, 10)
        s.close()
        conn.close()
        self.assertEqual(d.result()[2]["alpn"], "x-jns")

    def test_wrapped_listener(self):
        # accept() on a wrapped listener hands back SSLSockets that handshake as servers;
        # three clients connect at once and none waits for another.
        listener = self.listen()
        ctx = self.server_context()
        tls_listener = self.track(ctx.wrap_socket(
            listener, server_side=True,
            do_handshake_on_connect=self.MODE != "nonblocking"))
        dials = [self.dial(listener, 20000) for _ in range(3)]
        for _ in dials:
            if self.MODE == "nonblocking":
                self.wait(tls_listener, "r")
            s, addr = tls_listener.accept()
            self.track(s)
            self.assertTrue(isinstance(s, ssl.SSLSocket))
            self.assertEqual(addr[0], "127.0.0.1")
            if self.MODE == "nonblocking":
                s.setblocking(False)
                self.handshake(s)
            self.echo(s, 20000)
            s.close()
        expected = (20000, sha256hex(pattern(20000)))
        self.assertEqual([d.result()[:2] for d in dials], [expected] * 3)

    def test_client_certificate_required(self):
        listener = self.listen()
        d = self.dial(listener, 10, cert="1")
        conn = self.accept(listener)
        s = self.wrap(self.server_context(ssl.CERT_REQUIRED), conn)
        cert = s.getpeercert()
        self.assertEqual(dict(rdn[0] for rdn in cert["subject"])["commonName"], "jns client")
        self.echo(s, 10)
        s.close()
        conn.close()
        self.assertEqual(d.result()[0], 10)

    def test_client_certificate_required_but_missing(self):
        listener = self.listen()
        d = self.dial(listener, 10)
        conn = self.accept(listener)
        try:
            self.wrap(self.server_context(ssl.CERT_REQUIRED), conn)
        except ssl.SSLError as e:
            self.assertEqual(e.reason, "PEER_DID_NOT_RETURN_A_CERTIFICATE", str(e))
        else:
            self.fail("handshake without the required client certificate")
        conn.close()
        self.assertTrue(str(d.result()).startswith("ERR"))

    def test_client_certificate_optional(self):
        listener = self.listen()
        d = self.dial(listener, 10)
        conn = self.accept(listener)
        s = self.wrap(self.server_context(ssl.CERT_OPTIONAL), conn)
        self.assertEqual(s.getpeercert(), None)
        self.echo(s, 10)
        s.close()
        conn.close()
        self.assertEqual(d.result()[0], 10)


class _BadClientCases(object):
    """Clients that do not speak TLS properly: a clean SSLError, no hang, no leak."""

    def bad_client(self, payload):
        listener = self.listen()
        client = self.track(socket.create_connection(listener.getsockname(), IO_TIMEOUT))
        client.sendall(payload)
        client.shutdown(socket.SHUT_WR)
        conn = self.accept(listener)
        ctx = self.server_context()
        if self.MODE == "nonblocking":
            s = ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
            self.assertRaises(ssl.SSLError, self.handshake, s)
            s.close()
        else:
            self.assertRaises(ssl.SSLError, ctx.wrap_socket, conn, server_side=True)
        conn.close()
        try:
            while client.recv(65536):      # an alert at most, then the end
                pass
        except socket.error as e:
            self.assertEqual(e.errno, errno.ECONNRESET)

    def test_plaintext_client(self):
        self.bad_client(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")

    def test_truncated_client_hello(self):
        self.bad_client(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")

    def test_garbage_record(self):
        self.bad_client(b"\x17\x03\x03\x00\x10" + b"\xaa" * 16)


class _SniCases(object):

    def test_servername_callback_sees_sni_and_switches_context(self):
        listener = self.listen()
        seen = []
        other_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)
        other_ctx.load_cert_chain(pki("wrong.pem"), pki("server.key"))
        ctx = self.server_context()

        def callback(sslsocket, server_name, initial):
            seen.append((server_name, initial is ctx, isinstance(sslsocket, ssl.SSLSocket)))
            if server_name == "localhost":
                sslsocket.context = other_ctx
        ctx.set_servername_callback(callback)
        d = self.dial(listener, 10, sni="localhost")
        conn = self.accept(listener)
        s = self.wrap(ctx, conn)
        self.assertTrue(s.context is other_ctx)
        self.echo(s, 10)
        s.close()
        conn.close()
        self.assertEqual(d.result()[2]["cn"], "wrong.example")
        self.assertEqual(seen, [("localhost", True, True)])

    def test_servername_callback_without_sni(self):
        listener = self.listen()
        seen = []
        ctx = self.server_context()
        ctx.set_servername_callback(lambda sock, name, c: seen.append(name))
        d = self.dial(listener, 10)
        conn = self.accept(listener)
        s = self.wrap(ctx, conn)
        self.echo(s, 10)
        s.close()
        conn.close()
        self.assertEqual(d.result()[2]["cn"], "localhost")
        self.assertEqual(seen, [None])

    def test_servername_callback_alert_fails_handshake(self):
        listener = self.listen()
        ctx = self.server_context()
        ctx.set_servername_callback(
            lambda sock, name, c: ssl.ALERT_DESCRIPTION_INTERNAL_ERROR)
        d = self.dial(listener, 10, sni="localhost")
        conn = self.accept(listener)
        self.assertRaises(ssl.SSLError, self.wrap, ctx, conn)
        conn.close()
        self.assertTrue(str(d.result()).startswith("ERR"))


class Tls12Blocking(_TlsServerCases, _SniCases, _BadClientCases, NetTestCase):
    VERSION, MODE = "TLSv1.2", "blocking"


class Tls13Blocking(_TlsServerCases, _SniCases, _BadClientCases, NetTestCase):
    VERSION, MODE = "TLSv1.3", "blocking"


class Tls12Timeout(_TlsServerCases, _SniCases, _BadClientCases, NetTestCase):
    VERSION, MODE = "TLSv1.2", "timeout"


class Tls13Timeout(_TlsServerCases, _SniCases, _BadClientCases, NetTestCase):
    VERSION, MODE = "TLSv1.3", "timeout"


class Tls12NonBlocking(_TlsServerCases, _SniCases, _BadClientCases, NetTestCase):
    VERSION, MODE = "TLSv1.2", "nonblocking"


class Tls13NonBlocking(_TlsServerCases, _SniCases, _BadClientCases, NetTestCase):
    VERSION, MODE = "TLSv1.3", "nonblocking"


if __name__ == "__main__":
    unittest.main()
