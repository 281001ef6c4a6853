# -*- coding: utf-8 -*-
"""Demo: a select()-driven echo server, threaded clients, and an HTTP fetch.

Runs on Python 2.7 (CPython or Jython) using only the public socket, select,
BaseHTTPServer and urllib2 APIs, so it exercises whichever socket/select
modules are first on sys.path. Under bin/jython that is this repository's Lib/.

    bin/jython demo/echo_and_fetch.py      (or: ./antw demo)

Prints what it did and exits 1 if anything went wrong.
"""
import BaseHTTPServer
import errno
import select
import socket
import sys
import threading
import time
import urllib2

CLIENTS = 8
PAYLOAD_BYTES = 64 * 1024
CHUNK = 4096
TIMEOUT = 30.0
HTTP_BODY = "".join("line %04d of the demo page\n" % i for i in range(400))


class EchoServer(object):
    """Single-threaded echo server: one select() loop over non-blocking sockets.

    Each connection has an output buffer; a socket is in the write list only
    while its buffer is non-empty. A connection closes once its peer has sent
    EOF and everything received has been echoed back.
    """

    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(CLIENTS)
        self.listener.setblocking(False)
        self.address = self.listener.getsockname()
        self.pending = {}      # connection -> bytes still to echo
        self.finished = set()  # connections whose peer sent EOF
        self.accepted = 0
        self.echoed = 0
        self.selects = 0
        self.errors = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="echo-server")
        self.thread.daemon = True

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping.set()
        self.thread.join(TIMEOUT)
        if self.thread.is_alive():
            self.errors.append("echo server loop did not stop")

    def _run(self):
        try:
            while not self.stopping.is_set():
                readers = [self.listener] + list(self.pending)
                writers = [c for c, data in self.pending.items() if data]
                readable, writable, _ = select.select(readers, writers, [], 0.1)
                self.selects += 1
                for sock in readable:
                    if sock is self.listener:
                        self._accept()
                    else:
                        self._read(sock)
                for sock in writable:
                    if sock in self.pending:
                        self._write(sock)
        except Exception as e:
            self.errors.append("echo server: %s" % describe(e))
        finally:
            for conn in list(self.pending):
                self._close(conn)
            self.listener.close()

    def _accept(self):
        try:
            conn, _ = self.listener.accept()
        except socket.error as e:
            if e.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK):
                return
            raise
        conn.setblocking(False)
        self.pending[conn] = b""
        self.accepted += 1

    def _read(self, conn):
        try:
            data = conn.recv(CHUNK)
        except socket.error as e:
            if e.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK):
                return
            raise
        if data:
            self.pending[conn] += data
        else:
            self.finished.add(conn)
            self._close_if_done(conn)

    def _write(self, conn):
        data = self.pending[conn]
        try:
            sent = conn.send(data)
        except socket.error as e:
            if e.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK):
                return
            raise
        self.pending[conn] = data[sent:]
        self.echoed += sent
        self._close_if_done(conn)

    def _close_if_done(self, conn):
        if conn in self.finished and not self.pending[conn]:
            self._close(conn)

    def _close(self, conn):
        self.pending.pop(conn, None)
        self.finished.discard(conn)
        conn.close()


def describe(e):
    return "%s: %s" % (type(e).__name__, e)


def make_payload(n):
    """Distinct bytes per client: its number, then a pattern that depends on it."""
    head = "client %02d:" % n
    body = "".join(chr((n * 31 + i) % 256) for i in range(PAYLOAD_BYTES - len(head)))
    return head + body


def echo_client(address, n, results):
    """Send this client's payload in chunks, read the same bytes back, then close."""
    payload = make_payload(n)
    sock = socket.create_connection(address, TIMEOUT)
    try:
        received = []
        got = 0
        for start in range(0, len(payload), CHUNK):
            sock.sendall(payload[start:start + CHUNK])
            # Read back what is there, so neither side's buffers fill up.
            while got < start + CHUNK and got < len(payload):
                data = sock.recv(CHUNK)
                if not data:
                    raise AssertionError("EOF after %d bytes" % got)
                received.append(data)
                got += len(data)
        echoed = "".join(received)
        if echoed != payload:
            raise AssertionError("echo differs (%d bytes sent, %d received)"
                                 % (len(payload), len(echoed)))
        results[n] = len(echoed)
    finally:
        sock.close()


def run_echo():
    """Echo server plus CLIENTS threads; returns a list of problems (empty on success)."""
    server = EchoServer()
    server.start()
    results, problems = {}, []

    def client(n):
        try:
            echo_client(server.address, n, results)
        except Exception as e:
            problems.append("client %d: %s" % (n, describe(e)))

    threads = [threading.Thread(target=client, args=(n,), name="client-%d" % n)
               for n in range(CLIENTS)]
    started = time.time()
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        if t.is_alive():
            problems.append("%s did not finish within %.0f s" % (t.name, TIMEOUT))
    elapsed = time.time() - started
    server.stop()
    problems.extend(server.errors)
    print("echo: server %s:%d, %d clients, %d connections accepted, %d select() calls"
          % (server.address[0], server.address[1], CLIENTS, server.accepted, server.selects))
    print("echo: %d bytes echoed by the server, %d verified by %d/%d clients in %.2f s"
          % (server.echoed, sum(results.values()), len(results), CLIENTS, elapsed))
    if len(results) != CLIENTS:
        problems.append("only %d of %d clients got their payload back" % (len(results), CLIENTS))
    return problems


class PageHandler(BaseHTTPServer.BaseHTTPRequestHandler):
    def do_GET(self):
        body = HTTP_BODY if self.path == "/demo" else "not found\n"
        self.send_response(200 if self.path == "/demo" else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def run_http():
    """Serve a page with BaseHTTPServer and fetch it with urllib2; returns problems."""
    problems = []
    httpd = BaseHTTPServer.HTTPServer(("127.0.0.1", 0), PageHandler)
    host, port = httpd.server_address[:2]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                              name="http-server")
    thread.daemon = True
    thread.start()
    try:
        # No proxy: the server is on this machine, whatever http_proxy says.
        opener = urllib2.build_opener(urllib2.ProxyHandler({}))
        url = "http://%s:%d/demo" % (host, port)
        started = time.time()
        response = opener.open(url, timeout=TIMEOUT)
        try:
            status = response.getcode()
            body = response.read()
        finally:
            response.close()
        print("http: GET %s -> status %d, %d body bytes in %.2f s"
              % (url, status, len(body), time.time() - started))
        if status != 200:
            problems.append("HTTP status %d" % status)
        if body != HTTP_BODY:
            problems.append("HTTP body differs (%d bytes, expected %d)"
                            % (len(body), len(HTTP_BODY)))
    except Exception as e:
        problems.append("http: %s" % describe(e))
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(TIMEOUT)
    return problems


def main():
    print("socket: %s" % socket.__file__)
    print("select: %s" % select.__file__)
    print("python: %s" % sys.version.split()[0] + (" (%s)" % sys.platform))
    problems = run_echo() + run_http()
    for p in problems:
        print("FAILED: %s" % p)
    print("demo: %s" % ("FAILED" if problems else "all OK"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
