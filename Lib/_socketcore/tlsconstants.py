"""The ssl module's constants, with CPython 2.7.18's values (as built on OpenSSL 3 / Linux).

PROTOCOL_*, OP_*, CERT_*, VERIFY_*, ALERT_DESCRIPTION_*, SSL_ERROR_* are plain numbers that
our SSLContext interprets (see tlscontext); the HAS_* flags say what the JDK engine under
Netty's SslHandler really does.
"""

PROTOCOL_SSLv23 = PROTOCOL_TLS = 2
PROTOCOL_TLSv1 = 3
PROTOCOL_TLSv1_1 = 4
PROTOCOL_TLSv1_2 = 5

CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED = 0, 1, 2

OP_ALL = 0x80000050
OP_NO_SSLv2 = 0               # SSLv2 does not exist on this engine: the option is a no-op
OP_NO_SSLv3 = 0x02000000
OP_NO_TLSv1 = 0x04000000
OP_NO_TLSv1_1 = 0x10000000
OP_NO_TLSv1_2 = 0x08000000
OP_NO_TLSv1_3 = 0x20000000
OP_NO_COMPRESSION = 0x00020000
OP_CIPHER_SERVER_PREFERENCE = 0x00400000
OP_SINGLE_DH_USE = 0
OP_SINGLE_ECDH_USE = 0
OP_ENABLE_MIDDLEBOX_COMPAT = 0x00100000

VERIFY_DEFAULT = 0
VERIFY_CRL_CHECK_LEAF = 0x4
VERIFY_CRL_CHECK_CHAIN = 0xc
VERIFY_X509_STRICT = 0x20
VERIFY_X509_TRUSTED_FIRST = 0x8000

SSL_ERROR_SSL = 1
SSL_ERROR_WANT_READ = 2
SSL_ERROR_WANT_WRITE = 3
SSL_ERROR_WANT_X509_LOOKUP = 4
SSL_ERROR_SYSCALL = 5
SSL_ERROR_ZERO_RETURN = 6
SSL_ERROR_WANT_CONNECT = 7
SSL_ERROR_EOF = 8
SSL_ERROR_INVALID_ERROR_CODE = 10

ALERT_DESCRIPTION_CLOSE_NOTIFY = 0
ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = 10
ALERT_DESCRIPTION_BAD_RECORD_MAC = 20
ALERT_DESCRIPTION_RECORD_OVERFLOW = 22
ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = 30
ALERT_DESCRIPTION_HANDSHAKE_FAILURE = 40
ALERT_DESCRIPTION_BAD_CERTIFICATE = 42
ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = 43
ALERT_DESCRIPTION_CERTIFICATE_REVOKED = 44
ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = 45
ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = 46
ALERT_DESCRIPTION_ILLEGAL_PARAMETER = 47
ALERT_DESCRIPTION_UNKNOWN_CA = 48
ALERT_DESCRIPTION_ACCESS_DENIED = 49
ALERT_DESCRIPTION_DECODE_ERROR = 50
ALERT_DESCRIPTION_DECRYPT_ERROR = 51
ALERT_DESCRIPTION_PROTOCOL_VERSION = 70
ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = 71
ALERT_DESCRIPTION_INTERNAL_ERROR = 80
ALERT_DESCRIPTION_USER_CANCELLED = 90
ALERT_DESCRIPTION_NO_RENEGOTIATION = 100
ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = 110
ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = 111
ALERT_DESCRIPTION_UNRECOGNIZED_NAME = 112
ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = 113
ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = 114
ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = 115

# What the JDK engine does: SNI and ALPN yes (JDK 9+), ECDHE yes, TLS 1.3 yes (JDK 11+),
# NPN no (never implemented by JSSE).
HAS_SNI = True
HAS_ALPN = True
HAS_ECDH = True
HAS_NPN = False
HAS_TLSv1_3 = True

CHANNEL_BINDING_TYPES = []    # JSSE exposes no Finished message, so no 'tls-unique'

PEM_HEADER = '-----BEGIN CERTIFICATE-----'
PEM_FOOTER = '-----END CERTIFICATE-----'

_KNOWN_OBJECTS = [
    (129, 'serverAuth', 'TLS Web Server Authentication', '1.3.6.1.5.5.7.3.1'),
    (130, 'clientAuth', 'TLS Web Client Authentication', '1.3.6.1.5.5.7.3.2'),
    (131, 'codeSigning', 'Code Signing', '1.3.6.1.5.5.7.3.3'),
    (132, 'emailProtection', 'E-mail Protection', '1.3.6.1.5.5.7.3.4'),
    (133, 'timeStamping', 'Time Stamping', '1.3.6.1.5.5.7.3.8'),
    (180, 'OCSPSigning', 'OCSP Signing', '1.3.6.1.5.5.7.3.9'),
    (13, 'CN', 'commonName', '2.5.4.3'),
    (14, 'C', 'countryName', '2.5.4.6'),
    (17, 'O', 'organizationName', '2.5.4.10'),
    (18, 'OU', 'organizationalUnitName', '2.5.4.11'),
    (48, 'emailAddress', 'emailAddress', '1.2.840.113549.1.9.1'),
]


class _ASN1Object(tuple):
    """An OID with its OpenSSL names: (nid, shortname, longname, oid).  Built from the OID
    (`_ASN1Object('1.3.6.1.5.5.7.3.1')`), `fromnid(129)` or `fromname('serverAuth')`, for
    the objects this module knows."""

    def __new__(cls, oid, *names):
        if names:
            return tuple.__new__(cls, (oid,) + names)
        for entry in _KNOWN_OBJECTS:
            if entry[3] == oid:
                return tuple.__new__(cls, entry)
        raise ValueError('unknown object %r' % (oid,))

    @classmethod
    def fromnid(cls, nid):
        for entry in _KNOWN_OBJECTS:
            if entry[0] == nid:
                return cls(*entry)
        raise ValueError('unknown NID %i' % nid)

    @classmethod
    def fromname(cls, name):
        for entry in _KNOWN_OBJECTS:
            if name in (entry[1], entry[2], entry[3]):
                return cls(*entry)
        raise ValueError('unknown object %r' % (name,))

    nid = property(lambda self: self[0])
    shortname = property(lambda self: self[1])
    longname = property(lambda self: self[2])
    oid = property(lambda self: self[3])

    def __repr__(self):
        return '_ASN1Object(nid=%d, shortname=%r, longname=%r, oid=%r)' % self


class _Purpose(_ASN1Object):
    """ssl.Purpose: what a context's certificates are for."""


class Purpose(object):
    SERVER_AUTH = _Purpose(129, 'serverAuth', 'TLS Web Server Authentication',
                           '1.3.6.1.5.5.7.3.1')
    CLIENT_AUTH = _Purpose(130, 'clientAuth', 'TLS Web Client Authentication',
                           '1.3.6.1.5.5.7.3.2')


_PROTOCOL_NAMES = {
    PROTOCOL_TLS: 'TLS', PROTOCOL_TLSv1: 'TLSv1', PROTOCOL_TLSv1_1: 'TLSv1_1',
    PROTOCOL_TLSv1_2: 'TLSv1_2',
}


def _names(prefixes):
    return sorted(name for name in globals()
                  if name.startswith(prefixes) and not name.startswith('_'))


__all__ = _names(('PROTOCOL_', 'CERT_', 'OP_', 'VERIFY_', 'SSL_ERROR_', 'ALERT_DESCRIPTION_',
                  'HAS_', 'CHANNEL_BINDING_TYPES', 'PEM_'))
