"""setsockopt / getsockopt for datagram sockets, including multicast.

Values go to and come from the java.nio DatagramChannel itself (never a remembered copy;
the exceptions are what Linux itself only stores for UDP: SO_KEEPALIVE, SO_OOBINLINE and
IP_MULTICAST_IF's address), with Linux's argument rules: an int or a packed buffer,
IP-level options also taking a single unsigned byte, `struct ip_mreq` (group, interface
address) or `struct ip_mreqn` (group, address, interface index) for IP_ADD/DROP_MEMBERSHIP
and IP_MULTICAST_IF, and `struct ipv6_mreq` (group, interface index) for
IPV6_JOIN/LEAVE_GROUP.  Errors are Linux's: EINVAL for malformed values, ENODEV for an
unknown interface, EADDRINUSE for joining twice, EADDRNOTAVAIL for leaving a group that was
not joined, EOPNOTSUPP for reading TCP-level options, ENOPROTOOPT for setting them and for
what the JVM cannot express (setting IP_TTL / IPV6_UNICAST_HOPS; reading them gives the
system default).
"""
import errno
import struct

from java.lang import Boolean, Integer, Throwable
from java.net import InetAddress, NetworkInterface, StandardSocketOptions

from _socketcore import constants as _c
from _socketcore.errors import from_java, socket_error

_BOOL, _INT = 'bool', 'int'

# (level, option) -> (java SocketOption, kind)
_PLAIN = {
    (_c.SOL_SOCKET, _c.SO_REUSEADDR): (StandardSocketOptions.SO_REUSEADDR, _BOOL),
    (_c.SOL_SOCKET, _c.SO_BROADCAST): (StandardSocketOptions.SO_BROADCAST, _BOOL),
    (_c.SOL_SOCKET, _c.SO_RCVBUF): (StandardSocketOptions.SO_RCVBUF, _INT),
    (_c.SOL_SOCKET, _c.SO_SNDBUF): (StandardSocketOptions.SO_SNDBUF, _INT),
    (_c.IPPROTO_IP, _c.IP_TOS): (StandardSocketOptions.IP_TOS, _INT),
    (_c.IPPROTO_IP, _c.IP_MULTICAST_TTL): (StandardSocketOptions.IP_MULTICAST_TTL, _INT),
    (_c.IPPROTO_IP, _c.IP_MULTICAST_LOOP): (StandardSocketOptions.IP_MULTICAST_LOOP, _BOOL),
    (_c.IPPROTO_IPV6, _c.IPV6_MULTICAST_HOPS): (StandardSocketOptions.IP_MULTICAST_TTL, _INT),
    (_c.IPPROTO_IPV6, _c.IPV6_MULTICAST_LOOP): (StandardSocketOptions.IP_MULTICAST_LOOP, _BOOL),
}
try:
    _PLAIN[(_c.SOL_SOCKET, _c.SO_REUSEPORT)] = (StandardSocketOptions.SO_REUSEPORT, _BOOL)
except AttributeError:
    pass

# Flags Linux keeps on any socket but that mean nothing for UDP: the kernel stores them and
# reports them back; so do we (the JVM's DatagramChannel has no such options).
_FLAGS_ONLY = ((_c.SOL_SOCKET, _c.SO_KEEPALIVE), (_c.SOL_SOCKET, _c.SO_OOBINLINE))

# Unicast TTL / hop limit: no JVM option sets them; reading gives the kernel's default.
_DEFAULT_FILES = {
    (_c.IPPROTO_IP, _c.IP_TTL): ('/proc/sys/net/ipv4/ip_default_ttl', 64),
    (_c.IPPROTO_IPV6, _c.IPV6_UNICAST_HOPS): ('/proc/sys/net/ipv6/conf/default/hop_limit', 64),
}

# Linux reports twice the size that was set (room for its bookkeeping).
_KERNEL_DOUBLED = ((_c.SOL_SOCKET, _c.SO_RCVBUF), (_c.SOL_SOCKET, _c.SO_SNDBUF))
_IP_LEVEL = (_c.IPPROTO_IP, _c.IPPROTO_IPV6)
_MULTICAST_TTL = ((_c.IPPROTO_IP, _c.IP_MULTICAST_TTL), (_c.IPPROTO_IPV6, _c.IPV6_MULTICAST_HOPS))


def _int_value(level, value):
    """An option value as an int: ints as given, buffers as a native int (IP levels also
    accept a single unsigned byte, as Linux does).  TypeError / EINVAL otherwise."""
    if isinstance(value, (int, long)):
        return int(value)
    if isinstance(value, str):
        if len(value) >= 4:
            return struct.unpack('i', value[:4])[0]
        if value and level in _IP_LEVEL:
            return ord(value[0])
        raise socket_error(errno.EINVAL)
    raise TypeError('an integer is required')


def _packed(number, buflen, level=None):
    if buflen is None:
        return number
    if buflen <= 0 or buflen > 1024:
        raise socket_error(errno.EINVAL)
    if buflen < 4 and level in _IP_LEVEL:
        return chr(number & 0xff)
    return struct.pack('i', number)[:buflen].ljust(min(buflen, 4), '\0')


def _java(action):
    try:
        return action()
    except Throwable as cause:
        raise from_java(cause)


def set_option(sock, state, level, option, value):
    """Apply an option now; Linux's errors (see the module docstring)."""
    channel = state.java_channel
    key = (level, option)
    if level == _c.IPPROTO_IPV6 and sock.family != _c.AF_INET6:
        raise socket_error(errno.ENOPROTOOPT)
    entry = _PLAIN.get(key)
    if entry is not None:
        java_option, kind = entry
        number = _int_value(level, value)
        if key in _MULTICAST_TTL:
            if number == -1:
                number = 1
            if not 0 <= number <= 255:
                raise socket_error(errno.EINVAL)
        java_value = Boolean(number != 0) if kind == _BOOL else Integer(number)
        _java(lambda: channel.setOption(java_option, java_value))
        return
    if key in _FLAGS_ONLY:
        state.flags[key] = int(_int_value(level, value) != 0)
        return
    if key == (_c.IPPROTO_IP, _c.IP_MULTICAST_IF):
        _set_multicast_if4(state, value)
    elif key == (_c.IPPROTO_IPV6, _c.IPV6_MULTICAST_IF):
        index = _int_value(level, value)
        interface = _interface_by_index(index) if index else _default_interface()
        _java(lambda: channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, interface))
    elif key in ((_c.IPPROTO_IP, _c.IP_ADD_MEMBERSHIP), (_c.IPPROTO_IP, _c.IP_DROP_MEMBERSHIP)):
        group, interface = _ip_mreq(state, value)
        _membership(state, group, interface, option == _c.IP_ADD_MEMBERSHIP)
    elif key in ((_c.IPPROTO_IPV6, _c.IPV6_JOIN_GROUP), (_c.IPPROTO_IPV6, _c.IPV6_LEAVE_GROUP)):
        group, interface = _ipv6_mreq(state, value)
        _membership(state, group, interface, option == _c.IPV6_JOIN_GROUP)
    else:
        raise socket_error(errno.ENOPROTOOPT)


def get_option(sock, state, level, option, buflen=None):
    """The option's current value: an int, or packed bytes when `buflen` is given."""
    key = (level, option)
    if key == (_c.SOL_SOCKET, _c.SO_ERROR):
        state.lock.lock()
        try:
            return _packed(state.take_error(), buflen)
        finally:
            state.lock.unlock()
    if key == (_c.SOL_SOCKET, _c.SO_TYPE):
        return _packed(sock.type, buflen)
    if key == (_c.SOL_SOCKET, _c.SO_ACCEPTCONN):
        return _packed(0, buflen)
    if level == _c.IPPROTO_IPV6 and sock.family != _c.AF_INET6:
        raise socket_error(errno.ENOPROTOOPT)
    channel = state.java_channel
    entry = _PLAIN.get(key)
    if entry is not None:
        java_option, kind = entry
        value = _java(lambda: channel.getOption(java_option))
        number = int(bool(value)) if kind == _BOOL else int(value)
        if key in _KERNEL_DOUBLED:
            number *= 2   # the JDK halves what Linux reports, to look like other systems
        return _packed(number, buflen, level)
    if key in _FLAGS_ONLY:
        return _packed(state.flags.get(key, 0), buflen)
    if level == _c.IPPROTO_TCP:
        raise socket_error(errno.EOPNOTSUPP)
    if key in _DEFAULT_FILES:
        return _packed(_system_default(*_DEFAULT_FILES[key]), buflen, level)
    if key == (_c.IPPROTO_IP, _c.IP_MULTICAST_IF):
        packed = state.multicast_if
        return packed[:buflen] if buflen else struct.unpack('i', packed)[0]
    if key == (_c.IPPROTO_IPV6, _c.IPV6_MULTICAST_IF):
        interface = _java(lambda: channel.getOption(StandardSocketOptions.IP_MULTICAST_IF))
        return _packed(interface.getIndex() if interface is not None else 0, buflen)
    raise socket_error(errno.ENOPROTOOPT)


# ---------------------------------------------------------------------------- multicast

def _set_multicast_if4(state, value):
    """IP_MULTICAST_IF from an in_addr, ip_mreq or ip_mreqn (int: a native in_addr)."""
    if isinstance(value, (int, long)):
        value = struct.pack('i', value)
    if not isinstance(value, str):
        raise TypeError('an integer is required')
    if len(value) >= 12:
        address, index = value[4:8], struct.unpack('i', value[8:12])[0]
    elif len(value) >= 8:
        address, index = value[4:8], 0
    elif len(value) >= 4:
        address, index = value[:4], 0
    else:
        raise socket_error(errno.EINVAL)
    if index:
        interface = _interface_by_index(index)
    elif address == '\0\0\0\0':
        state.multicast_if = address   # Linux: back to the routing default
        return
    else:
        interface = _java(lambda: NetworkInterface.getByInetAddress(
            InetAddress.getByAddress(address)))
        if interface is None:
            raise socket_error(errno.EADDRNOTAVAIL)
    _java(lambda: state.java_channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, interface))
    state.multicast_if = address


def _ip_mreq(state, value):
    """(group InetAddress, NetworkInterface) from a struct ip_mreq / ip_mreqn."""
    if not isinstance(value, str):
        raise TypeError('setsockopt() argument 4 must be string or read-only buffer')
    if len(value) < 8:
        raise socket_error(errno.EINVAL)
    group = _java(lambda: InetAddress.getByAddress(value[:4]))
    if not group.isMulticastAddress():
        raise socket_error(errno.EINVAL)
    index = struct.unpack('i', value[8:12])[0] if len(value) >= 12 else 0
    if index:
        return group, _interface_by_index(index)
    if value[4:8] != '\0\0\0\0':
        interface = _java(lambda: NetworkInterface.getByInetAddress(
            InetAddress.getByAddress(value[4:8])))
        if interface is None:
            raise socket_error(errno.ENODEV)
        return group, interface
    chosen = _java(lambda: state.java_channel.getOption(StandardSocketOptions.IP_MULTICAST_IF))
    return group, chosen or _default_interface()


def _ipv6_mreq(state, value):
    """(group InetAddress, NetworkInterface) from a struct ipv6_mreq."""
    if not isinstance(value, str):
        raise TypeError('setsockopt() argument 4 must be string or read-only buffer')
    if len(value) < 20:
        raise socket_error(errno.EINVAL)
    group = _java(lambda: InetAddress.getByAddress(value[:16]))
    if not group.isMulticastAddress():
        raise socket_error(errno.EINVAL)
    index = struct.unpack('I', value[16:20])[0]
    if index:
        return group, _interface_by_index(index)
    chosen = _java(lambda: state.java_channel.getOption(StandardSocketOptions.IP_MULTICAST_IF))
    return group, chosen or _default_interface()


def _membership(state, group, interface, join):
    key = (str(group.getHostAddress()), str(interface.getName()))
    held = state.memberships.get(key)
    if join:
        if held is not None and held.isValid():
            raise socket_error(errno.EADDRINUSE)
        state.memberships[key] = _java(lambda: state.java_channel.join(group, interface))
    else:
        if held is None or not held.isValid():
            raise socket_error(errno.EADDRNOTAVAIL)
        del state.memberships[key]
        _java(held.drop)


def _interface_by_index(index):
    interface = _java(lambda: NetworkInterface.getByIndex(index))
    if interface is None:
        raise socket_error(errno.ENODEV)
    return interface


def _default_interface():
    """The interface Linux's routing would pick for a group without one: the first
    multicast-capable interface that is up and not loopback, else loopback."""
    fallback = None
    for interface in _java(lambda: list(NetworkInterface.getNetworkInterfaces() or [])):
        if not interface.isUp():
            continue
        if interface.isLoopback():
            fallback = fallback or interface
        elif interface.supportsMulticast():
            return interface
    if fallback is None:
        raise socket_error(errno.ENODEV)
    return fallback


def _system_default(path, fallback):
    try:
        with open(path) as source:
            return int(source.read().strip())
    except (IOError, OSError, ValueError):
        return fallback
