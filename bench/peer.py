"""The benchmark peer service (CPython 3): the far end of every loopback figure.

It is the same process for all three implementations under test, so they all talk to the
same peer.  On start it prints one JSON line with its ports, then serves until killed:

  source      after accept, sends 64 KiB blocks until the connection breaks
  sink        reads until a chunk ends with b'!' (the sender's end mark; the payload is all
              b'x'), then answers with the count of bytes before the mark (ASCII, newline)
  echo        one thread per connection, echoes every byte (ping-pong)
  hold        one selector thread for thousands of connections, echoes every byte
  tls_source  TLS (a self-signed certificate made with openssl), then like `source`
  tls_hs      TLS handshake, then waits for EOF and closes (handshakes per second)
  tls_ok      1 when the TLS ports are up (openssl found), else 0
"""
import json
import os
import selectors
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

BLOCK = b'x' * 65536


def listener(backlog=4096):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    sock.listen(backlog)
    return sock


def serve_threads(sock, handler, wrap=None):
    """Accept forever; each connection gets its own daemon thread running handler(conn)."""
    def run(conn):
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if wrap is not None:
                conn = wrap(conn)
            handler(conn)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def loop():
        while True:
            conn, _ = sock.accept()
            threading.Thread(target=run, args=(conn,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def source(conn):
    while True:
        conn.sendall(BLOCK)


def sink(conn):
    total = 0
    while True:
        data = conn.recv(262144)
        if not data:
            return
        total += len(data)
        if data.endswith(b'!'):
            break
    conn.sendall(b'%d\n' % (total - 1))


def echo(conn):
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(data)


def wait_eof(conn):
    while conn.recv(4096):
        pass


def serve_hold(sock):
    """Echo for many connections on one selector thread (no thread per connection)."""
    sel = selectors.DefaultSelector()
    sock.setblocking(False)
    sel.register(sock, selectors.EVENT_READ, None)

    def loop():
        while True:
            for key, _ in sel.select():
                if key.data is None:
                    try:
                        conn, _ = sock.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    sel.register(conn, selectors.EVENT_READ, True)
                    continue
                conn = key.fileobj
                try:
                    data = conn.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b''
                if not data:
                    sel.unregister(conn)
                    conn.close()
                    continue
                try:
                    conn.send(data)  # a byte or a few: always fits
                except OSError:
                    pass
    threading.Thread(target=loop, daemon=True).start()


def tls_context():
    """A server context with a fresh self-signed certificate, or None without openssl."""
    if not shutil.which('openssl'):
        return None
    where = tempfile.mkdtemp(prefix='bench-tls-')
    key, cert = os.path.join(where, 'key.pem'), os.path.join(where, 'cert.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                    '-subj', '/CN=localhost', '-keyout', key, '-out', cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    shutil.rmtree(where, ignore_errors=True)
    return ctx


def main():
    ports = {}
    for name, handler in (('source', source), ('sink', sink), ('echo', echo)):
        sock = listener()
        serve_threads(sock, handler)
        ports[name] = sock.getsockname()[1]
    hold = listener()
    serve_hold(hold)
    ports['hold'] = hold.getsockname()[1]
    ctx = tls_context()
    ports['tls_ok'] = int(ctx is not None)
    if ctx is not None:
        wrap = lambda conn: ctx.wrap_socket(conn, server_side=True)
        for name, handler in (('tls_source', source), ('tls_hs', wait_eof)):
            sock = listener()
            serve_threads(sock, handler, wrap)
            ports[name] = sock.getsockname()[1]
    sys.stdout.write(json.dumps(ports) + '\n')
    sys.stdout.flush()
    threading.Event().wait()


if __name__ == '__main__':
    main()
