"""ssl's exception classes, and the one place where Java TLS failures become them.

`from_java(cause)` turns whatever the TLS engine (the JDK's, or OpenSSL's error strings
through netty-tcnative) or Netty's SslHandler reports
(SSLHandshakeException, CertPathValidatorException, alerts, DecoderException wrappers,
ClosedChannelException during a handshake, ...) into the SSLError subclass CPython 2.7.18
raises in the same situation, with OpenSSL-style `.library`, `.reason` and message text
``[SSL: REASON] description (detail)``.  Nothing Java escapes from here.
"""
import errno
import re

from java.lang import Throwable
from java.nio.channels import ClosedChannelException
from java.security.cert import CertificateExpiredException, CertificateNotYetValidException
from java.security.cert import CertPathValidatorException, CertPathBuilderException

from _socketcore.errors import error, timeout, from_java as _socket_from_java, errno_of
from _socketcore import tlsconstants as _k


class SSLError(error):
    """An error from the TLS layer: args (SSL_ERROR_* or library code, message).

    `.library` and `.reason` name the OpenSSL library and reason (e.g. 'SSL',
    'CERTIFICATE_VERIFY_FAILED') where known, else None."""

    library = None
    reason = None

    def __str__(self):
        if len(self.args) >= 2 and isinstance(self.args[1], basestring):
            return str(self.args[1])
        return error.__str__(self)


class SSLZeroReturnError(SSLError):
    """The TLS connection was closed cleanly (close_notify received)."""


class SSLWantReadError(SSLError):
    """Non-blocking: the operation needs more data from the peer; call again when readable."""


class SSLWantWriteError(SSLError):
    """Non-blocking: the operation needs room to send; call again when writable."""


class SSLSyscallError(SSLError):
    """The transport failed under the TLS layer."""


class SSLEOFError(SSLError):
    """The peer closed the transport without close_notify (or in mid-handshake)."""


class SSLTimeoutError(SSLError, timeout):
    """A TLS operation ran out of time: CPython 2.7 raises SSLError('The read operation
    timed out'), Python 3 socket.timeout; this is both, so either except clause works."""


def timed_out(what):
    return SSLTimeoutError('The %s operation timed out' % what)


class CertificateError(ValueError):
    """The peer's certificate does not match the expected hostname."""


def make(cls, code, text, library=None, reason=None, detail=None):
    """`cls(code, message)` with CPython's message layout and `.library`/`.reason` set."""
    if reason:
        message = '[%s: %s] %s' % (library or 'SSL', reason, text)
    else:
        message = text
    if detail:
        message = '%s (%s)' % (message, detail)
    exc = cls(code, message)
    exc.library = library if reason else None
    exc.reason = reason
    return exc


def ssl_error(reason, text, detail=None, library='SSL'):
    return make(SSLError, _k.SSL_ERROR_SSL, text, library, reason, detail)


def want_read():
    return make(SSLWantReadError, _k.SSL_ERROR_WANT_READ, 'The operation did not complete (read)')


def want_write():
    return make(SSLWantWriteError, _k.SSL_ERROR_WANT_WRITE,
                'The operation did not complete (write)')


def zero_return():
    return make(SSLZeroReturnError, _k.SSL_ERROR_ZERO_RETURN,
                'TLS/SSL connection has been closed (EOF)')


def eof_error():
    return make(SSLEOFError, _k.SSL_ERROR_EOF, 'EOF occurred in violation of protocol')


def verify_failed(detail=None):
    return ssl_error('CERTIFICATE_VERIFY_FAILED', 'certificate verify failed', detail)


# Alerts that OpenSSL names after SSLv3 (the rest are TLSV1_ALERT_*).
_SSLV3_ALERTS = frozenset([
    'unexpected_message', 'bad_record_mac', 'decompression_failure', 'handshake_failure',
    'no_certificate', 'bad_certificate', 'unsupported_certificate', 'certificate_revoked',
    'certificate_expired', 'certificate_unknown', 'illegal_parameter'])


def alert_error(alert):
    """SSLError for a fatal alert received from the peer, named as OpenSSL names it."""
    alert = alert.strip().lower().replace(' ', '_')
    if alert == 'certificate_required':
        prefix, words = 'TLSV13_ALERT_', 'tlsv13 alert '
    elif alert in _SSLV3_ALERTS:
        prefix, words = 'SSLV3_ALERT_', 'sslv3 alert '
    else:
        prefix, words = 'TLSV1_ALERT_', 'tlsv1 alert '
    return ssl_error(prefix + alert.upper(), words + alert.replace('_', ' '))


# Message fragments of JSSE exceptions -> (reason, OpenSSL description)
_BY_MESSAGE = [
    ('unsupported or unrecognized ssl message', 'WRONG_VERSION_NUMBER', 'wrong version number'),
    ('plaintext connection?', 'WRONG_VERSION_NUMBER', 'wrong version number'),
    ('no appropriate protocol', 'UNSUPPORTED_PROTOCOL', 'unsupported protocol'),
    ('client requested protocol', 'UNSUPPORTED_PROTOCOL', 'unsupported protocol'),
    ('protocol version', 'UNSUPPORTED_PROTOCOL', 'unsupported protocol'),
    ('no cipher suites in common', 'NO_SHARED_CIPHER', 'no shared cipher'),
    ('tag mismatch', 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
     'decryption failed or bad record mac'),
    ('bad record mac', 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
     'decryption failed or bad record mac'),
    ('empty client certificate chain', 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
     'peer did not return a certificate'),
    ('pkix path', 'CERTIFICATE_VERIFY_FAILED', 'certificate verify failed'),
    ('unable to find valid certification path', 'CERTIFICATE_VERIFY_FAILED',
     'certificate verify failed'),
    ('certificate_unknown', 'CERTIFICATE_VERIFY_FAILED', 'certificate verify failed'),
    ('trustanchors parameter must be non-empty', 'CERTIFICATE_VERIFY_FAILED',
     'certificate verify failed'),
    ('no available authentication scheme', 'NO_SHARED_CIPHER', 'no shared cipher'),
    ('insufficient buffer remaining', 'RECORD_LAYER_FAILURE', 'record layer failure'),
    ('record overflow', 'RECORD_OVERFLOW', 'record overflow'),
    ('invalid padding', 'BAD_RECORD_TYPE', 'bad record type'),
]


# OpenSSL's (BoringSSL's) error strings, as netty-tcnative puts them in its exceptions:
# error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE
_OPENSSL_ERROR = re.compile(r'error:[0-9a-fA-F]+:([^:]*):[^:]*:([A-Z0-9_]+)')
_OPENSSL_LIBRARIES = {'SSL routines': 'SSL', 'X.509 certificate routines': 'X509',
                      'PEM routines': 'PEM', 'asn1 encoding routines': 'ASN1'}
# BoringSSL reasons that OpenSSL names otherwise (a client whose ClientHello the server
# refused with a handshake_failure alert)
_OPENSSL_REASONS = {
    'HANDSHAKE_FAILURE_ON_CLIENT_HELLO': 'SSLV3_ALERT_HANDSHAKE_FAILURE',
}
_OPENSSL_ALERT = re.compile(r'^(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$')


def _from_openssl(text):
    """The ssl exception for an OpenSSL error string in `text`, else None."""
    match = _OPENSSL_ERROR.search(text)
    if match is None:
        return None
    library, reason = match.group(1), match.group(2)
    reason = _OPENSSL_REASONS.get(reason, reason)
    alert = _OPENSSL_ALERT.match(reason)
    if alert:
        return alert_error(alert.group(1).lower())
    return ssl_error(reason, reason.lower().replace('_', ' '), text,
                     library=_OPENSSL_LIBRARIES.get(library, 'SSL'))


def _chain(cause):
    """The cause chain of a Throwable, outermost first (at most 10 deep)."""
    seen = []
    while cause is not None and len(seen) < 10 and cause not in seen:
        seen.append(cause)
        cause = cause.getCause()
    return seen


def _message(cause):
    return unicode(cause.getMessage() or '').encode('utf-8', 'replace')


# CertPathValidatorException reasons (BasicReason) -> OpenSSL's X509_verify_cert_error_string
_REVOCATION_TEXT = {
    'REVOKED': 'certificate revoked',
    'UNDETERMINED_REVOCATION_STATUS': 'unable to get certificate CRL',
}


def from_java(cause, handshaking=False):
    """The ssl exception for a Java Throwable from the TLS layer (never a Java one).

    `handshaking`: the failure ended a handshake, so a closed transport is an SSLEOFError."""
    chain = _chain(cause)
    for link in chain:
        if isinstance(link, CertPathValidatorException):
            # revocation (VERIFY_CRL_CHECK_*): OpenSSL's verify error text
            reason = str(link.getReason())
            if reason in _REVOCATION_TEXT:
                return verify_failed(_REVOCATION_TEXT[reason])
    for link in chain:
        if isinstance(link, (CertificateExpiredException, CertificateNotYetValidException,
                             CertPathValidatorException, CertPathBuilderException)):
            return verify_failed(_message(link) or None)
    for link in chain:
        found = _from_openssl(_message(link))
        if found is not None:
            return found
    for link in chain:
        text = _message(link)
        lower = text.lower()
        if 'received fatal alert:' in lower:
            return alert_error(lower.split('received fatal alert:', 1)[1])
        for fragment, reason, description in _BY_MESSAGE:
            if fragment in lower:
                return ssl_error(reason, description, text)
    for link in chain:
        if isinstance(link, ClosedChannelException) or 'closed' in _message(link).lower():
            return eof_error()
    for link in chain:
        if errno_of(link) in (errno.ECONNRESET, errno.EPIPE):
            if handshaking:
                return eof_error()
            return _socket_from_java(link)
    inner = chain[-1] if chain else cause
    return ssl_error('UNKNOWN', 'TLS failure', '%s: %s' % (
        inner.getClass().getSimpleName(), _message(inner)))


__all__ = ['SSLError', 'SSLZeroReturnError', 'SSLWantReadError', 'SSLWantWriteError',
           'SSLSyscallError', 'SSLEOFError', 'CertificateError']
