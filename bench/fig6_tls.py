"""Figure 6: TLS over loopback against the peer's TLS ports (CPython 3 ssl, self-signed).

handshakes/s: connect, full handshake (no session reuse), close.
bulk recv: recv(65536) from the peer's `tls_source`, MB/s.
Rows report "n/a" when this implementation has no working `ssl` module, or when the
OpenSSL engine was asked for (JNS_TLS_ENGINE=openssl, the driver's "on OpenSSL" rows) and
`ssl.OPENSSL_VERSION` shows another engine ran.
"""
from __future__ import print_function

import os

import common


def client_context():
    """A client context that does not verify (the peer's certificate is self-signed)."""
    try:
        import ssl
        ssl.SSLContext
    except (ImportError, AttributeError):
        raise common.NotAvailable('n/a (ssl not yet available)')
    if os.environ.get('JNS_TLS_ENGINE') == 'openssl' and 'BoringSSL' not in ssl.OPENSSL_VERSION:
        raise common.NotAvailable('n/a (OpenSSL engine not loaded: %s)' % ssl.OPENSSL_VERSION)
    protocol = getattr(ssl, 'PROTOCOL_TLS_CLIENT', None) or ssl.PROTOCOL_SSLv23
    ctx = ssl.SSLContext(protocol)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _tls_port(peer, name):
    if not peer.get('tls_ok'):
        raise common.NotAvailable('n/a (no openssl for the peer certificate)')
    return peer[name]


def handshakes(peer, seconds):
    ctx = client_context()
    port = _tls_port(peer, 'tls_hs')
    count = 0
    started = common.now()
    end = started + seconds
    while True:
        sock = ctx.wrap_socket(common.connect(port))
        sock.close()
        count += 1
        if common.now() >= end:
            break
    return common.rate(count, started)


def bulk_recv(peer, seconds):
    ctx = client_context()
    sock = ctx.wrap_socket(common.connect(_tls_port(peer, 'tls_source')))
    try:
        total = 0
        started = common.now()
        end = started + seconds
        while True:
            for _ in range(16):
                total += len(sock.recv(65536))
            if common.now() >= end:
                break
        return common.rate(total, started) / 1e6
    finally:
        sock.close()


ROWS = [
    ('TLS handshakes/s', handshakes),
    ('TLS bulk recv(65536), MB/s', bulk_recv),
]

if __name__ == '__main__':
    common.main(__import__(__name__))
