# -*- coding: utf-8 -*-
"""Stdlib servers running on our sockets, serving CPython 3 clients (the crowd peer of
``tests/harness/client_peers.py``): SocketServer.ThreadingTCPServer with 100 concurrent
clients, a TLS server that wraps accepted sockets in ``get_request``, BaseHTTPServer /
SimpleHTTPServer (plain and TLS), asyncore with and without ``use_poll``, SimpleXMLRPCServer.
"""

import asyncore
import BaseHTTPServer
import hashlib
import os
import shutil
import SimpleHTTPServer
import SimpleXMLRPCServer
import socket
import SocketServer
import ssl
import tempfile
import threading
import unittest

from users_support import crowd, tls_file

def server_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
    ctx.load_cert_chain(tls_file("server.pem"), tls_file("server.key"))
    return ctx


class EchoHandler(SocketServer.BaseRequestHandler):
    """Echoes every chunk until the client's EOF."""

    def handle(self):
        self.request.settimeout(60)
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)


class ThreadingEchoServer(SocketServer.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class TlsEchoServer(ThreadingEchoServer):
    """The common recipe: wrap each accepted socket in get_request (handshake included)."""

    def get_request(self):
        sock, addr = self.socket.accept()
        return server_context().wrap_socket(sock, server_side=True), addr


class ServerCase(unittest.TestCase):
    def serve(self, server, **kwargs):
        """Run server.serve_forever on a thread until the test ends."""
        thread = threading.Thread(target=server.serve_forever, kwargs=kwargs)
        thread.daemon = True
        thread.start()

        def stop():
            server.shutdown()
            server.server_close()
            thread.join(10)
            self.assertFalse(thread.is_alive())
        self.addCleanup(stop)
        return server.server_address[1]


class SocketServerTests(ServerCase):
    def test_threading_tcp_server_100_clients(self):
        port = self.serve(ThreadingEchoServer(("127.0.0.1", 0), EchoHandler), poll_interval=0.1)
        self.assertEqual(crowd("echo %d 100 65536" % port), "OK 100")

    def test_tls_server_wrapping_in_get_request(self):
        port = self.serve(TlsEchoServer(("127.0.0.1", 0), EchoHandler), poll_interval=0.1)
        self.assertEqual(crowd("echo %d 20 100000 tls" % port), "OK 20")


class HelloHandler(BaseHTTPServer.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = ("hello from %s" % self.path).encode("ascii")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class ThreadingHTTPServer(SocketServer.ThreadingMixIn, BaseHTTPServer.HTTPServer):
    daemon_threads = True
    request_queue_size = 128


class HttpServerTests(ServerCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="jns-http-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def test_simple_http_server_serves_a_file(self):
        data = os.urandom(3 * 1024 * 1024 + 17)
        with open(os.path.join(self.root, "blob.bin"), "wb") as f:
            f.write(data)
        root = self.root

        class Handler(SimpleHTTPServer.SimpleHTTPRequestHandler):
            def translate_path(self, path):
                return os.path.join(root, path.split("?", 1)[0].lstrip("/"))

            def log_message(self, *args):
                pass
        port = self.serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler), poll_interval=0.1)
        self.assertEqual(crowd("get http://127.0.0.1:%d/blob.bin 20" % port),
                         "OK 200 %d %s" % (len(data), hashlib.sha256(data).hexdigest()))

    def test_base_http_server(self):
        port = self.serve(ThreadingHTTPServer(("127.0.0.1", 0), HelloHandler),
                          poll_interval=0.1)
        body = b"hello from /x?y=1"
        self.assertEqual(crowd("get http://127.0.0.1:%d/x?y=1 50" % port),
                         "OK 200 %d %s" % (len(body), hashlib.sha256(body).hexdigest()))

    def test_https_server_wrapped_listening_socket(self):
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), HelloHandler)
        httpd.socket = server_context().wrap_socket(httpd.socket, server_side=True)
        port = self.serve(httpd, poll_interval=0.1)
        body = b"hello from /tls"
        self.assertEqual(crowd("get https://localhost:%d/tls 10" % port),
                         "OK 200 %d %s" % (len(body), hashlib.sha256(body).hexdigest()))


class XmlrpcServerTests(ServerCase):
    def test_simple_xmlrpc_server(self):
        server = SimpleXMLRPCServer.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False,
                                                       allow_none=True)
        server.register_function(lambda a, b: a + b, "add")
        server.register_function(lambda x: x, "echo")
        port = self.serve(server, poll_interval=0.1)
        self.assertEqual(crowd("xmlrpc http://127.0.0.1:%d/RPC2" % port),
                         'OK 42 [1,"two",3.5] 1')


class AsyncEcho(asyncore.dispatcher_with_send):
    def handle_read(self):
        data = self.recv(65536)
        if data:
            self.send(data)

    def handle_close(self):
        self.close()


class AsyncListener(asyncore.dispatcher):
    def __init__(self, socket_map):
        asyncore.dispatcher.__init__(self, map=socket_map)
        self.socket_map = socket_map
        self.create_socket(socket.AF_INET, socket.SOCK_STREAM)
        self.set_reuse_addr()
        self.bind(("127.0.0.1", 0))
        self.listen(128)

    def handle_accept(self):
        pair = self.accept()
        if pair is not None:
            AsyncEcho(pair[0], map=self.socket_map)


class AsyncoreTests(unittest.TestCase):
    def run_echo(self, use_poll):
        socket_map = {}
        listener = AsyncListener(socket_map)
        port = listener.socket.getsockname()[1]
        stop = threading.Event()

        def loop():
            while not stop.is_set():
                asyncore.loop(timeout=0.05, use_poll=use_poll, map=socket_map, count=1)
        thread = threading.Thread(target=loop)
        thread.daemon = True
        thread.start()
        try:
            self.assertEqual(crowd("echo %d 30 50000" % port), "OK 30")
        finally:
            stop.set()
            thread.join(10)
            asyncore.close_all(map=socket_map)
        self.assertFalse(thread.is_alive())

    def test_asyncore_select(self):
        self.run_echo(False)

    def test_asyncore_poll(self):
        self.run_echo(True)


if __name__ == "__main__":
    unittest.main()
