"""Address tuples, name resolution and the inet_* / byte-order helpers.

Names are always resolved here, on the caller's thread, and Netty only ever sees a resolved
`InetSocketAddress` (Netty's default resolver would block an event-loop thread).
Failures are `gaierror(EAI_*, message)` as glibc reports them; argument errors are the
`TypeError` / `OverflowError` CPython 2.7 raises, with the same messages.
"""
import errno
import struct

from java.lang import Throwable
from java.net import InetAddress, Inet4Address, Inet6Address, InetSocketAddress, UnknownHostException

from _socketcore import constants as _c
from _socketcore.errors import error, gaierror, herror, gai_error, socket_error

# glibc's table of socket kinds for getaddrinfo, in its order:
# (socktype, protocol, services-database name, listed when no kind is asked for,
#  any protocol accepted, refuses a service)
_SOCK_DCCP, _IPPROTO_DCCP, _IPPROTO_UDPLITE, _IPPROTO_SCTP = 6, 33, 136, 132
_KINDS = (
    (_c.SOCK_STREAM, _c.IPPROTO_TCP, 'tcp', True, False, False),
    (_c.SOCK_DGRAM, _c.IPPROTO_UDP, 'udp', True, False, False),
    (_SOCK_DCCP, _IPPROTO_DCCP, 'dccp', False, False, False),
    (_c.SOCK_DGRAM, _IPPROTO_UDPLITE, 'udplite', False, False, False),
    (_c.SOCK_STREAM, _IPPROTO_SCTP, 'sctp', False, False, False),
    (_c.SOCK_SEQPACKET, _IPPROTO_SCTP, 'sctp', False, False, False),
    (_c.SOCK_RAW, 0, 'raw', True, True, True),
)


# ---------------------------------------------------------------------------- tuples

def check_port(port):
    """The port of an address tuple as an int, with CPython's errors."""
    if not isinstance(port, (int, long)):
        raise TypeError('an integer is required')
    if not 0 <= port <= 65535:
        raise OverflowError('getsockaddrarg: port must be 0-65535.')
    return int(port)


def _split_address(family, address):
    if family == _c.AF_INET:
        if not isinstance(address, tuple):
            raise TypeError('getsockaddrarg: AF_INET address must be tuple, not %s'
                            % type(address).__name__)
        if len(address) != 2:
            raise TypeError('getsockaddrarg() takes exactly 2 arguments (%d given)' % len(address))
        host, port = address
    elif family == _c.AF_INET6:
        if not isinstance(address, tuple):
            raise TypeError('getsockaddrarg: AF_INET6 address must be tuple, not %s'
                            % type(address).__name__)
        if not 2 <= len(address) <= 4:
            raise TypeError('getsockaddrarg() takes at least 2 arguments (%d given)' % len(address))
        host, port = address[:2]
        if len(address) > 2:
            check_flowinfo(address[2])
    else:
        raise socket_error(errno.EAFNOSUPPORT)
    if not isinstance(host, basestring):
        raise TypeError('coercing to Unicode: need string or buffer, %s found' % type(host).__name__)
    return host, check_port(port)


def check_flowinfo(flowinfo):
    """The IPv6 flow label of a 4-tuple: an int in 0..2**20-1, else CPython's errors."""
    if not isinstance(flowinfo, (int, long)):
        raise TypeError('an integer is required')
    if not 0 <= flowinfo <= 0xfffff:
        raise OverflowError('getsockaddrarg: flowinfo must be 0-1048575.')
    return flowinfo


def to_java(family, address, passive=False):
    """Resolve a Python address tuple to a `java.net.InetSocketAddress`.

    `passive` marks a bind: '' then means the wildcard address.
    Raises TypeError/OverflowError for a malformed tuple, gaierror when the name does not
    resolve in `family`.
    """
    host, port = _split_address(family, address)
    return InetSocketAddress(resolve_host(host, family, passive), port)


def from_java(socket_address):
    """A Python address tuple for a `java.net.InetSocketAddress` (None -> None)."""
    if socket_address is None:
        return None
    inet = socket_address.getAddress()
    port = socket_address.getPort()
    if isinstance(inet, Inet6Address):
        scope = inet.getScopeId()
        return (ntop6(inet.getAddress()), port, 0, scope)
    if inet is None:
        return (str(socket_address.getHostString()), port)
    return (str(inet.getHostAddress()), port)


def wildcard(family):
    return ('::', 0, 0, 0) if family == _c.AF_INET6 else ('0.0.0.0', 0)


# ---------------------------------------------------------------------------- resolution

# issue 6: host text -> its _numeric() answer (an InetAddress or None), for str hosts; a
# connect to ('127.0.0.1', port) paid ~30 us re-parsing the literal.  Bounded: cleared when full.
_NUMERIC_CACHE = {}
_NUMERIC_CACHE_SIZE = 256


def _numeric(host):
    """An InetAddress for a numeric IPv4/IPv6 literal, without any lookup; else None."""
    if type(host) is str:
        try:
            return _NUMERIC_CACHE[host]
        except KeyError:
            pass
        inet = _parse_numeric(host)
        if len(_NUMERIC_CACHE) >= _NUMERIC_CACHE_SIZE:
            _NUMERIC_CACHE.clear()
        _NUMERIC_CACHE[host] = inet
        return inet
    return _parse_numeric(host)


def _parse_numeric(host):
    try:
        return InetAddress.getByAddress(inet_aton_strict(host))
    except (error, ValueError):
        pass
    if ':' in host:
        text = host.split('%', 1)[0]
        try:
            return InetAddress.getByAddress(inet_pton(_c.AF_INET6, text))
        except (error, ValueError):
            pass
    return None


def _family_matches(inet, family):
    if family == _c.AF_INET:
        return isinstance(inet, Inet4Address)
    if family == _c.AF_INET6:
        return isinstance(inet, Inet6Address)
    return True


def lookup(host, family=_c.AF_UNSPEC):
    """All InetAddresses for `host` in `family` (AF_UNSPEC: both), numeric literals first-class.

    Raises gaierror(EAI_NONAME) when the name does not resolve, and
    gaierror(EAI_ADDRFAMILY) when it resolves only in another family.
    """
    if isinstance(host, unicode):
        host = host.encode('idna')
    numeric = _numeric(host)
    if numeric is not None:
        if not _family_matches(numeric, family):
            raise gai_error(_c.EAI_ADDRFAMILY)
        return [numeric]
    try:
        found = list(InetAddress.getAllByName(host))
    except UnknownHostException:
        raise gai_error(_c.EAI_NONAME)
    except Throwable:
        raise gai_error(_c.EAI_FAIL)
    matching = [inet for inet in found if _family_matches(inet, family)]
    if not matching:
        raise gai_error(_c.EAI_NONAME)
    return matching


def resolve_host(host, family, passive=False):
    """One InetAddress for an address tuple's host string, as CPython's setipaddr picks it."""
    if host == '':
        text = '::' if family == _c.AF_INET6 else '0.0.0.0'
        return _numeric(text)
    if host == '<broadcast>':
        if family != _c.AF_INET:
            raise gai_error(_c.EAI_FAMILY)
        return _numeric('255.255.255.255')
    return lookup(host, family)[0]


def gethostbyname(host):
    """IPv4 address of `host` as a dotted-quad string."""
    if not isinstance(host, basestring):
        raise TypeError('gethostbyname() argument 1 must be string, not %s' % type(host).__name__)
    return str(lookup(host, _c.AF_INET)[0].getHostAddress())


def gethostbyname_ex(host):
    """(hostname, aliaslist, ipaddrlist) for `host`, IPv4 only, lists as in CPython."""
    addresses = lookup(host, _c.AF_INET)
    name = host
    if _numeric(host) is None:
        name = str(addresses[0].getCanonicalHostName())
        if _numeric(name) is not None:
            name = host
    ips = []
    for inet in addresses:
        text = str(inet.getHostAddress())
        if text not in ips:
            ips.append(text)
    return (name, [], ips)


def gethostbyaddr(host):
    """(hostname, aliaslist, ipaddrlist) from a reverse lookup; herror when there is none."""
    inet = lookup(host)[0]
    name = str(inet.getCanonicalHostName())
    if name == inet.getHostAddress():
        raise herror(1, 'Unknown host')
    text = ntop6(inet.getAddress()) if isinstance(inet, Inet6Address) else str(inet.getHostAddress())
    return (name, [], [text])


def gethostname():
    """This machine's host name."""
    try:
        return str(InetAddress.getLocalHost().getHostName())
    except Throwable:
        import os
        return os.uname()[1] if hasattr(os, 'uname') else 'localhost'


def getaddrinfo(host, port, family=0, socktype=0, proto=0, flags=0):
    """List of (family, socktype, proto, canonname, sockaddr) as CPython 2.7 returns it."""
    if host is not None and not isinstance(host, basestring):
        raise TypeError('getaddrinfo() argument 1 must be string or None')
    if port is not None and not isinstance(port, (int, long, basestring)):
        raise error('Int or String expected')
    if isinstance(port, basestring) and flags & _c.AI_NUMERICSERV and not str(port).isdigit():
        raise gai_error(_c.EAI_NONAME)
    if family not in (_c.AF_UNSPEC, _c.AF_INET, _c.AF_INET6):
        raise gai_error(_c.EAI_FAMILY)
    kinds = socket_kinds(socktype, proto, port)
    if host == '' and flags & _c.AI_NUMERICHOST:
        raise gai_error(_c.EAI_NONAME)
    if host is None or host == '':
        if host is None and port is None:
            raise gai_error(_c.EAI_NONAME)
        passive = flags & _c.AI_PASSIVE
        texts = []
        if family in (_c.AF_UNSPEC, _c.AF_INET6):
            texts.append('::' if passive else '::1')
        if family in (_c.AF_UNSPEC, _c.AF_INET):
            texts.append('0.0.0.0' if passive else '127.0.0.1')
        addresses = [_numeric(text) for text in texts]
    else:
        if flags & _c.AI_NUMERICHOST and _numeric(str(host)) is None:
            raise gai_error(_c.EAI_NONAME)
        addresses = lookup(host, family)
    canonical = ''
    if flags & _c.AI_CANONNAME and host:
        canonical = str(addresses[0].getCanonicalHostName())
    result = []
    seen = set()
    for inet in addresses:
        fam = _c.AF_INET6 if isinstance(inet, Inet6Address) else _c.AF_INET
        key = inet.getHostAddress()
        if key in seen:
            continue
        seen.add(key)
        for kind, protocol, port_number in kinds:
            sockaddr = from_java(InetSocketAddress(inet, port_number))
            result.append((fam, kind, protocol, canonical, sockaddr))
            canonical = ''
    return result


def socket_kinds(socktype, proto, service):
    """[(socktype, protocol, port)] getaddrinfo answers for a service (None, a port number or
    a name) with glibc's rules: the first kind of its table matching socktype/proto, or all
    default kinds when neither is given; a named service only where the services database
    has it for that protocol.  gaierror EAI_SOCKTYPE / EAI_SERVICE as glibc."""
    if socktype or proto:
        matches = [k for k in _KINDS if (not socktype or k[0] == socktype)
                   and (not proto or k[4] or k[1] == proto)]
        if not matches:
            raise gai_error(_c.EAI_SOCKTYPE if socktype else _c.EAI_SERVICE)
        kind = matches[0]
        if service is not None and kind[5]:
            raise gai_error(_c.EAI_SERVICE)
        candidates = [(kind, proto if kind[4] else kind[1])]
    else:
        candidates = [(k, k[1]) for k in _KINDS if k[3]]
    if service is None:
        return [(k[0], protocol, 0) for k, protocol in candidates]
    if isinstance(service, (int, long)) or str(service).isdigit():
        number = int(service)
        return [(k[0], protocol, number) for k, protocol in candidates]
    found = []
    for k, protocol in candidates:
        number = _service_number(str(service), k[2])
        if number is not None:
            found.append((k[0], protocol, number))
    if not found:
        raise gai_error(_c.EAI_SERVICE)
    return found


def _service_number(name, protocol_name):
    for service, port, protocol in services():
        if service == name and protocol == protocol_name:
            return port
    return None


_services_cache = []


def services():
    """(name-or-alias, port, protocol) rows of the system's services database."""
    if not _services_cache:
        rows = []
        try:
            with open('/etc/services') as table:
                for line in table:
                    fields = line.split('#', 1)[0].split()
                    if len(fields) < 2 or '/' not in fields[1]:
                        continue
                    port, protocol = fields[1].split('/', 1)
                    for name in [fields[0]] + fields[2:]:
                        rows.append((name, int(port), protocol))
        except (IOError, ValueError):
            pass
        _services_cache.append(rows)
    return _services_cache[0]


# ---------------------------------------------------------------------------- text forms

def inet_aton_strict(text):
    """4 packed bytes for a dotted quad with exactly four decimal parts, else ValueError."""
    parts = text.split('.')
    if len(parts) != 4 or not all(p.isdigit() and len(p) <= 3 for p in parts):
        raise ValueError(text)
    values = [int(p) for p in parts]
    if any(v > 255 for v in values):
        raise ValueError(text)
    return struct.pack('4B', *values)


def inet_aton(text):
    """Packed 4-byte form of an IPv4 address (accepts inet_aton(3)'s short forms)."""
    if not isinstance(text, basestring):
        raise TypeError('inet_aton() argument 1 must be string, not %s' % type(text).__name__)
    parts = text.split('.')
    try:
        if not 1 <= len(parts) <= 4 or not all(parts):
            raise ValueError(text)
        values = [int(p, 0) if not (len(p) > 1 and p[0] == '0' and p[1] not in 'xX')
                  else int(p, 8) for p in parts]
        limits = {1: [2 ** 32], 2: [256, 2 ** 24], 3: [256, 256, 2 ** 16], 4: [256] * 4}[len(values)]
        if any(v < 0 or v >= limit for v, limit in zip(values, limits)):
            raise ValueError(text)
        number = 0
        for value, limit in zip(values, limits):
            number = number * limit + value
        return struct.pack('!I', number)
    except ValueError:
        raise error('illegal IP address string passed to inet_aton')


def inet_ntoa(packed):
    """Dotted-quad text of a packed 4-byte IPv4 address."""
    if not isinstance(packed, str):
        raise TypeError('inet_ntoa() argument 1 must be string or read-only buffer, not %s'
                        % type(packed).__name__)
    if len(packed) != 4:
        raise error('packed IP wrong length for inet_ntoa')
    return '%d.%d.%d.%d' % struct.unpack('4B', packed)


def inet_pton(family, text):
    """Packed form of an address literal in `family` (AF_INET or AF_INET6)."""
    if family == _c.AF_INET:
        try:
            return inet_aton_strict(text)
        except ValueError:
            raise error('illegal IP address string passed to inet_pton')
    if family != _c.AF_INET6:
        raise socket_error(errno.EAFNOSUPPORT)
    try:
        return _pton6(text)
    except (ValueError, struct.error):
        raise error('illegal IP address string passed to inet_pton')


def _pton6(text):
    tail = ''
    if '.' in text:
        head, _, v4 = text.rpartition(':')
        tail = inet_aton_strict(v4)
        text = head + ':0:0'
    if text.count('::') > 1:
        raise ValueError(text)
    if '::' in text:
        left, right = text.split('::')
        left_groups = left.split(':') if left else []
        right_groups = right.split(':') if right else []
        missing = 8 - len(left_groups) - len(right_groups)
        if missing < 1:
            raise ValueError(text)
        groups = left_groups + ['0'] * missing + right_groups
    else:
        groups = text.split(':')
    if len(groups) != 8 or not all(1 <= len(g) <= 4 for g in groups):
        raise ValueError(text)
    packed = struct.pack('!8H', *[int(g, 16) for g in groups])
    if tail:
        packed = packed[:12] + tail
    return packed


def ntop6(packed):
    """RFC 5952 text for 16 packed bytes (Java signed byte arrays accepted)."""
    data = ''.join(chr(b & 0xff) for b in packed) if not isinstance(packed, str) else packed
    groups = struct.unpack('!8H', data)
    if groups[:5] == (0, 0, 0, 0, 0) and groups[5] == 0xffff:
        return '::ffff:%d.%d.%d.%d' % struct.unpack('4B', data[12:])
    best_start, best_len, start = -1, 0, None
    for i, g in enumerate(groups + (1,)):
        if g == 0 and i < 8:
            if start is None:
                start = i
        elif start is not None:
            if i - start > best_len and i - start > 1:
                best_start, best_len = start, i - start
            start = None
    texts = ['%x' % g for g in groups]
    if best_start < 0:
        return ':'.join(texts)
    return ':'.join(texts[:best_start]) + '::' + ':'.join(texts[best_start + best_len:])


def inet_ntop(family, packed):
    """Text of a packed address in `family`."""
    if not isinstance(packed, str):
        raise TypeError('inet_ntop() argument 2 must be string or read-only buffer, not %s'
                        % type(packed).__name__)
    if family == _c.AF_INET:
        if len(packed) != 4:
            raise ValueError('invalid length of packed IP address string')
        return inet_ntoa(packed)
    if family == _c.AF_INET6:
        if len(packed) != 16:
            raise ValueError('invalid length of packed IP address string')
        return ntop6(packed)
    raise ValueError('unknown address family %d' % family)


# ---------------------------------------------------------------------------- byte order

def _swap(value, width, name):
    if not isinstance(value, (int, long)):
        raise TypeError('expected int/long, %s found' % type(value).__name__)
    if value < 0:
        raise OverflowError("can't convert negative number to unsigned long")
    if value >= 1 << (8 * width):
        if width == 2:
            raise OverflowError('%s: Python int too large to convert to C unsigned short' % name)
        raise OverflowError('long int larger than 32 bits')
    fmt = {2: 'H', 4: 'I'}[width]
    return struct.unpack('<' + fmt, struct.pack('>' + fmt, value))[0]


def htons(value):
    return _swap(value, 2, 'htons')


def ntohs(value):
    return _swap(value, 2, 'ntohs')


def htonl(value):
    return _swap(value, 4, 'htonl')


def ntohl(value):
    return _swap(value, 4, 'ntohl')
