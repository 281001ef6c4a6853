"""CPython 3 HTTP and HTTPS peers for the user-library tests (requests, urllib3, httplib...).

Started with the other peers on the first ``Peers.env()`` (``attach``); the HTTPS servers use
the session PKI of ``tls_peers.py`` (``JNS_PEER_TLS_DIR``).  Environment variables
(``HOST:PORT`` unless said otherwise):

``JNS_PEER_HTTP``
    HTTP/1.1 server with keep-alive (the paths below).
``JNS_PEER_HTTPS``
    The same over TLS 1.2/1.3 with ``server.pem`` (``localhost``, IP ``127.0.0.1``); a client
    certificate signed by the CA is optional (``/client`` reports it).
``JNS_PEER_HTTPS_WRONGHOST``
    The same over TLS with a CA-signed certificate for ``wrong.example`` only.
``JNS_PEER_HTTP_BLACKHOLE``
    A listening socket whose accept queue is kept full and never accepted: a connect to it
    neither succeeds nor is refused (the SYN is dropped), so only a connect timeout ends it.

Paths (every response has ``Content-Length``; ``X-Conn`` is the server's connection number,
``X-Conn-Request`` the number of the request on that connection, counting from 1):

``GET /hello``           body ``hello``.
``GET /conn``            body ``conn=<connection number> n=<request number on it>``.
``GET /bytes/<n>``       ``pattern(n)`` (byte i is i % 251) with ``X-Sha256`` its digest.
``POST /digest``         body ``<count> <sha256 hex>`` of the request body.
``POST /echo``           the request body back, with the request's ``Content-Type``.
``GET /slow/<ms>``       waits ``ms`` milliseconds (at most 30 s), then body ``slow``.
``GET /redirect/<k>``    ``302`` to ``/redirect/<k-1>``; ``/redirect/0`` answers ``landed``.
``GET /bye``             body ``bye`` with keep-alive headers, then the server closes the
                         connection (a client must notice before reusing it).
``GET /sni``             the server name the TLS client sent (``-`` for none / plain HTTP).
``GET /client``          the client certificate's common name (``-`` for none).
``GET /status/<code>``   an empty response with that status.
``POST /RPC2``           XML-RPC: ``add(a, b)``, ``echo(x)`` (any value back), ``blob(n)``
                         (``pattern(n)`` as Binary), ``fail()`` (a Fault, code 42).
"""

import hashlib
import os
import re
import socket
import ssl
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xmlrpc.server import SimpleXMLRPCDispatcher

from . import bulk_peers
from .peers import HOST, IO_TIMEOUT, pattern

ENV_NAMES = ("JNS_PEER_HTTP", "JNS_PEER_HTTPS", "JNS_PEER_HTTPS_WRONGHOST",
             "JNS_PEER_HTTP_BLACKHOLE")

_PERIOD = 251
_BLOCK = pattern((1024 * 1024 // _PERIOD) * _PERIOD + _PERIOD)  # any phase, up to ~1 MiB
_digests = {}
_digests_lock = threading.Lock()


def _xmlrpc_dispatcher():
    dispatcher = SimpleXMLRPCDispatcher(allow_none=True)

    def fail():
        raise xmlrpc.client.Fault(42, "asked to fail")
    dispatcher.register_function(lambda a, b: a + b, "add")
    dispatcher.register_function(lambda x: x, "echo")
    dispatcher.register_function(lambda n: xmlrpc.client.Binary(pattern(min(n, 1 << 24))),
                                 "blob")
    dispatcher.register_function(fail, "fail")
    return dispatcher


_XMLRPC = _xmlrpc_dispatcher()


def _pattern_digest(n):
    with _digests_lock:
        if n not in _digests:
            _digests[n] = bulk_peers.pattern_sha256(n)
        return _digests[n]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IO_TIMEOUT

    def setup(self):
        self.request.settimeout(IO_TIMEOUT)
        # headers and body are separate writes: without NODELAY each keep-alive response
        # waits for the client's delayed ACK (~40 ms)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.context is not None:
            self.request = self.server.context.wrap_socket(self.request, server_side=True)
        with self.server.lock:
            self.server.connections += 1
            self.conn_id = self.server.connections
        self.conn_requests = 0
        BaseHTTPRequestHandler.setup(self)

    def log_message(self, fmt, *args):
        pass

    def _send(self, code, body=b"", ctype="application/octet-stream", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Conn", str(self.conn_id))
        self.send_header("X-Conn-Request", str(self.conn_requests))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length)

    def do_GET(self):
        self.conn_requests += 1
        path = self.path.split("?", 1)[0]
        m = re.match(r"^/(\w+)(?:/(\d+))?$", path)
        name, arg = (m.group(1), m.group(2)) if m else (None, None)
        if name == "hello":
            self._send(200, b"hello", "text/plain")
        elif name == "conn":
            self._send(200, ("conn=%d n=%d" % (self.conn_id, self.conn_requests)).encode(),
                       "text/plain")
        elif name == "bytes" and arg:
            self._send_pattern(int(arg))
        elif name == "slow" and arg:
            time.sleep(min(int(arg), 30000) / 1000.0)
            self._send(200, b"slow", "text/plain")
        elif name == "redirect" and arg:
            k = int(arg)
            if k == 0:
                self._send(200, b"landed", "text/plain")
            else:
                self._send(302, b"", headers=[("Location", "/redirect/%d" % (k - 1))])
        elif name == "bye":
            self._send(200, b"bye", "text/plain", headers=[("Connection", "keep-alive")])
            self.wfile.flush()
            self.close_connection = True
        elif name == "sni":
            sni = getattr(self.request, "jns_sni", None) or "-"
            self._send(200, sni.encode("ascii"), "text/plain")
        elif name == "client":
            cert = self.request.getpeercert() if self.server.context is not None else None
            cn = "-"
            if cert:
                cn = dict(rdn[0] for rdn in cert["subject"]).get("commonName", "?")
            self._send(200, cn.encode("ascii"), "text/plain")
        elif name == "status" and arg:
            self._send(int(arg))
        else:
            self._send(404, b"not found", "text/plain")

    do_HEAD = do_GET

    def do_POST(self):
        self.conn_requests += 1
        path = self.path.split("?", 1)[0]
        if path == "/digest":
            digest, count = hashlib.sha256(), 0
            left = int(self.headers.get("Content-Length") or 0)
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    break
                digest.update(chunk)
                count += len(chunk)
                left -= len(chunk)
            self._send(200, ("%d %s" % (count, digest.hexdigest())).encode(), "text/plain")
        elif path == "/RPC2":
            self._send(200, _XMLRPC._marshaled_dispatch(self._body()), "text/xml")
        elif path == "/echo":
            self._send(200, self._body(),
                       self.headers.get("Content-Type") or "application/octet-stream")
        else:
            self._body()
            self._send(404, b"not found", "text/plain")

    def _send_pattern(self, n):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.send_header("X-Sha256", _pattern_digest(n))
        self.send_header("X-Conn", str(self.conn_id))
        self.end_headers()
        view = memoryview(_BLOCK)
        step = len(_BLOCK) - _PERIOD
        sent = 0
        while sent < n:
            size = min(step, n - sent)
            phase = sent % _PERIOD
            self.wfile.write(view[phase:phase + size])
            sent += size


class HttpServer(ThreadingHTTPServer):
    """HTTP(S) on loopback; TLS (``context``) is negotiated on each connection's thread."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, context=None):
        self.context = context
        self.lock = threading.Lock()
        self.connections = 0
        self.errors = []
        ThreadingHTTPServer.__init__(self, (HOST, 0), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="peer-http", daemon=True)
        self.thread.start()

    def handle_error(self, request, client_address):
        import sys
        exc = sys.exc_info()[1]
        self.errors.append("http %r: %r" % (client_address, exc))

    def env_value(self):
        return "%s:%d" % self.server_address[:2]

    def stop(self):
        self.shutdown()
        self.server_close()


def _context(directory, certfile):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(directory, certfile), os.path.join(directory, "server.key"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.load_verify_locations(os.path.join(directory, "ca.pem"))

    def remember_sni(sslobj, name, context):
        sslobj.jns_sni = name
    ctx.sni_callback = remember_sni
    return ctx


class Blackhole(object):
    """A listener with backlog 0 whose queue is filled by connections of its own."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(0)
        self.fillers = []
        for _ in range(3):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(self.sock.getsockname())
            except (BlockingIOError, OSError):
                pass
            self.fillers.append(s)
        self.errors = []

    def env_value(self):
        return "%s:%d" % self.sock.getsockname()

    def stop(self):
        for s in self.fillers + [self.sock]:
            s.close()


class HttpPeers(object):
    """Every HTTP peer of one session."""

    def __init__(self, tls_dir):
        self.servers = {
            "JNS_PEER_HTTP": HttpServer(),
            "JNS_PEER_HTTPS": HttpServer(_context(tls_dir, "server.pem")),
            "JNS_PEER_HTTPS_WRONGHOST": HttpServer(_context(tls_dir, "wrong.pem")),
            "JNS_PEER_HTTP_BLACKHOLE": Blackhole(),
        }

    def env(self):
        return {name: server.env_value() for name, server in self.servers.items()}

    def errors(self):
        return [e for s in self.servers.values() for e in s.errors]

    def stop(self):
        for server in self.servers.values():
            server.stop()


def attach(peers_class):
    """Hook these peers into ``peers.Peers`` (after the TLS peers, whose PKI they use)."""
    from .peers import attach_group
    attach_group(peers_class, 'http', lambda base: HttpPeers(base["JNS_PEER_TLS_DIR"]))
