# -*- coding: utf-8 -*-
"""requests 2.27 / urllib3 1.26, unchanged, over our sockets against CPython 3 HTTP(S) peers.

The peers are ``tests/harness/http_peers.py`` (their paths are documented there); the wheels
come from ``build/py27-site`` (``users_support``).  HTTPS uses the session's test PKI.
"""

import hashlib
import select
import unittest

import users_support
from users_support import require_site, tls_file, url

try:
    import requests
    import urllib3
    import urllib3.util.wait
except ImportError:     # require_site() fails each case with the reason
    requests = urllib3 = None

CHUNK = 65536
BIG = 50 * 1024 * 1024


def https(path, host="localhost", peer="HTTPS"):
    return url(peer, path, "https", host)


def new_session():
    """A Session that ignores proxy and CA-bundle environment variables (the tests talk to
    loopback peers with the session's own CA; REQUESTS_CA_BUNDLE would override Session.verify)."""
    session = requests.Session()
    session.trust_env = False
    return session


class UsersHttpCase(unittest.TestCase):
    def setUp(self):
        require_site(self)
        urllib3.disable_warnings()     # the verify=False cases would warn on stderr
        self.session = new_session()

    def tearDown(self):
        self.session.close()


class PlainHttpTests(UsersHttpCase):
    def test_get(self):
        r = self.session.get(url("HTTP", "/hello"), timeout=10)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.content, b"hello")
        self.assertEqual(r.headers["Content-Type"], "text/plain")

    def test_post_form_and_json(self):
        r = self.session.post(url("HTTP", "/echo"), data={"a": "1", "b": "x y"}, timeout=10)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(sorted(r.text.split("&")), ["a=1", "b=x+y"])
        r = self.session.post(url("HTTP", "/echo"), json={"k": [1, 2, 3]}, timeout=10)
        self.assertEqual(r.json(), {"k": [1, 2, 3]})
        self.assertEqual(r.headers["Content-Type"], "application/json")

    def test_post_large_body(self):
        body = bytes(bytearray(i % 251 for i in range(3 * 1024 * 1024 + 7)))
        r = self.session.post(url("HTTP", "/digest"), data=body, timeout=30)
        self.assertEqual(r.text, "%d %s" % (len(body), hashlib.sha256(body).hexdigest()))

    def test_redirects_followed(self):
        r = self.session.get(url("HTTP", "/redirect/3"), timeout=10)
        self.assertEqual(r.text, "landed")
        self.assertEqual([h.status_code for h in r.history], [302, 302, 302])

    def test_stream_50mb_with_checksum(self):
        r = self.session.get(url("HTTP", "/bytes/%d" % BIG), stream=True, timeout=30)
        digest, count = hashlib.sha256(), 0
        for chunk in r.iter_content(CHUNK):
            digest.update(chunk)
            count += len(chunk)
        self.assertEqual(count, BIG)
        self.assertEqual(digest.hexdigest(), r.headers["X-Sha256"])

    def test_keepalive_session_200_requests_one_connection(self):
        answers = [self.session.get(url("HTTP", "/conn"), timeout=10).text for _ in range(200)]
        conn = answers[0].split()[0]
        self.assertEqual(answers[0], conn + " n=1")
        self.assertEqual(answers[-1], conn + " n=200")
        self.assertEqual(set(a.split()[0] for a in answers), set([conn]))

    def test_read_timeout(self):
        self.assertRaises(requests.exceptions.ReadTimeout, self.session.get,
                          url("HTTP", "/slow/3000"), timeout=(10, 0.5))

    def test_connect_timeout(self):
        self.assertRaises(requests.exceptions.ConnectTimeout, self.session.get,
                          url("HTTP_BLACKHOLE", "/hello"), timeout=(0.5, 5))

    def test_connect_refused(self):
        self.assertRaises(requests.exceptions.ConnectionError, self.session.get,
                          url("CLOSED", "/hello"), timeout=10)


class RecordingPoll(object):
    """Wraps a select.poll object and remembers what was registered."""

    registered = []

    def __init__(self, real):
        self.real = real

    def register(self, fd, *mask):
        RecordingPoll.registered.append(fd.fileno() if hasattr(fd, "fileno") else fd)
        return self.real.register(fd, *mask)

    def __getattr__(self, name):
        return getattr(self.real, name)


class WaitPathTests(UsersHttpCase):
    """urllib3 checks a pooled connection with util.wait (poll) before reusing it."""

    def test_dropped_connection_seen_through_poll(self):
        real_poll = select.poll
        RecordingPoll.registered = []
        select.poll = lambda: RecordingPoll(real_poll())
        try:
            first = self.session.get(url("HTTP", "/conn"), timeout=10).text
            bye = self.session.get(url("HTTP", "/bye"), timeout=10)
            self.assertEqual(bye.text, "bye")
            # the server closed that connection: urllib3 must see it readable (EOF) and
            # open a new one instead of failing the request (requests does not retry)
            after = self.session.get(url("HTTP", "/conn"), timeout=10).text
        finally:
            select.poll = real_poll
        self.assertEqual(after.split()[1], "n=1")
        self.assertNotEqual(after.split()[0], first.split()[0])
        self.assertTrue(urllib3.util.wait.wait_for_socket
                        is urllib3.util.wait.poll_wait_for_socket)
        self.assertTrue(RecordingPoll.registered)
        for fileno in RecordingPoll.registered:
            self.assertTrue(isinstance(fileno, (int, long)), repr(fileno))  # noqa: F821
            self.assertTrue(fileno >= 0)

    def test_wait_for_read_on_our_socket(self):
        from urllib3.util.wait import wait_for_read, wait_for_write
        import socket
        s = socket.create_connection(users_support.addr("HTTP"), 10)
        try:
            self.assertFalse(wait_for_read(s, timeout=0.0))
            self.assertTrue(wait_for_write(s, timeout=5))
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(wait_for_read(s, timeout=10))
            self.assertTrue(s.recv(4096).startswith(b"HTTP/1.1 200"))
        finally:
            s.close()


class HttpsTests(UsersHttpCase):
    def test_get_verified(self):
        r = self.session.get(https("/hello"), verify=tls_file("ca.pem"), timeout=10)
        self.assertEqual(r.content, b"hello")

    def test_post_verified(self):
        body = b"x" * 100000
        r = self.session.post(https("/digest"), data=body, verify=tls_file("ca.pem"),
                              timeout=10)
        self.assertEqual(r.text, "%d %s" % (len(body), hashlib.sha256(body).hexdigest()))

    def test_sni_seen_by_server(self):
        r = self.session.get(https("/sni"), verify=tls_file("ca.pem"), timeout=10)
        self.assertEqual(r.text, "localhost")

    def test_ip_address_no_sni(self):
        r = self.session.get(https("/sni", host="127.0.0.1"), verify=False, timeout=10)
        self.assertEqual(r.text, "-")

    def test_wrong_ca_rejected(self):
        self.assertRaises(requests.exceptions.SSLError, self.session.get, https("/hello"),
                          verify=tls_file("other_ca.pem"), timeout=10)

    def test_hostname_mismatch_rejected(self):
        with self.assertRaises(requests.exceptions.SSLError) as cm:
            self.session.get(https("/hello", peer="HTTPS_WRONGHOST"),
                             verify=tls_file("ca.pem"), timeout=10)
        self.assertIn("localhost", str(cm.exception))

    def test_verify_false_accepts_wrong_host(self):
        r = self.session.get(https("/hello", peer="HTTPS_WRONGHOST"), verify=False, timeout=10)
        self.assertEqual(r.text, "hello")

    def test_client_certificate(self):
        r = self.session.get(https("/client"), verify=tls_file("ca.pem"),
                             cert=(tls_file("client.pem"), tls_file("client_pkcs8.key")),
                             timeout=10)
        self.assertEqual(r.text, "jns client")
        with new_session() as other:      # a pool of its own: no connection with the cert
            r = other.get(https("/client"), verify=tls_file("ca.pem"), timeout=10)
        self.assertEqual(r.text, "-")

    def test_stream_large_body_with_checksum(self):
        n = 8 * 1024 * 1024 + 3
        r = self.session.get(https("/bytes/%d" % n), verify=tls_file("ca.pem"), stream=True,
                             timeout=30)
        digest, count = hashlib.sha256(), 0
        for chunk in r.iter_content(CHUNK):
            digest.update(chunk)
            count += len(chunk)
        self.assertEqual(count, n)
        self.assertEqual(digest.hexdigest(), r.headers["X-Sha256"])

    def test_keepalive_session_200_requests_one_connection(self):
        self.session.verify = tls_file("ca.pem")
        answers = [self.session.get(https("/conn"), timeout=10).text for _ in range(200)]
        conn = answers[0].split()[0]
        self.assertEqual(answers[-1], conn + " n=200")
        self.assertEqual(set(a.split()[0] for a in answers), set([conn]))

    def test_read_timeout(self):
        self.assertRaises(requests.exceptions.ReadTimeout, self.session.get, https("/slow/3000"),
                          verify=tls_file("ca.pem"), timeout=(10, 0.5))


if __name__ == "__main__":
    unittest.main()
