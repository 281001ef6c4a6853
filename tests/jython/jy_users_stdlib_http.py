# -*- coding: utf-8 -*-
"""Stdlib HTTP clients over our socket and ssl: httplib, urllib2 and xmlrpclib over HTTPS with
SSLContexts (verification, hostname check, redirects, large bodies), against the CPython 3
peers of ``tests/harness/http_peers.py``."""

import hashlib
import httplib
import socket
import ssl
import unittest
import urllib2
import xmlrpclib

from users_support import addr, tls_file, url

BIG = 16 * 1024 * 1024 + 5


def https(path, host="localhost", peer="HTTPS"):
    return url(peer, path, "https", host)


def verifying_context():
    return ssl.create_default_context(cafile=tls_file("ca.pem"))


def read_digest(response, chunk=65536):
    digest, count = hashlib.sha256(), 0
    while True:
        data = response.read(chunk)
        if not data:
            return count, digest.hexdigest()
        digest.update(data)
        count += len(data)


class HttplibTests(unittest.TestCase):
    def test_https_get_keepalive(self):
        host, port = addr("HTTPS")
        conn = httplib.HTTPSConnection("localhost", port, timeout=10,
                                       context=verifying_context())
        try:
            seen = []
            for _ in range(20):
                conn.request("GET", "/conn")
                r = conn.getresponse()
                self.assertEqual(r.status, 200)
                seen.append(r.read())
            self.assertEqual(len(set(s.split()[0] for s in seen)), 1)
            self.assertEqual(seen[-1].split()[1], b"n=20")
        finally:
            conn.close()

    def test_https_large_response(self):
        host, port = addr("HTTPS")
        conn = httplib.HTTPSConnection("localhost", port, timeout=30,
                                       context=verifying_context())
        try:
            conn.request("GET", "/bytes/%d" % BIG)
            r = conn.getresponse()
            self.assertEqual(read_digest(r), (BIG, r.getheader("X-Sha256")))
        finally:
            conn.close()

    def test_https_large_request_body(self):
        host, port = addr("HTTPS")
        body = bytes(bytearray(i % 253 for i in range(4 * 1024 * 1024 + 1)))
        conn = httplib.HTTPSConnection("localhost", port, timeout=30,
                                       context=verifying_context())
        try:
            conn.request("POST", "/digest", body)
            r = conn.getresponse()
            self.assertEqual(r.read(), b"%d %s" % (len(body), hashlib.sha256(body).hexdigest()))
        finally:
            conn.close()

    def test_hostname_mismatch(self):
        host, port = addr("HTTPS_WRONGHOST")
        conn = httplib.HTTPSConnection("localhost", port, timeout=10,
                                       context=verifying_context())
        try:
            self.assertRaises(ssl.CertificateError, conn.request, "GET", "/hello")
        finally:
            conn.close()

    def test_untrusted_ca(self):
        host, port = addr("HTTPS")
        ctx = ssl.create_default_context(cafile=tls_file("other_ca.pem"))
        conn = httplib.HTTPSConnection("localhost", port, timeout=10, context=ctx)
        try:
            with self.assertRaises(ssl.SSLError) as cm:
                conn.request("GET", "/hello")
            self.assertIn("CERTIFICATE_VERIFY_FAILED", str(cm.exception))
        finally:
            conn.close()

    def test_plain_http_chunked_request(self):
        host, port = addr("HTTP")
        conn = httplib.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("POST", "/echo", b"a" * 70000, {"Content-Type": "x/y"})
            r = conn.getresponse()
            self.assertEqual((r.status, r.getheader("content-type"), r.read()),
                             (200, "x/y", b"a" * 70000))
        finally:
            conn.close()


class Urllib2Tests(unittest.TestCase):
    def test_https_redirects(self):
        r = urllib2.urlopen(https("/redirect/3"), timeout=10, context=verifying_context())
        try:
            self.assertEqual(r.read(), b"landed")
            self.assertTrue(r.geturl().endswith("/redirect/0"))
        finally:
            r.close()

    def test_https_large_body(self):
        r = urllib2.urlopen(https("/bytes/%d" % BIG), timeout=30, context=verifying_context())
        try:
            self.assertEqual(read_digest(r), (BIG, r.info().getheader("X-Sha256")))
        finally:
            r.close()

    def test_https_verification_failure_is_urlerror(self):
        ctx = ssl.create_default_context(cafile=tls_file("other_ca.pem"))
        with self.assertRaises(urllib2.URLError) as cm:
            urllib2.urlopen(https("/hello"), timeout=10, context=ctx)
        self.assertTrue(isinstance(cm.exception.reason, ssl.SSLError), repr(cm.exception))

    def test_https_hostname_mismatch(self):
        # CertificateError is a ValueError: urllib2 lets it through unwrapped
        self.assertRaises(ssl.CertificateError, urllib2.urlopen,
                          https("/hello", peer="HTTPS_WRONGHOST"), timeout=10,
                          context=verifying_context())

    def test_http_error_status(self):
        with self.assertRaises(urllib2.HTTPError) as cm:
            urllib2.urlopen(url("HTTP", "/status/404"), timeout=10)
        self.assertEqual(cm.exception.code, 404)

    def test_read_timeout(self):
        # the request is sent; the timeout hits reading the response, which urllib2 does
        # not wrap in URLError
        self.assertRaises(socket.timeout, urllib2.urlopen, url("HTTP", "/slow/3000"),
                          timeout=0.5)


class XmlrpcTests(unittest.TestCase):
    def proxy(self):
        return xmlrpclib.ServerProxy(https("/RPC2"), context=verifying_context(),
                                     allow_none=True)

    def test_calls(self):
        p = self.proxy()
        self.assertEqual(p.add(2, 40), 42)
        self.assertEqual(p.echo({"a": [1, 2.5, u"\u00e9", None]}),
                         {"a": [1, 2.5, u"\u00e9", None]})

    def test_binary(self):
        data = self.proxy().blob(300000)
        self.assertEqual(data.data, bytes(bytearray(i % 251 for i in range(300000))))

    def test_fault(self):
        with self.assertRaises(xmlrpclib.Fault) as cm:
            self.proxy().fail()
        self.assertEqual(cm.exception.faultCode, 42)

    def test_untrusted(self):
        p = xmlrpclib.ServerProxy(https("/RPC2"),
                                  context=ssl.create_default_context(
                                      cafile=tls_file("other_ca.pem")))
        self.assertRaises(ssl.SSLError, p.add, 1, 2)


if __name__ == "__main__":
    unittest.main()
