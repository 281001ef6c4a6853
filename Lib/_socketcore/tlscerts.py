"""Certificates and keys: PEM/DER text handling, loading through Java PKI + BouncyCastle,
and CPython's dict form of a certificate.

- `pem_to_der` / `der_to_pem`: ssl's PEM_cert_to_DER_cert / DER_cert_to_PEM_cert.
- `certificates_from_text`: every certificate in PEM text or DER bytes (CertificateFactory);
  `crls_from_text`: every CRL ('X509 CRL' blocks) in PEM text.
- `load_key_and_chain`: a certificate chain file plus a private key (PKCS#1, PKCS#8, SEC1,
  encrypted with a password) as (PrivateKey, [X509Certificate]), checked to match;
  BouncyCastle's PEMParser reads the key (Jython's standalone jar carries it, renamed).
- `decode_certificate`: the dict getpeercert() returns (subject, issuer, version,
  serialNumber, notBefore, notAfter, subjectAltName, OCSP, caIssuers, crlDistributionPoints).
- `cert_time_to_seconds`: seconds since the epoch for OpenSSL's 'Mon DD HH:MM:SS YYYY GMT'.
Load failures raise the SSLError CPython raises (TypeError/IOError where CPython does).
"""
import base64
import errno
import re

from java.io import ByteArrayInputStream, StringReader
from java.lang import Class, ClassNotFoundException, Throwable
from java.security import Signature
from java.security.cert import CertificateFactory
from java.text import SimpleDateFormat
from java.util import Locale, TimeZone
from org.python.core import Py
from org.python.core.util import StringUtil

from _socketcore import tlsconstants as _k
from _socketcore.tlserrors import SSLError, make, ssl_error

_PEM_BLOCK = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----', re.S)


def _bc_prefix():
    for prefix in ('org.bouncycastle', 'org.python.bouncycastle'):
        try:
            Class.forName(prefix + '.openssl.PEMParser')
            return prefix
        except ClassNotFoundException:
            pass
    return None


_BC = _bc_prefix()


def _bc(package, *names):
    namespace = {}
    exec 'from %s.%s import %s' % (_BC, package, ', '.join(names)) in namespace
    return [namespace[name] for name in names]


def to_bytes(java_bytes):
    """A Java byte[] as a str."""
    return Py.newString(StringUtil.fromBytes(java_bytes))


def from_bytes(data):
    """A str as a Java byte[]."""
    return StringUtil.toBytes(data)


# ------------------------------------------------------------------------------ PEM / DER

def der_to_pem(der_cert_bytes):
    """PEM text for a DER certificate (64-column base64 between the CERTIFICATE lines)."""
    body = base64.standard_b64encode(der_cert_bytes)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return _k.PEM_HEADER + '\n' + ''.join(line + '\n' for line in lines) + _k.PEM_FOOTER + '\n'


def pem_to_der(pem_cert_string):
    """The DER bytes of one PEM certificate; ValueError when the markers are missing."""
    if not pem_cert_string.startswith(_k.PEM_HEADER):
        raise ValueError('Invalid PEM encoding; must start with %s' % _k.PEM_HEADER)
    if not pem_cert_string.strip().endswith(_k.PEM_FOOTER):
        raise ValueError('Invalid PEM encoding; must end with %s' % _k.PEM_FOOTER)
    body = pem_cert_string.strip()[len(_k.PEM_HEADER):-len(_k.PEM_FOOTER)]
    return base64.decodestring(body)


def pem_blocks(text, kinds):
    """[(kind, der)] for each PEM block of one of `kinds` in `text`, in order."""
    found = []
    for match in _PEM_BLOCK.finditer(text):
        if match.group(1) in kinds:
            body = ''.join(match.group(2).split())
            try:
                found.append((match.group(1), base64.b64decode(body)))
            except (TypeError, ValueError):
                raise pem_lib_error()
    return found


def pem_lib_error():
    exc = SSLError(_k.SSL_ERROR_SSL, '[SSL] PEM lib')
    exc.library = 'SSL'
    return exc


_FACTORY = CertificateFactory.getInstance('X.509')


def certificate_from_der(der):
    """An X509Certificate from DER bytes (SSLError when they are not one)."""
    try:
        return _FACTORY.generateCertificate(ByteArrayInputStream(from_bytes(der)))
    except Throwable as cause:
        raise ssl_error('ASN1_PARSE_ERROR', 'not a valid certificate', str(cause.getMessage()))


def certificates_from_text(text, pem):
    """Every certificate in `text`: PEM text (pem=True) or concatenated DER (pem=False)."""
    if pem:
        return [certificate_from_der(der) for _, der in pem_blocks(text, ('CERTIFICATE',
                                                                          'TRUSTED CERTIFICATE'))]
    certs = []
    try:
        stream = ByteArrayInputStream(from_bytes(text))
        while stream.available() > 0:
            certs.append(_FACTORY.generateCertificate(stream))
    except Throwable as cause:
        raise ssl_error('NOT_ENOUGH_DATA', 'not enough data', str(cause.getMessage()))
    return certs


def crls_from_text(text):
    """Every CRL in PEM `text` (its 'X509 CRL' blocks), as X509CRL objects."""
    crls = []
    for _, der in pem_blocks(text, ('X509 CRL',)):
        try:
            crls.append(_FACTORY.generateCRL(ByteArrayInputStream(from_bytes(der))))
        except Throwable as cause:
            raise ssl_error('ASN1_PARSE_ERROR', 'not a valid CRL', str(cause.getMessage()),
                            library='X509')
    return crls


def read_file(path):
    """The bytes of a file, IOError as CPython raises it (TypeError for a non-string)."""
    if not isinstance(path, basestring):
        raise TypeError('coercing to Unicode: need string or buffer, %s found'
                        % type(path).__name__)
    with open(path, 'rb') as f:
        return f.read()


# ------------------------------------------------------------------------------ keys

def _password_chars(password):
    if password is None:
        return None
    if callable(password):
        password = password()
        if not isinstance(password, (str, unicode, bytearray)):
            raise TypeError('password callback must return a string')
    elif not isinstance(password, (str, unicode, bytearray)):
        raise TypeError('password should be a string or callable')
    password = str(password) if not isinstance(password, unicode) else password.encode('utf-8')
    if len(password) > 1024:
        raise ValueError('password cannot be longer than 1024 bytes')
    return password


def private_key_from_text(text, password):
    """The first private key in PEM `text` (any OpenSSL form); SSLError when there is none,
    it is damaged or the password is wrong.  `password` is str, callable or None."""
    (PEMParser, PEMKeyPair, PEMEncryptedKeyPair) = _bc(
        'openssl', 'PEMParser', 'PEMKeyPair', 'PEMEncryptedKeyPair')
    (JcaPEMKeyConverter, JcePEMDecryptorProviderBuilder,
     JceOpenSSLPKCS8DecryptorProviderBuilder) = _bc(
        'openssl.jcajce', 'JcaPEMKeyConverter', 'JcePEMDecryptorProviderBuilder',
        'JceOpenSSLPKCS8DecryptorProviderBuilder')
    (PrivateKeyInfo,) = _bc('asn1.pkcs', 'PrivateKeyInfo')
    (PKCS8EncryptedPrivateKeyInfo,) = _bc('pkcs', 'PKCS8EncryptedPrivateKeyInfo')
    (BouncyCastleProvider,) = _bc('jce.provider', 'BouncyCastleProvider')
    provider = BouncyCastleProvider()
    converter = JcaPEMKeyConverter().setProvider(provider)
    asked = [False]

    def chars():
        if not asked[0]:
            asked[0] = True
            chars.value = _password_chars(password)
        if chars.value is None:
            raise pem_lib_error()
        return chars.value.decode('latin-1')
    try:
        parser = PEMParser(StringReader(text.decode('latin-1')))
        while True:
            item = parser.readObject()
            if item is None:
                raise pem_lib_error()
            if isinstance(item, PEMEncryptedKeyPair):
                item = item.decryptKeyPair(
                    JcePEMDecryptorProviderBuilder().setProvider(provider).build(chars()))
            if isinstance(item, PKCS8EncryptedPrivateKeyInfo):
                item = item.decryptPrivateKeyInfo(
                    JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(provider)
                    .build(chars()))
            if isinstance(item, PEMKeyPair):
                return converter.getKeyPair(item).getPrivate()
            if isinstance(item, PrivateKeyInfo):
                return converter.getPrivateKey(item)
    except Throwable:
        raise pem_lib_error()


def _key_matches(key, cert):
    """True when `key` is the private half of `cert`'s public key (sign and verify)."""
    algorithm = {'RSA': 'SHA256withRSA', 'EC': 'SHA256withECDSA', 'DSA': 'SHA256withDSA',
                 'RSASSA-PSS': 'SHA256withRSA'}.get(str(key.getAlgorithm()))
    if algorithm is None:
        return True
    probe = from_bytes('jython-netty-sockets key check')
    try:
        signer = Signature.getInstance(algorithm)
        signer.initSign(key)
        signer.update(probe)
        signature = signer.sign()
        verifier = Signature.getInstance(algorithm)
        verifier.initVerify(cert.getPublicKey())
        verifier.update(probe)
        return bool(verifier.verify(signature))
    except Throwable:
        return False


def load_key_and_chain(certfile, keyfile=None, password=None):
    """(PrivateKey, [X509Certificate, ...]) from CPython's load_cert_chain arguments."""
    if password is not None and not callable(password) and \
            not isinstance(password, (str, unicode, bytearray)):
        raise TypeError('password should be a string or callable')
    cert_text = read_file(certfile)
    key_text = read_file(keyfile) if keyfile is not None else cert_text
    chain = certificates_from_text(cert_text, True) if pem_blocks(
        cert_text, ('CERTIFICATE', 'TRUSTED CERTIFICATE')) else []
    if not chain:
        raise pem_lib_error()
    key = private_key_from_text(key_text, password)
    if not _key_matches(key, chain[0]):
        exc = make(SSLError, _k.SSL_ERROR_SSL, 'key values mismatch', 'X509',
                   'KEY_VALUES_MISMATCH')
        raise exc
    return key, chain


# ------------------------------------------------------------------------------ dict form

_ATTRIBUTE_NAMES = {
    '2.5.4.3': 'commonName', '2.5.4.4': 'surname', '2.5.4.5': 'serialNumber',
    '2.5.4.6': 'countryName', '2.5.4.7': 'localityName', '2.5.4.8': 'stateOrProvinceName',
    '2.5.4.9': 'streetAddress', '2.5.4.10': 'organizationName',
    '2.5.4.11': 'organizationalUnitName', '2.5.4.12': 'title', '2.5.4.13': 'description',
    '2.5.4.17': 'postalCode', '2.5.4.42': 'givenName', '2.5.4.43': 'initials',
    '2.5.4.44': 'generationQualifier', '2.5.4.46': 'dnQualifier', '2.5.4.65': 'pseudonym',
    '2.5.4.15': 'businessCategory', '2.5.4.41': 'name',
    '1.2.840.113549.1.9.1': 'emailAddress', '0.9.2342.19200300.100.1.25': 'domainComponent',
    '0.9.2342.19200300.100.1.1': 'userId',
    '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionCountryName',
}


def _name_tuple(principal):
    """An X500Principal as CPython's tuple of RDNs, each a tuple of (name, value) pairs."""
    (X500Name,) = _bc('asn1.x500', 'X500Name')
    (ASN1String,) = _bc('asn1', 'ASN1String')
    name = X500Name.getInstance(principal.getEncoded())
    rdns = []
    for rdn in name.getRDNs():
        pairs = []
        for attribute in rdn.getTypesAndValues():
            oid = str(attribute.getType().getId())
            value = attribute.getValue()
            text = value.getString() if isinstance(value, ASN1String) else value.toString()
            pairs.append((_ATTRIBUTE_NAMES.get(oid, oid), unicode(text)))
        rdns.append(tuple(pairs))
    return tuple(rdns)


def _asn1_time(date):
    fmt = SimpleDateFormat('MMM dd HH:mm:ss yyyy', Locale.US)
    fmt.setTimeZone(TimeZone.getTimeZone('GMT'))
    text = str(fmt.format(date))
    if text[4] == '0':               # OpenSSL pads the day with a space
        text = text[:4] + ' ' + text[5:]
    return text + ' GMT'


def _serial(cert):
    magnitude = '%X' % abs(long(cert.getSerialNumber()))
    return unicode(magnitude if len(magnitude) % 2 == 0 else '0' + magnitude)


_SAN_KINDS = {1: 'email', 2: 'DNS', 6: 'URI', 7: 'IP Address', 8: 'Registered ID'}


def _general_name(name):
    """One GeneralName (BouncyCastle) as CPython's (kind, value) pair.  Strings are taken
    from the DER octets, so an embedded NUL stays (CVE-2013-4238) where Java's own
    getSubjectAlternativeNames() refuses the whole extension."""
    kind, value = name.getTagNo(), name.getName()
    if kind == 7:
        octets = to_bytes(value.getOctets())
        if len(octets) == 4:
            return ('IP Address', '.'.join(str(ord(c)) for c in octets))
        if len(octets) == 16:
            return ('IP Address', ':'.join('%X' % ((ord(octets[i]) << 8) | ord(octets[i + 1]))
                                           for i in range(0, 16, 2)))
        return ('IP Address', '<invalid>')
    if kind == 4:
        from javax.security.auth.x500 import X500Principal
        return ('DirName', _name_tuple(X500Principal(value.toASN1Primitive().getEncoded())))
    if kind == 8:
        return ('Registered ID', str(value.getId()))
    if kind in _SAN_KINDS:
        return (_SAN_KINDS[kind], to_bytes(value.getOctets()))
    return ('othername' if kind == 0 else 'x400Address' if kind == 3 else 'EdiPartyName',
            '<unsupported>')


def _alt_names(cert):
    def parse(primitive):
        (GeneralNames,) = _bc('asn1.x509', 'GeneralNames')
        return tuple(_general_name(n) for n in GeneralNames.getInstance(primitive).getNames())
    return _extension(cert, '2.5.29.17', parse)


def _extension(cert, oid, parse):
    raw = cert.getExtensionValue(oid)
    if raw is None:
        return None
    try:
        (ASN1OctetString, ASN1Primitive) = _bc('asn1', 'ASN1OctetString', 'ASN1Primitive')
        inner = ASN1OctetString.getInstance(raw).getOctets()
        return parse(ASN1Primitive.fromByteArray(inner))
    except Throwable:
        return None


def _access_locations(primitive, method):
    (AuthorityInformationAccess,) = _bc('asn1.x509', 'AuthorityInformationAccess')
    (GeneralName,) = _bc('asn1.x509', 'GeneralName')
    uris = []
    for description in AuthorityInformationAccess.getInstance(primitive).getAccessDescriptions():
        if str(description.getAccessMethod().getId()) == method:
            location = description.getAccessLocation()
            if location.getTagNo() == GeneralName.uniformResourceIdentifier:
                uris.append(unicode(location.getName().toString()))
    return tuple(uris) or None


def _crl_points(primitive):
    (CRLDistPoint, GeneralName) = _bc('asn1.x509', 'CRLDistPoint', 'GeneralName')
    uris = []
    for point in CRLDistPoint.getInstance(primitive).getDistributionPoints():
        name = point.getDistributionPoint()
        if name is None or name.getType() != 0:
            continue
        for general in name.getName().getNames():
            if general.getTagNo() == GeneralName.uniformResourceIdentifier:
                uris.append(unicode(general.getName().toString()))
    return tuple(uris) or None


def decode_certificate(cert):
    """CPython 2.7's getpeercert() dict for an X509Certificate."""
    result = {
        'subject': _name_tuple(cert.getSubjectX500Principal()),
        'issuer': _name_tuple(cert.getIssuerX500Principal()),
        'version': long(cert.getVersion()),
        'serialNumber': _serial(cert),
        'notBefore': unicode(_asn1_time(cert.getNotBefore())),
        'notAfter': _asn1_time(cert.getNotAfter()),
    }
    alt = _alt_names(cert)
    if alt:
        result['subjectAltName'] = alt
    ocsp = _extension(cert, '1.3.6.1.5.5.7.1.1',
                      lambda p: _access_locations(p, '1.3.6.1.5.5.7.48.1'))
    if ocsp:
        result['OCSP'] = ocsp
    issuers = _extension(cert, '1.3.6.1.5.5.7.1.1',
                         lambda p: _access_locations(p, '1.3.6.1.5.5.7.48.2'))
    if issuers:
        result['caIssuers'] = issuers
    crl = _extension(cert, '2.5.29.31', _crl_points)
    if crl:
        result['crlDistributionPoints'] = crl
    return result


# ------------------------------------------------------------------------------ times

_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')
_TIME = re.compile(r'^ ?(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$')


def cert_time_to_seconds(cert_time):
    """Seconds since the epoch (UTC) for a certificate time like 'May  9 00:00:00 2007 GMT'."""
    month = cert_time[:3].title()
    if cert_time[-3:].upper() == 'GMT':
        cert_time = cert_time[:-3] + 'GMT'
    if month not in _MONTHS:
        raise ValueError('time data %r does not match format "%%b %%d %%H:%%M:%%S %%Y GMT"'
                         % (cert_time,))
    match = _TIME.match(cert_time[3:].lstrip(' ') if cert_time[3:4] == ' ' else '')
    if match is None:
        raise ValueError("time data %r does not match format ' %%d %%H:%%M:%%S %%Y GMT'"
                         % (cert_time[3:],))
    day, hour, minute, second, year = [int(g) for g in match.groups()]
    if not (1 <= day <= 31 and hour < 24 and minute < 60 and second <= 61):
        raise ValueError('unconverted data remains or values out of range: %r' % (cert_time,))
    import calendar     # here: only this function needs it (start-up time)
    return calendar.timegm((year, _MONTHS.index(month) + 1, day, hour, minute, second))
