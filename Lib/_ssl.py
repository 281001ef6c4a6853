"""_ssl: the low-level half of `ssl`, for code that probes it (pip checks `import _ssl` to
decide whether TLS is available).  Everything here comes from `_socketcore` (see ssl.py);
this module adds no behaviour of its own.
"""
from _socketcore.tlsconstants import *
from _socketcore.tlserrors import (SSLError, SSLZeroReturnError, SSLWantReadError,
                                   SSLWantWriteError, SSLSyscallError, SSLEOFError)
from _socketcore.tlscontext import SSLContext as _SSLContext


def _test_decode_cert(path):
    """The getpeercert() dict of the first certificate in a PEM file (CPython's test hook)."""
    from _socketcore import tlscerts
    certs = tlscerts.certificates_from_text(tlscerts.read_file(path), True)
    if not certs:
        raise SSLError('Error decoding PEM-encoded file')
    return tlscerts.decode_certificate(certs[0])


def RAND_status():
    return True


# The engine description (ssl.py computes it; importing ssl here is safe either way round:
# ssl imports this module only after defining these names).
from ssl import OPENSSL_VERSION, OPENSSL_VERSION_INFO, OPENSSL_VERSION_NUMBER  # noqa: E402
_OPENSSL_API_VERSION = OPENSSL_VERSION_INFO
