"""A CPython 3 client crowd: lets Jython-side servers (SocketServer, BaseHTTPServer, asyncore,
SimpleXMLRPCServer...) face many concurrent CPython 3 clients.

``JNS_PEER_CROWD`` (``HOST:PORT``): the test connects and sends one command line; the peer
runs it and answers one line, ``OK <details>`` or ``ERR <text>``, then closes.  Targets must be
on loopback.  Commands:

``echo <port> <nclients> <nbytes> [tls]``
    ``nclients`` concurrent connections to ``127.0.0.1:<port>`` (all connected before any
    sends), each sends ``pattern(nbytes)``, shuts down writing and reads to EOF; every client
    must get back exactly what it sent.  With ``tls`` each connection is TLS (the session CA,
    server name ``localhost`` checked) and sends in 16 KiB rounds, reading each round's echo
    back before the next (one OpenSSL connection must not be used from two threads at once),
    then closes without a shutdown.  Answer: ``OK <nclients>``.
``get <url> <nclients>``
    ``nclients`` concurrent ``GET``s of ``url`` (``https`` verified against the session CA).
    Answer: ``OK <status> <length> <sha256 hex>`` when all responses agree.
``xmlrpc <url>``
    Calls ``add(2, 40)``, ``echo([1, "two", 3.5])`` and a method that does not exist.
    Answer: ``OK <add result> <echo result as JSON> <fault code>``.
"""

import hashlib
import json
import os
import socket
import ssl
import threading
import urllib.request
import xmlrpc.client

from .peers import IO_TIMEOUT, _Server, _read_line, pattern

ENV_NAMES = ("JNS_PEER_CROWD",)
MAX_CLIENTS = 200


def _run_all(count, work):
    """Run ``work(i)`` on ``count`` threads; return the list of results (exceptions kept)."""
    results = [None] * count

    def run(i):
        try:
            results[i] = work(i)
        except Exception as exc:        # reported to the test as ERR
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(IO_TIMEOUT * 2)
    return results


def _first_error(results):
    for r in results:
        if isinstance(r, Exception) or r is None:
            return "ERR %s" % (("%s: %s" % (type(r).__name__, r)) if r else "client hung")
    return None


def _echo_both_ways(sock, data):
    """Plain TCP: send on a second thread while reading (a server that echoes before the
    client's EOF must not deadlock against us), then half-close and read to EOF."""
    sender = threading.Thread(target=sock.sendall, args=(data,), daemon=True)
    sender.start()
    chunks, got = [], 0
    while got < len(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    sender.join(IO_TIMEOUT)
    sock.shutdown(socket.SHUT_WR)
    rest = sock.recv(65536)
    if rest:
        chunks.append(rest)
    return chunks


def _tls_echo_rounds(sock, data, chunk=16384):
    """TLS: one OpenSSL connection must not be read and written from two threads at once,
    so send a chunk and read its echo back before the next chunk."""
    chunks = []
    for start in range(0, len(data), chunk):
        piece = data[start:start + chunk]
        sock.sendall(piece)
        got = 0
        while got < len(piece):
            back = sock.recv(65536)
            if not back:
                return chunks
            chunks.append(back)
            got += len(back)
    return chunks


class CrowdServer(_Server):
    name = "crowd"

    def __init__(self, tls_dir):
        self.tls_dir = tls_dir
        _Server.__init__(self)

    def _client_context(self):
        return ssl.create_default_context(cafile=os.path.join(self.tls_dir, "ca.pem"))

    def handle(self, conn, addr):
        words = _read_line(conn).split()
        try:
            answer = self._command(words)
        except (IndexError, ValueError) as exc:
            answer = "ERR bad request: %s" % exc
        conn.sendall((answer + "\n").encode("ascii", "replace"))

    def _command(self, words):
        cmd = words[0]
        if cmd == "echo":
            return self._echo(int(words[1]), int(words[2]), int(words[3]), words[4:] == ["tls"])
        if cmd == "get":
            return self._get(words[1], int(words[2]))
        if cmd == "xmlrpc":
            return self._xmlrpc(words[1])
        return "ERR unknown command %r" % cmd

    def _echo(self, port, nclients, nbytes, tls):
        if not 0 < nclients <= MAX_CLIENTS:
            return "ERR too many clients"
        data = pattern(nbytes)
        connected = threading.Barrier(nclients, timeout=IO_TIMEOUT)
        context = self._client_context() if tls else None

        def client(i):
            sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
            try:
                if context is not None:
                    sock = context.wrap_socket(sock, server_hostname="localhost")
                connected.wait()
                if context is not None:
                    chunks = _tls_echo_rounds(sock, data)
                else:
                    chunks = _echo_both_ways(sock, data)
                received = b"".join(chunks)
                if received != data:
                    raise ValueError("client %d got %d bytes back, %s" % (
                        i, len(received), "corrupt" if len(received) == nbytes else "short"))
                return True
            finally:
                sock.close()
        return _first_error(_run_all(nclients, client)) or "OK %d" % nclients

    def _get(self, url, nclients):
        if not url.startswith(("http://127.0.0.1:", "https://localhost:")):
            return "ERR refused url"
        if not 0 < nclients <= MAX_CLIENTS:
            return "ERR too many clients"
        context = self._client_context() if url.startswith("https") else None

        def client(i):
            with urllib.request.urlopen(url, timeout=IO_TIMEOUT, context=context) as r:
                body = r.read()
                return "%d %d %s" % (r.status, len(body), hashlib.sha256(body).hexdigest())
        results = _run_all(nclients, client)
        error = _first_error(results)
        if error:
            return error
        if len(set(results)) != 1:
            return "ERR responses differ: %s" % sorted(set(results))
        return "OK " + results[0]

    def _xmlrpc(self, url):
        if not url.startswith("http://127.0.0.1:"):
            return "ERR refused url"
        try:
            proxy = xmlrpc.client.ServerProxy(url)
            added = proxy.add(2, 40)
            echoed = proxy.echo([1, "two", 3.5])
            try:
                proxy.no_such_method()
                fault = "none"
            except xmlrpc.client.Fault as exc:
                fault = exc.faultCode
            return "OK %s %s %s" % (added, json.dumps(echoed, separators=(",", ":")), fault)
        except (OSError, xmlrpc.client.Error) as exc:
            return "ERR %s: %s" % (type(exc).__name__, exc)


def attach(peers_class):
    """Hook the crowd into ``peers.Peers`` (after the TLS peers, whose CA it trusts)."""
    from .peers import OneServer, attach_group
    attach_group(peers_class, 'crowd',
                 lambda base: OneServer("JNS_PEER_CROWD", CrowdServer(base["JNS_PEER_TLS_DIR"])))
