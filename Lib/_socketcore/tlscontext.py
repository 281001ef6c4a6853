"""SSLContext: a TLS configuration, turned into one Netty SslContext per configuration.

Every setter records the setting and drops the cached Netty SslContext; `netty_context(
server_side)` builds it again on first use (SslContextBuilder, on the engine tlsengine
chose: the JDK's or OpenSSL), so a context used by many connections is built once.
Settings are applied, not just stored:
protocol + OP_NO_* -> enabled protocols, set_ciphers -> JSSE suites, verify_mode ->
trust manager / client auth, load_* -> trust store (certificates and CRLs) and key manager,
verify_flags VERIFY_CRL_CHECK_LEAF/CHAIN -> a PKIX trust manager that checks the loaded
CRLs (no OCSP, no fetching), ALPN -> Netty's ApplicationProtocolConfig.  Hostname checking is done by the socket after the handshake
(match_hostname), as CPython 2.7 does.
"""
import os

from java.lang import Throwable
from java.security import KeyStore
from java.security.cert import CertPathValidator, CertStore, CollectionCertStoreParameters
from java.security.cert import PKIXBuilderParameters, PKIXRevocationChecker, X509CertSelector
from java.util import ArrayList, EnumSet
from javax.net.ssl import CertPathTrustManagerParameters, TrustManagerFactory

from _socketcore import netty, tlsciphers, tlscerts, tlsengine
from _socketcore import tlsconstants as _k
from _socketcore.tlserrors import SSLError, from_java, ssl_error

_PROTOCOLS = {
    _k.PROTOCOL_TLS: [('TLSv1.3', _k.OP_NO_TLSv1_3), ('TLSv1.2', _k.OP_NO_TLSv1_2),
                      ('TLSv1.1', _k.OP_NO_TLSv1_1), ('TLSv1', _k.OP_NO_TLSv1)],
    _k.PROTOCOL_TLSv1: [('TLSv1', 0)],
    _k.PROTOCOL_TLSv1_1: [('TLSv1.1', 0)],
    _k.PROTOCOL_TLSv1_2: [('TLSv1.2', 0)],
}

DEFAULT_OPTIONS = (_k.OP_ALL | _k.OP_NO_SSLv3 | _k.OP_NO_COMPRESSION
                   | _k.OP_CIPHER_SERVER_PREFERENCE | _k.OP_ENABLE_MIDDLEBOX_COMPAT)

_KNOWN_CURVES = ('prime256v1', 'secp256r1', 'secp384r1', 'secp521r1', 'X25519', 'X448',
                 'ffdhe2048', 'ffdhe3072', 'ffdhe4096')

_default_trust = {}


def default_trusted_certificates(include_capath=True):
    """$SSL_CERT_FILE / $SSL_CERT_DIR when set (they replace the defaults, as with OpenSSL),
    else the JVM's trust anchors (its cacerts); loaded on first need, cached per process."""
    key = (os.environ.get('SSL_CERT_FILE'),
           os.environ.get('SSL_CERT_DIR') if include_capath else None)
    if key not in _default_trust:
        certs = []
        cafile, capath = key
        if not cafile and not capath:
            # no override: the JVM's own trust store
            factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
            factory.init(None)
            for manager in factory.getTrustManagers():
                if hasattr(manager, 'getAcceptedIssuers'):
                    certs.extend(manager.getAcceptedIssuers())
        paths = [cafile] if cafile and os.path.isfile(cafile) else []
        if capath and os.path.isdir(capath):
            paths.extend(os.path.join(capath, name) for name in sorted(os.listdir(capath)))
        for path in paths:
            try:
                if os.path.isfile(path):
                    certs.extend(tlscerts.certificates_from_text(tlscerts.read_file(path), True))
            except (SSLError, IOError):
                pass
        _default_trust[key] = certs
    return _default_trust[key]


def _is_ca(cert):
    """OpenSSL's X509_check_ca: a key usage without keyCertSign says no; basicConstraints
    decides when present; else a v1 self-signed root, or a key usage (with keyCertSign)."""
    usage = cert.getKeyUsage()
    if usage is not None and not (len(usage) > 5 and usage[5]):
        return False
    if cert.getExtensionValue('2.5.29.19') is not None:
        return cert.getBasicConstraints() >= 0
    if cert.getVersion() == 1 and \
            cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal()):
        return True
    return usage is not None


class SSLContext(object):
    """CPython 2.7.18's ssl.SSLContext on the JDK engine."""

    def __init__(self, protocol):
        if not isinstance(protocol, (int, long)):
            raise TypeError('an integer is required')
        if protocol not in _PROTOCOLS:
            raise ValueError('invalid protocol version')
        self._protocol = protocol
        self._options = DEFAULT_OPTIONS
        self._verify_mode = _k.CERT_NONE
        self._check_hostname = False
        self._verify_flags = _k.VERIFY_X509_TRUSTED_FIRST
        self._ca_certs = []           # X509Certificate, in load order, no duplicates
        self._ca_der = set()
        self._crls = []               # X509CRL, in load order, no duplicates
        self._crl_der = set()
        self._default_trust = False   # load_default_certs / set_default_verify_paths
        self._key = None
        self._chain = None
        self._ciphers = None          # JSSE names for TLS <= 1.2, None: the engine's default
        self._alpn = None
        self._sni_callback = None
        self._ecdh_curve = None
        self._built = {}

    # ------------------------------------------------------------------ simple settings

    protocol = property(lambda self: self._protocol, doc='the PROTOCOL_* this context uses')

    def _changed(self):
        self._built = {}

    def _get_options(self):
        return self._options

    def _set_options(self, value):
        self._options = long(value) & 0xFFFFFFFF
        self._changed()

    options = property(_get_options, _set_options, doc='OP_* flags (applied at build time)')

    def _get_verify_mode(self):
        return self._verify_mode

    def _set_verify_mode(self, value):
        if not isinstance(value, (int, long)):
            raise TypeError('an integer is required')
        if value not in (_k.CERT_NONE, _k.CERT_OPTIONAL, _k.CERT_REQUIRED):
            raise ValueError('invalid value for verify_mode')
        if value == _k.CERT_NONE and self._check_hostname:
            raise ValueError('Cannot set verify_mode to CERT_NONE when check_hostname '
                             'is enabled.')
        self._verify_mode = value
        self._changed()

    verify_mode = property(_get_verify_mode, _set_verify_mode)

    def _get_check_hostname(self):
        return self._check_hostname

    def _set_check_hostname(self, value):
        value = bool(value)
        if value and self._verify_mode == _k.CERT_NONE:
            raise ValueError('check_hostname needs a SSL context with either CERT_OPTIONAL '
                             'or CERT_REQUIRED')
        self._check_hostname = value

    check_hostname = property(_get_check_hostname, _set_check_hostname)

    def _get_verify_flags(self):
        return self._verify_flags

    def _set_verify_flags(self, value):
        self._verify_flags = long(value)
        self._changed()

    verify_flags = property(_get_verify_flags, _set_verify_flags)

    # ------------------------------------------------------------------ trust

    def _add_ca(self, cert):
        der = tlscerts.to_bytes(cert.getEncoded())
        if der not in self._ca_der:
            self._ca_der.add(der)
            self._ca_certs.append(cert)

    def _add_crl(self, crl):
        der = tlscerts.to_bytes(crl.getEncoded())
        if der not in self._crl_der:
            self._crl_der.add(der)
            self._crls.append(crl)

    def load_verify_locations(self, cafile=None, capath=None, cadata=None):
        """Trust the certificates in `cafile` (PEM), every PEM file in `capath`, and
        `cadata` (unicode: PEM text; str/buffer: DER).  The PEM 'X509 CRL' blocks of the
        files are kept for VERIFY_CRL_CHECK_LEAF/CHAIN, as OpenSSL keeps them in its store
        (CPython 2.7 takes certificates only from cadata)."""
        if cafile is None and capath is None and cadata is None:
            raise TypeError('cafile, capath and cadata cannot be all omitted')
        found = []
        crls = []
        if cafile is not None:
            text = tlscerts.read_file(cafile)
            certs = tlscerts.certificates_from_text(text, True)
            file_crls = tlscerts.crls_from_text(text)
            if not certs and not file_crls:
                raise ssl_error(None, '[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or '
                                'crl found')
            found.extend(certs)
            crls.extend(file_crls)
        if capath is not None:
            if not os.path.isdir(capath):
                raise IOError(2, 'No such file or directory')
            for name in sorted(os.listdir(capath)):
                path = os.path.join(capath, name)
                if os.path.isfile(path):
                    try:
                        text = tlscerts.read_file(path)
                        found.extend(tlscerts.certificates_from_text(text, True))
                        crls.extend(tlscerts.crls_from_text(text))
                    except (SSLError, IOError):
                        pass
        if cadata is not None:
            if isinstance(cadata, unicode):
                # certificates only: CPython 2.7 reads cadata with PEM_read_bio_X509, which
                # passes over CRL blocks
                certs = tlscerts.certificates_from_text(cadata.encode('ascii'), True)
                if not certs:
                    raise ssl_error('NO_START_LINE', 'no start line')
            elif isinstance(cadata, (str, bytearray, buffer, memoryview)):
                data = cadata.tobytes() if isinstance(cadata, memoryview) else str(cadata)
                certs = tlscerts.certificates_from_text(data, False)
                if not certs:
                    raise ssl_error('NOT_ENOUGH_DATA', 'not enough data')
            else:
                raise TypeError('cadata should be a ASCII string or a bytes-like object')
            found.extend(certs)
        for cert in found:
            self._add_ca(cert)
        for crl in crls:
            self._add_crl(crl)
        self._changed()

    def set_default_verify_paths(self):
        """Trust the JVM's trust store, plus $SSL_CERT_FILE / $SSL_CERT_DIR when set."""
        self._default_trust = True
        self._changed()

    def load_default_certs(self, purpose=_k.Purpose.SERVER_AUTH):
        if not isinstance(purpose, _k._ASN1Object):
            raise TypeError(purpose)
        self.set_default_verify_paths()

    def _trusted(self, include_capath=True):
        certs = list(self._ca_certs)
        if self._default_trust:
            certs.extend(default_trusted_certificates(include_capath))
        return certs

    def cert_store_stats(self):
        """Counts as OpenSSL keeps them: a capath directory is looked up lazily, so its
        certificates are not counted."""
        certs = self._trusted(include_capath=False)
        return {'x509': len(certs), 'x509_ca': len([c for c in certs if _is_ca(c)]),
                'crl': len(self._crls)}

    def get_ca_certs(self, binary_form=False):
        """The CA certificates loaded so far (dicts, or DER with binary_form)."""
        result = []
        for cert in self._ca_certs:
            if not _is_ca(cert):
                continue
            if binary_form:
                result.append(tlscerts.to_bytes(cert.getEncoded()))
            else:
                result.append(tlscerts.decode_certificate(cert))
        return result

    # ------------------------------------------------------------------ own identity

    def load_cert_chain(self, certfile, keyfile=None, password=None):
        key, chain = tlscerts.load_key_and_chain(certfile, keyfile, password)
        self._key, self._chain = key, chain
        self._changed()

    def load_dh_params(self, path):
        """Checked (a PEM 'DH PARAMETERS' block must be there), then unused: the JDK engine
        picks its own DH groups."""
        if not tlscerts.pem_blocks(tlscerts.read_file(path), ('DH PARAMETERS',)):
            raise ssl_error('NO_START_LINE', 'no start line', library='PEM')

    def set_ecdh_curve(self, name):
        if not isinstance(name, basestring):
            raise TypeError('curve name must be a string')
        if name not in _KNOWN_CURVES:
            raise ValueError('unknown elliptic curve name %r' % (name,))
        self._ecdh_curve = name

    # ------------------------------------------------------------------ negotiation

    def set_ciphers(self, spec):
        """Restrict TLS 1.2-and-older suites to an OpenSSL cipher string (SSLError when it
        selects nothing).  TLS 1.3 suites are not affected, as with OpenSSL."""
        if not isinstance(spec, basestring):
            raise TypeError('set_ciphers() argument must be string')
        selected = tlsciphers.select(str(spec))
        if not selected:
            raise SSLError('No cipher can be selected.')
        self._ciphers = selected
        self._changed()

    def set_alpn_protocols(self, alpn_protocols):
        protocols = []
        for protocol in alpn_protocols:
            if isinstance(protocol, unicode):
                protocol = protocol.encode('ascii')
            if len(protocol) == 0 or len(protocol) > 255:
                raise SSLError('ALPN protocols must be 1 to 255 in length')
            protocols.append(str(protocol))
        self._alpn = protocols or None
        self._changed()

    def set_npn_protocols(self, npn_protocols):
        raise NotImplementedError('The NPN extension requires OpenSSL 1.0.1 or later.')

    def set_servername_callback(self, server_name_callback):
        if server_name_callback is not None and not callable(server_name_callback):
            raise TypeError('not a callable object')
        self._sni_callback = server_name_callback

    def session_stats(self):
        return dict.fromkeys(('number', 'connect', 'connect_good', 'connect_renegotiate',
                              'accept', 'accept_good', 'accept_renegotiate', 'hits', 'misses',
                              'timeouts', 'cache_full'), 0)

    # ------------------------------------------------------------------ sockets

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, server_hostname=None):
        from _socketcore.tlssocket import SSLSocket
        return SSLSocket(sock=sock, server_side=server_side,
                         do_handshake_on_connect=do_handshake_on_connect,
                         suppress_ragged_eofs=suppress_ragged_eofs,
                         server_hostname=server_hostname, _context=self)

    # ------------------------------------------------------------------ the Netty side

    def enabled_ciphers(self):
        """JSSE names of the suites set_ciphers() chose (plus TLS 1.3's), None: the engine's
        defaults."""
        if self._ciphers is None:
            return None
        return tlsciphers.tls13_suites() + self._ciphers

    def enabled_protocols(self):
        """JSSE protocol names this configuration allows, newest first."""
        return [name for name, flag in _PROTOCOLS[self._protocol]
                if not (flag and self._options & flag)]

    def netty_context(self, server_side):
        """The Netty SslContext for this configuration (built once, until it changes)."""
        built = self._built.get(server_side)
        if built is None:
            built = self._build(server_side)
            self._built[server_side] = built
        return built

    def _build(self, server_side):
        if server_side:
            if self._key is None:
                raise ssl_error(None, 'certfile must be specified for server-side operations')
            builder = netty.SslContextBuilder.forServer(self._key, _list(self._chain))
            builder.clientAuth({_k.CERT_NONE: netty.ClientAuth.NONE,
                                _k.CERT_OPTIONAL: netty.ClientAuth.OPTIONAL,
                                _k.CERT_REQUIRED: netty.ClientAuth.REQUIRE}[self._verify_mode])
        else:
            builder = netty.SslContextBuilder.forClient()
            if self._key is not None:
                builder.keyManager(self._key, _list(self._chain))
        builder.sslProvider(tlsengine.provider())
        protocols = self.enabled_protocols()
        if not protocols:
            raise ssl_error('NO_PROTOCOLS_AVAILABLE', 'no protocols available')
        if tlsengine.is_openssl():
            # the JVM's policy applies to OpenSSL too (BoringSSL would speak TLS 1.0/1.1):
            # refused as the JDK's engine refuses them
            disabled = tlsengine.jvm_disabled_protocols()
            protocols = [p for p in protocols if p not in disabled]
            if not protocols:
                raise ssl_error('UNSUPPORTED_PROTOCOL', 'unsupported protocol',
                                'No appropriate protocol (protocol is disabled or cipher '
                                'suites are inappropriate)')
        builder.protocols(_list(protocols))
        if self._ciphers is not None:
            builder.ciphers(_list(self.enabled_ciphers()))
        if self._verify_mode == _k.CERT_NONE and not server_side:
            builder.trustManager(netty.InsecureTrustManagerFactory.INSTANCE)
        else:
            try:
                builder.trustManager(self._trust_manager_factory())
            except Throwable as cause:
                raise from_java(cause)
        if self._alpn:
            config = netty.ApplicationProtocolConfig
            builder.applicationProtocolConfig(config(
                config.Protocol.ALPN, config.SelectorFailureBehavior.NO_ADVERTISE,
                config.SelectedListenerFailureBehavior.ACCEPT, _list(self._alpn)))
        try:
            return builder.build()
        except Throwable as cause:
            raise from_java(cause)

    def _trust_manager_factory(self):
        store = KeyStore.getInstance(KeyStore.getDefaultType())
        store.load(None, None)
        for index, cert in enumerate(self._trusted()):
            store.setCertificateEntry('ca%d' % index, cert)
        if self._verify_flags & _k.VERIFY_CRL_CHECK_LEAF and store.size() > 0:
            # (with no trust anchor at all PKIXBuilderParameters refuses to be built; the
            # plain trust manager below fails every peer anyway)
            factory = TrustManagerFactory.getInstance('PKIX')
            factory.init(CertPathTrustManagerParameters(self._crl_parameters(store)))
            return factory
        factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
        factory.init(store)
        return factory

    def _crl_parameters(self, store):
        """PKIX parameters that check revocation against the loaded CRLs only, as OpenSSL's
        X509_V_FLAG_CRL_CHECK(_ALL) does: the leaf alone (VERIFY_CRL_CHECK_LEAF) or every
        certificate below the trust anchor (VERIFY_CRL_CHECK_CHAIN); a certificate whose
        issuer has no CRL here fails.  No OCSP (NO_FALLBACK after PREFER_CRLS), and nothing
        is fetched from the certificates' CRL distribution points unless the JVM was told to
        (com.sun.security.enableCRLDP, off by default)."""
        params = PKIXBuilderParameters(store, X509CertSelector())
        params.setRevocationEnabled(True)
        params.addCertStore(CertStore.getInstance(
            'Collection', CollectionCertStoreParameters(_list(self._crls))))
        checker = CertPathValidator.getInstance('PKIX').getRevocationChecker()
        Option = PKIXRevocationChecker.Option
        options = EnumSet.of(Option.PREFER_CRLS, Option.NO_FALLBACK)
        if self._verify_flags & _k.VERIFY_CRL_CHECK_CHAIN != _k.VERIFY_CRL_CHECK_CHAIN:
            options.add(Option.ONLY_END_ENTITY)
        checker.setOptions(options)
        params.addCertPathChecker(checker)
        return params


def _list(items):
    result = ArrayList()
    for item in items:
        result.add(item)
    return result
