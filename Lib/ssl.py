"""ssl: CPython 2.7.18's ssl module for Jython, on Netty's SslHandler and the JDK's TLS engine.

Drop-in replacement with CPython 2.7.18's public names.  The pieces live in `_socketcore`:
tlsconstants (constants, Purpose), tlserrors (exceptions, Java -> ssl mapping), tlscerts
(PEM/DER, keys, certificate dicts), tlshostname (match_hostname), tlsciphers (OpenSSL
cipher strings), tlscontext (SSLContext), tlssocket (SSLSocket).  JVM limits are listed
under "Differences from CPython" in the project README.
"""
import base64 as _base64
import os as _os
import sys as _sys
from collections import namedtuple as _namedtuple

from java.lang import System as _System, Throwable as _Throwable
from java.security import SecureRandom as _SecureRandom

import socket as _socket_module
from socket import socket, SOCK_STREAM, AF_INET, SOL_SOCKET, SO_TYPE, create_connection
from socket import error as socket_error

from _socketcore.tlsconstants import *
from _socketcore.tlsconstants import Purpose, _ASN1Object, _PROTOCOL_NAMES
from _socketcore.tlserrors import (SSLError, SSLZeroReturnError, SSLWantReadError,
                                   SSLWantWriteError, SSLSyscallError, SSLEOFError,
                                   CertificateError)
from _socketcore.tlscerts import (der_to_pem as DER_cert_to_PEM_cert,
                                  pem_to_der as PEM_cert_to_DER_cert,
                                  cert_time_to_seconds)
from _socketcore.tlshostname import match_hostname
from _socketcore.tlscontext import SSLContext
from _socketcore.tlssocket import SSLSocket
from _socketcore import tlsengine as _tlsengine


# issue 5: what engine really runs (tlsengine: the JDK's, or OpenSSL via netty-tcnative)
try:
    OPENSSL_VERSION = str(_tlsengine.description())
except (Exception, _Throwable):
    OPENSSL_VERSION = 'JDK JSSE via Netty SslHandler'
OPENSSL_VERSION_NUMBER = _tlsengine.version_number()
OPENSSL_VERSION_INFO = _tlsengine.version_info()
_OPENSSL_API_VERSION = OPENSSL_VERSION_INFO

_DEFAULT_CIPHERS = ('ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:DH+CHACHA20:ECDH+AES256:DH+AES256:'
                    'ECDH+AES128:DH+AES:ECDH+HIGH:DH+HIGH:RSA+AESGCM:RSA+AES:RSA+HIGH:'
                    '!aNULL:!eNULL:!MD5:!3DES')
_RESTRICTED_SERVER_CIPHERS = _DEFAULT_CIPHERS + ':!DSS:!RC4'

_PROTOCOL_NAMES = dict(_PROTOCOL_NAMES)


def get_protocol_name(protocol_code):
    return _PROTOCOL_NAMES.get(protocol_code, '<unknown>')


DefaultVerifyPaths = _namedtuple(
    'DefaultVerifyPaths', 'cafile capath openssl_cafile_env openssl_cafile '
                          'openssl_capath_env openssl_capath')

_JVM_CACERTS = str(_os.path.join(_System.getProperty('java.home'), 'lib', 'security', 'cacerts'))


def get_default_verify_paths():
    """Where default trust comes from: $SSL_CERT_FILE / $SSL_CERT_DIR when set, and the
    JVM's trust store (openssl_cafile), which is what load_default_certs() uses."""
    cafile = _os.environ.get('SSL_CERT_FILE')
    capath = _os.environ.get('SSL_CERT_DIR')
    return DefaultVerifyPaths(
        cafile if cafile and _os.path.isfile(cafile) else None,
        capath if capath and _os.path.isdir(capath) else None,
        'SSL_CERT_FILE', _JVM_CACERTS, 'SSL_CERT_DIR', None)


def create_default_context(purpose=Purpose.SERVER_AUTH, cafile=None, capath=None,
                           cadata=None):
    """A context with secure defaults: for SERVER_AUTH, CERT_REQUIRED + check_hostname;
    trust from the arguments, else the JVM's trust store.  As CPython 2.7.18, TLS 1.0 and
    1.1 are not excluded here: the JDK's security policy (jdk.tls.disabledAlgorithms)
    decides, as the system OpenSSL configuration does for CPython."""
    if not isinstance(purpose, _ASN1Object):
        raise TypeError(purpose)
    context = SSLContext(PROTOCOL_TLS)
    context.options |= OP_NO_SSLv2 | OP_NO_SSLv3
    context.options |= OP_NO_COMPRESSION
    if purpose == Purpose.SERVER_AUTH:
        context.verify_mode = CERT_REQUIRED
        context.check_hostname = True
    elif purpose == Purpose.CLIENT_AUTH:
        context.options |= OP_CIPHER_SERVER_PREFERENCE | OP_SINGLE_DH_USE | OP_SINGLE_ECDH_USE
        context.set_ciphers(_RESTRICTED_SERVER_CIPHERS)
    if cafile or capath or cadata:
        context.load_verify_locations(cafile, capath, cadata)
    elif context.verify_mode != CERT_NONE:
        context.load_default_certs(purpose)
    return context


def _create_unverified_context(protocol=PROTOCOL_TLS, cert_reqs=None, check_hostname=False,
                               purpose=Purpose.SERVER_AUTH, certfile=None, keyfile=None,
                               cafile=None, capath=None, cadata=None):
    """A context that verifies nothing unless told to (CPython's legacy default)."""
    if not isinstance(purpose, _ASN1Object):
        raise TypeError(purpose)
    context = SSLContext(protocol)
    context.options |= OP_NO_SSLv2 | OP_NO_SSLv3
    if cert_reqs is not None:
        context.verify_mode = cert_reqs
    context.check_hostname = check_hostname
    if keyfile and not certfile:
        raise ValueError('certfile must be specified')
    if certfile or keyfile:
        context.load_cert_chain(certfile, keyfile)
    if cafile or capath or cadata:
        context.load_verify_locations(cafile, capath, cadata)
    elif context.verify_mode != CERT_NONE:
        context.load_default_certs(purpose)
    return context


_create_stdlib_context = _create_unverified_context

# PEP 493: PYTHONHTTPSVERIFY=0 in the environment makes stdlib HTTPS clients skip verification.
_https_verify_envvar = 'PYTHONHTTPSVERIFY'


def _get_https_context_factory():
    if not getattr(_sys.flags, 'ignore_environment', 0) and \
            _os.environ.get(_https_verify_envvar) == '0':
        return _create_unverified_context
    return create_default_context


_create_default_https_context = _get_https_context_factory()


def _https_verify_certificates(enable=True):
    """PEP 493: choose whether HTTPS clients in the standard library verify by default."""
    global _create_default_https_context
    if enable:
        _create_default_https_context = create_default_context
    else:
        _create_default_https_context = _create_unverified_context


import _ssl  # noqa: E402  (CPython code reaches ssl._ssl._test_decode_cert)


def wrap_socket(sock, keyfile=None, certfile=None, server_side=False, cert_reqs=CERT_NONE,
                ssl_version=PROTOCOL_TLS, ca_certs=None, do_handshake_on_connect=True,
                suppress_ragged_eofs=True, ciphers=None):
    return SSLSocket(sock=sock, keyfile=keyfile, certfile=certfile, server_side=server_side,
                     cert_reqs=cert_reqs, ssl_version=ssl_version, ca_certs=ca_certs,
                     do_handshake_on_connect=do_handshake_on_connect,
                     suppress_ragged_eofs=suppress_ragged_eofs, ciphers=ciphers)


def get_server_certificate(addr, ssl_version=PROTOCOL_TLS, ca_certs=None):
    """The PEM certificate of the server at `addr` (verified when ca_certs is given)."""
    host, port = addr
    cert_reqs = CERT_REQUIRED if ca_certs is not None else CERT_NONE
    context = _create_stdlib_context(ssl_version, cert_reqs=cert_reqs, cafile=ca_certs)
    sock = create_connection(addr)
    try:
        sslsock = context.wrap_socket(sock, server_hostname=host)
        try:
            der = sslsock.getpeercert(True)
        finally:
            sslsock.close()
    finally:
        sock.close()
    return DER_cert_to_PEM_cert(der)


# ------------------------------------------------------------------ randomness

_RANDOM = _SecureRandom()


def RAND_status():
    """True: the JVM's SecureRandom is always seeded."""
    return True


def RAND_add(data, entropy):
    """Mix `data` into the generator (`entropy` is accepted as CPython does)."""
    if isinstance(data, unicode):
        data = data.encode('utf-8')
    from _socketcore.tlscerts import from_bytes
    _RANDOM.setSeed(from_bytes(str(data)))


def RAND_bytes(num):
    """`num` cryptographically strong random bytes."""
    if num < 0:
        raise ValueError('num must be positive')
    from jarray import zeros
    from _socketcore.tlscerts import to_bytes
    buf = zeros(num, 'b')
    _RANDOM.nextBytes(buf)
    return to_bytes(buf)


def RAND_pseudo_bytes(num):
    return RAND_bytes(num), True


def RAND_egd(path):
    raise TypeError('RAND_egd is not available on this platform')


# Python 2.7's ssl also exposes these for old callers.
def sslwrap_simple(sock, keyfile=None, certfile=None):
    return wrap_socket(sock, keyfile, certfile)
