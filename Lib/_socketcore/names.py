"""Service, protocol and reverse-name lookups from the system databases."""
import errno

from _socketcore import constants as _c
from _socketcore.addresses import check_flowinfo, lookup, services, from_java
from _socketcore.errors import error, gai_error, socket_error

_protocols_cache = []


def getservbyname(name, protocol=None):
    """Port of a service name (optionally for 'tcp' or 'udp') from the services database."""
    for service, port, proto in services():
        if service == name and (protocol is None or proto == protocol):
            return port
    raise error('service/proto not found')


def getservbyport(port, protocol=None):
    """Official name of the service on `port` from the services database."""
    if not isinstance(port, (int, long)):
        raise TypeError('an integer is required')
    if not 0 <= port <= 65535:
        raise OverflowError('getservbyport: port must be 0-65535.')
    seen_names = set()
    for service, number, proto in services():
        if number == port and (protocol is None or proto == protocol):
            return service
    raise error('port/proto not found')


def _protocols():
    if not _protocols_cache:
        rows = {}
        try:
            with open('/etc/protocols') as table:
                for line in table:
                    fields = line.split('#', 1)[0].split()
                    if len(fields) >= 2 and fields[1].isdigit():
                        for name in [fields[0]] + fields[2:]:
                            rows[name] = int(fields[1])
        except IOError:
            pass
        for name, number in (('ip', 0), ('icmp', 1), ('tcp', 6), ('udp', 17), ('ipv6', 41)):
            rows.setdefault(name, number)
        _protocols_cache.append(rows)
    return _protocols_cache[0]


def getprotobyname(name):
    """Protocol number for a protocol name from the protocols database."""
    try:
        return _protocols()[name]
    except KeyError:
        raise error('protocol not found')


def getnameinfo(sockaddr, flags):
    """(host, port) text for a socket address, honouring NI_NUMERICHOST/NI_NUMERICSERV."""
    if not isinstance(sockaddr, tuple) or len(sockaddr) < 2:
        raise TypeError('getnameinfo() argument 1 must be a tuple')
    host, port = sockaddr[0], sockaddr[1]
    if not isinstance(host, basestring):
        raise TypeError('argument 1 must be string, not %s' % type(host).__name__)
    if not isinstance(port, (int, long)):
        raise TypeError('an integer is required')
    if len(sockaddr) > 2:
        check_flowinfo(sockaddr[2])
    inet = lookup(host)[0]
    if flags & _c.NI_NUMERICHOST:
        name = from_java_address(inet)
    else:
        name = str(inet.getCanonicalHostName())
        if name == inet.getHostAddress():   # no name: the address, in CPython's text form
            if flags & _c.NI_NAMEREQD:
                raise gai_error(_c.EAI_NONAME)
            name = from_java_address(inet)
        if flags & _c.NI_NOFQDN:
            name = name.split('.', 1)[0]
    service = str(port)
    if not flags & _c.NI_NUMERICSERV:
        try:
            service = getservbyport(port, 'udp' if flags & _c.NI_DGRAM else 'tcp')
        except error:
            pass
    return name, service


def from_java_address(inet):
    from java.net import InetSocketAddress
    return from_java(InetSocketAddress(inet, 0))[0]
