"""Cipher suite names: JSSE <-> OpenSSL, and OpenSSL cipher strings for set_ciphers().

The engine's suites are JSSE names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256); ssl's API
speaks OpenSSL (ECDHE-RSA-AES128-GCM-SHA256).  Each JSSE suite gets its OpenSSL name and
the set of OpenSSL aliases it belongs to (kECDHE, aRSA, AESGCM, SHA256, HIGH, ...), so a
cipher string such as 'ECDHE+AESGCM:!aNULL' selects suites the way OpenSSL's
SSL_CTX_set_cipher_list does: items separated by ':', ',' or ' '; 'A+B' means both; '!'
removes for good, '-' removes, '+' moves to the end; '@STRENGTH'/'@SECLEVEL' are accepted.
TLS 1.3 suites are not governed by cipher strings (as in OpenSSL) and stay enabled.
"""
from javax.net.ssl import SSLContext as _JavaSSLContext

from _socketcore import tlsengine

_KX = {
    'RSA': ('', ('kRSA', 'aRSA', 'RSA')),
    'ECDHE_RSA': ('ECDHE-RSA', ('kECDHE', 'kEECDH', 'ECDHE', 'EECDH', 'ECDH', 'aRSA')),
    'ECDHE_ECDSA': ('ECDHE-ECDSA', ('kECDHE', 'kEECDH', 'ECDHE', 'EECDH', 'ECDH', 'aECDSA',
                                    'ECDSA')),
    'DHE_RSA': ('DHE-RSA', ('kDHE', 'kEDH', 'DHE', 'EDH', 'DH', 'aRSA')),
    'DHE_DSS': ('DHE-DSS', ('kDHE', 'kEDH', 'DHE', 'EDH', 'DH', 'aDSS', 'DSS')),
    'ECDH_RSA': ('ECDH-RSA', ('kECDHr', 'ECDH', 'aECDH')),
    'ECDH_ECDSA': ('ECDH-ECDSA', ('kECDHe', 'ECDH', 'aECDH')),
    'DH_anon': ('ADH', ('kDHE', 'DH', 'aNULL', 'ADH')),
    'ECDH_anon': ('AECDH', ('kECDHE', 'ECDH', 'aNULL', 'AECDH')),
}

_ENC = {
    'AES_128_GCM': ('AES128-GCM', 128, ('AES', 'AES128', 'AESGCM', 'AEAD', 'HIGH')),
    'AES_256_GCM': ('AES256-GCM', 256, ('AES', 'AES256', 'AESGCM', 'AEAD', 'HIGH')),
    'AES_128_CBC': ('AES128', 128, ('AES', 'AES128', 'HIGH')),
    'AES_256_CBC': ('AES256', 256, ('AES', 'AES256', 'HIGH')),
    'AES_128_CCM': ('AES128-CCM', 128, ('AES', 'AES128', 'AESCCM', 'AEAD', 'HIGH')),
    'AES_256_CCM': ('AES256-CCM', 256, ('AES', 'AES256', 'AESCCM', 'AEAD', 'HIGH')),
    'CHACHA20_POLY1305': ('CHACHA20-POLY1305', 256, ('CHACHA20', 'AEAD', 'HIGH')),
    '3DES_EDE_CBC': ('DES-CBC3', 112, ('3DES', 'MEDIUM')),
    'NULL': ('NULL', 0, ('eNULL', 'NULL')),
}

_MAC = {'SHA': ('SHA', ('SHA1', 'SHA')), 'SHA256': ('SHA256', ('SHA256',)),
        'SHA384': ('SHA384', ('SHA384',)), 'MD5': ('MD5', ('MD5',))}


class Suite(object):
    """One cipher suite: its JSSE and OpenSSL names, key bits and OpenSSL aliases."""

    def __init__(self, jsse, openssl, bits, aliases, tls13=False):
        self.jsse, self.openssl, self.bits = jsse, openssl, bits
        self.aliases = frozenset(aliases)
        self.tls13 = tls13


def describe(jsse):
    """The Suite for a JSSE name, or None when the name is not a cipher suite we know."""
    jsse = str(jsse)
    if not jsse.startswith('TLS_') and not jsse.startswith('SSL_'):
        return None
    body = jsse[4:]
    if '_WITH_' not in body:
        for enc, (name, bits, aliases) in _ENC.items():
            if body.startswith(enc + '_'):
                return Suite(jsse, jsse, bits, aliases + ('TLSv1.3',), tls13=True)
        return None
    kx, rest = body.split('_WITH_', 1)
    if kx not in _KX:
        return None
    for enc, (enc_name, bits, enc_aliases) in _ENC.items():
        if rest == enc or rest.startswith(enc + '_'):
            mac = rest[len(enc) + 1:]
            break
    else:
        return None
    mac_name, mac_aliases = _MAC.get(mac, (mac, (mac,)))
    prefix, kx_aliases = _KX[kx]
    parts = [p for p in (prefix, enc_name) if p]
    if enc in ('CHACHA20_POLY1305',) or enc.endswith('_CCM'):
        mac_aliases = ()
    else:
        parts.append(mac_name)
    if enc == '3DES_EDE_CBC' and not prefix:
        parts = ['DES-CBC3', mac_name]
    openssl = '-'.join(parts)
    aliases = set(kx_aliases) | set(enc_aliases) | set(mac_aliases) | set([openssl, 'ALL'])
    aliases.add('TLSv1.2' if ('AEAD' in enc_aliases or mac in ('SHA256', 'SHA384'))
                else 'SSLv3')
    if 'aNULL' in aliases or 'eNULL' in aliases:
        aliases.discard('ALL')
        aliases.add('COMPLEMENTOFALL')
    else:
        aliases.add('DEFAULT')
    return Suite(jsse, openssl, bits, aliases)


def _engine_suites():
    context = _JavaSSLContext.getInstance('TLS')
    context.init(None, None, None)
    suites = []
    for name in context.getDefaultSSLParameters().getCipherSuites():
        suite = describe(name)
        if suite is not None:
            suites.append(suite)
    # issue 5: on the OpenSSL engine, the JDK's suites that it also offers, in the JDK's order:
    # a cipher string selects the same suites in the same order on both engines, except the
    # ones BoringSSL does not implement (finite-field DHE, DSS, CCM); suites the JVM's policy
    # disables (jdk.tls.disabledAlgorithms: 3DES, ...) stay off on OpenSSL too
    offered = tlsengine.openssl_suites()
    if offered is not None:
        suites = [s for s in suites if s.jsse in offered]
    return suites


_SUITES = None


def engine_suites():
    """Every suite the engine enables by default, in the JDK's preference order (cached)."""
    global _SUITES
    if _SUITES is None:
        _SUITES = _engine_suites()
    return _SUITES


def by_jsse(name):
    for suite in engine_suites():
        if suite.jsse == name:
            return suite
    return describe(name)


def select(spec):
    """JSSE names (TLS 1.2 and older) that the OpenSSL cipher string `spec` selects, in
    order; [] when nothing matches."""
    universe = [s for s in engine_suites() if not s.tls13]
    chosen, banned = [], set()
    for item in spec.replace(',', ':').replace(' ', ':').split(':'):
        item = item.strip()
        if not item or item.startswith('@'):
            continue
        op = ''
        if item[0] in '!-+':
            op, item = item[0], item[1:]
        terms = item.split('+')
        matched = [s for s in universe
                   if all(term in s.aliases or term == s.jsse for term in terms)]
        if op == '!':
            banned.update(s.jsse for s in matched)
            chosen = [s for s in chosen if s.jsse not in banned]
        elif op == '-':
            chosen = [s for s in chosen if s not in matched]
        elif op == '+':
            moved = [s for s in chosen if s in matched]
            chosen = [s for s in chosen if s not in matched] + moved
        else:
            for suite in matched:
                if suite not in chosen and suite.jsse not in banned:
                    chosen.append(suite)
    return [s.jsse for s in chosen]


def tls13_suites():
    return [s.jsse for s in engine_suites() if s.tls13]
