"""Which TLS engine runs under Netty's SslHandler: the JDK's (JSSE) or OpenSSL.

OpenSSL (BoringSSL, from netty-tcnative-boringssl-static) is used when netty-tcnative is on
the class path and loads (`bin/jython` puts it there with JNS_TLS_ENGINE=openssl; `./antw
openssl` fetches it), the JDK's engine otherwise.  JNS_TLS_ENGINE=jdk forces the JDK's engine.
The copy of Netty bundled in jython-standalone (org.python.netty) always uses the JDK's: it
has no tcnative.  The choice is made once per process, on first need.

Every other module asks here: `provider()` for SslContextBuilder.sslProvider, `is_openssl()`,
`description()` / `version_number()` for ssl.OPENSSL_VERSION*, `cipher_suites()` for the
JSSE-named suites the engine offers.
"""
import os

from java.lang import Throwable

from _socketcore import netty

JDK = 'jdk'
OPENSSL = 'openssl'

_chosen = None
_openssl = None     # io.netty.handler.ssl.OpenSsl when it is the engine


def _load_openssl():
    """OpenSsl when netty-tcnative loads here, else None (never raises)."""
    if netty.BUNDLED:
        return None
    try:
        namespace = {}
        exec 'from io.netty.handler.ssl import OpenSsl' in namespace
        openssl = namespace['OpenSsl']
        if openssl.isAvailable():
            return openssl
    except (Exception, Throwable):
        pass
    return None


def engine():
    """JDK or OPENSSL (decided once)."""
    global _chosen, _openssl
    if _chosen is None:
        wanted = os.environ.get('JNS_TLS_ENGINE', '').strip().lower()
        openssl = None if wanted == JDK else _load_openssl()
        _openssl = openssl
        _chosen = OPENSSL if openssl is not None else JDK
    return _chosen


def is_openssl():
    return engine() == OPENSSL


def provider():
    """The SslProvider for SslContextBuilder.  OPENSSL (not OPENSSL_REFCNT): Netty's
    finalizer-backed context, so an SSLContext dropped by Python code frees its native
    SSL_CTX at garbage collection; each engine is freed when its SslHandler is removed
    (channel closed or unwrap)."""
    if is_openssl():
        return netty.SslProvider.OPENSSL
    return netty.SslProvider.JDK


def _tcnative_version():
    """netty-tcnative's version, from its jar's manifest (None when unknown)."""
    try:
        from java.lang import Class
        package = Class.forName('io.netty.internal.tcnative.SSL').getPackage()
        version = package.getImplementationVersion() if package is not None else None
    except (Exception, Throwable):
        version = None
    return str(version) if version else None


def version_number():
    """OPENSSL_VERSION_NUMBER of the engine: OpenSSL's own number (BoringSSL reports the
    OpenSSL API level it implements), or 1.1.1's for the JDK's engine, whose features
    (TLS 1.3, ALPN, SNI) are that level's."""
    if is_openssl():
        try:
            return int(int(_openssl.version()) & 0x7FFFFFFF)
        except (Exception, Throwable):
            pass
    return 0x1010100F


def version_info():
    """OPENSSL_VERSION_INFO from the number, as CPython computes it."""
    number = version_number()
    return (int((number >> 28) & 0xF), (number >> 20) & 0xFF, (number >> 12) & 0xFF,
            (number >> 4) & 0xFF, number & 0xF)


def description():
    """OPENSSL_VERSION: the engine really used, e.g. 'BoringSSL (netty-tcnative
    2.0.81.Final) via Netty 4.1 SslHandler' or 'JDK SunJSSE 17 (Java 17.0.15) via ...'."""
    from java.lang import System
    via = 'Netty (bundled with Jython)' if netty.BUNDLED else 'Netty 4.1'
    if is_openssl():
        name = str(_openssl.versionString() or 'OpenSSL')
        tcnative = _tcnative_version()
        return '%s (netty-tcnative%s) via %s SslHandler' % (
            name, ' ' + tcnative if tcnative else '', via)
    from javax.net.ssl import SSLContext as _JavaContext
    # getInstance, not getDefault: the default context loads the whole trust store
    # (~600 classes, a third of `import ssl`) only to be asked its provider's name
    provider = _JavaContext.getInstance('TLS').getProvider()
    return 'JDK %s %s (Java %s) via %s SslHandler' % (
        provider.getName(), provider.getVersionStr(), System.getProperty('java.version'), via)


def openssl_suites():
    """JSSE names of the cipher suites the OpenSSL engine offers (None on the JDK's)."""
    if not is_openssl():
        return None
    try:
        return set(str(name) for name in _openssl.availableJavaCipherSuites())
    except (Exception, Throwable):
        return set()


def jvm_disabled_protocols():
    """Protocol names the JVM's policy disables (jdk.tls.disabledAlgorithms: TLSv1 and
    TLSv1.1 on Java 17).  The OpenSSL engine is held to the same policy, so a context
    negotiates the same protocols on both engines."""
    try:
        from java.security import Security
        value = Security.getProperty('jdk.tls.disabledAlgorithms') or ''
    except (Exception, Throwable):
        return frozenset()
    return frozenset(str(item).strip() for item in value.split(','))
