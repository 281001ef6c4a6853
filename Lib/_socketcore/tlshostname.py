"""match_hostname: does a certificate (getpeercert() dict) belong to a host name?

RFC 6125 section 6.4 as CPython 2.7.18 applies it to DNS names: subjectAltName DNS entries
first, the subject's commonName only when there are none; a wildcard only in the leftmost
label, at most one, never inside an IDNA A-label.  An IP address literal is matched against
the certificate's 'IP Address' entries only (RFC 6125 / Python 3.5+; CPython 2.7.18 compares
it with DNS names as text), so '127.0.0.1' needs an IP SAN, and a DNS name never matches one.
"""
import re

from _socketcore.addresses import inet_pton
from _socketcore import constants as _c
from _socketcore.tlserrors import CertificateError


def _dns_match(pattern, hostname):
    if not pattern:
        return False
    labels = pattern.split('.')
    leftmost = labels[0]
    wildcards = leftmost.count('*')
    if wildcards > 1:
        raise CertificateError('too many wildcards in certificate DNS name: ' + repr(pattern))
    if not wildcards:
        return pattern.lower() == hostname.lower()
    if leftmost == '*':
        first = '[^.]+'
    elif leftmost.lower().startswith('xn--') or hostname.lower().startswith('xn--'):
        first = re.escape(leftmost)
    else:
        first = re.escape(leftmost).replace(r'\*', '[^.]*')
    regex = r'\A' + r'\.'.join([first] + [re.escape(label) for label in labels[1:]]) + r'\Z'
    return re.match(regex, hostname, re.IGNORECASE) is not None


def _packed_ip(text):
    """The packed address of an IPv4/IPv6 literal, or None for anything else."""
    text = text.strip()
    for family in (_c.AF_INET, _c.AF_INET6):
        try:
            return inet_pton(family, text)
        except Exception:
            pass
    return None


def match_hostname(cert, hostname):
    """Return None when `cert` matches `hostname`, else raise CertificateError (ValueError
    for an empty certificate, as CPython)."""
    if not cert:
        raise ValueError('empty or no certificate, match_hostname needs a SSL socket or SSL '
                         'context with either CERT_OPTIONAL or CERT_REQUIRED')
    host_ip = _packed_ip(hostname) if ':' in hostname or hostname[-1:].isdigit() else None
    names = []
    san = cert.get('subjectAltName', ())
    for kind, value in san:
        if kind == 'DNS':
            if host_ip is None and _dns_match(value, hostname):
                return
            names.append(value)
        elif kind == 'IP Address':
            if host_ip is not None and _packed_ip(value) == host_ip:
                return
            names.append(value)
    if not names:
        for rdn in cert.get('subject', ()):
            for key, value in rdn:
                if key == 'commonName':
                    if host_ip is None and _dns_match(value, hostname):
                        return
                    names.append(value)
    if len(names) > 1:
        raise CertificateError("hostname %r doesn't match either of %s"
                               % (hostname, ', '.join(map(repr, names))))
    if len(names) == 1:
        raise CertificateError("hostname %r doesn't match %r" % (hostname, names[0]))
    raise CertificateError('no appropriate commonName or subjectAltName fields were found')
