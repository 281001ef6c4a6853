"""setsockopt / getsockopt: Linux option numbers mapped onto the real Java socket options.

Values are read back from the channel itself (never a remembered copy).  Before a channel
exists, options go to the java.nio channel that also carries an early bind; listening and
connected sockets reach the same java.nio options through Netty's NioChannelOption.
An option the JVM cannot express raises error(ENOPROTOOPT).
"""
import errno
import struct

from java.lang import Boolean, Integer, Throwable
from java.net import StandardSocketOptions

from _socketcore import constants as _c
from _socketcore import netty
from _socketcore.errors import from_java, socket_error
from _socketcore.readiness import LISTENING, CLOSED

_BOOL, _INT, _LINGER = 'bool', 'int', 'linger'

# (level, option) -> (java SocketOption, kind)
_JAVA_OPTIONS = {
    (_c.SOL_SOCKET, _c.SO_REUSEADDR): (StandardSocketOptions.SO_REUSEADDR, _BOOL),
    (_c.SOL_SOCKET, _c.SO_KEEPALIVE): (StandardSocketOptions.SO_KEEPALIVE, _BOOL),
    (_c.SOL_SOCKET, _c.SO_RCVBUF): (StandardSocketOptions.SO_RCVBUF, _INT),
    (_c.SOL_SOCKET, _c.SO_SNDBUF): (StandardSocketOptions.SO_SNDBUF, _INT),
    (_c.SOL_SOCKET, _c.SO_LINGER): (StandardSocketOptions.SO_LINGER, _LINGER),
    (_c.IPPROTO_TCP, _c.TCP_NODELAY): (StandardSocketOptions.TCP_NODELAY, _BOOL),
    (_c.IPPROTO_IP, _c.IP_TOS): (StandardSocketOptions.IP_TOS, _INT),
}
try:
    _JAVA_OPTIONS[(_c.SOL_SOCKET, _c.SO_REUSEPORT)] = (StandardSocketOptions.SO_REUSEPORT, _BOOL)
except AttributeError:
    pass
try:   # the JDK's Linux extensions (jdk.net), present on OpenJDK 11 and later
    from jdk.net import ExtendedSocketOptions as _Extended
    _JAVA_OPTIONS.update({
        (_c.IPPROTO_TCP, _c.TCP_KEEPIDLE): (_Extended.TCP_KEEPIDLE, _INT),
        (_c.IPPROTO_TCP, _c.TCP_KEEPINTVL): (_Extended.TCP_KEEPINTERVAL, _INT),
        (_c.IPPROTO_TCP, _c.TCP_KEEPCNT): (_Extended.TCP_KEEPCOUNT, _INT),
        (_c.IPPROTO_TCP, _c.TCP_QUICKACK): (_Extended.TCP_QUICKACK, _BOOL),
    })
    _KEEPALIVE_TUNING = (_Extended.TCP_KEEPIDLE, _Extended.TCP_KEEPINTERVAL,
                         _Extended.TCP_KEEPCOUNT, _Extended.TCP_QUICKACK)
except (ImportError, AttributeError):
    _KEEPALIVE_TUNING = ()

# Linux doubles SO_RCVBUF/SO_SNDBUF when they are set and reports the doubled size.
_KERNEL_DOUBLED = (StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF)

_NioChannelOption = None
_nio_options = {}   # java SocketOption -> its NioChannelOption (issue 6: made once each)


def _nio_option(java_option):
    global _NioChannelOption
    option = _nio_options.get(java_option)
    if option is None:
        if _NioChannelOption is None:
            (_NioChannelOption,) = netty._load('channel.socket.nio', 'NioChannelOption')
        option = _nio_options[java_option] = _NioChannelOption.of(java_option)
    return option


# Options a listening socket only holds for the sockets it accepts (Linux copies them to
# each accepted socket); the JVM's ServerSocketChannel does not carry them itself.
_PER_CONNECTION = (StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
                   StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER,
                   StandardSocketOptions.IP_TOS) + _KEEPALIVE_TUNING


def _target(sock, state):
    """(setter, getter) over whichever channel currently carries the socket's options."""
    if state.phase == LISTENING:
        channel = state.channel.config()
        stored = state.child_options

        def set_listening(opt, value):
            if opt in _PER_CONNECTION:
                stored[opt] = value
            else:
                channel.setOption(_nio_option(opt), value)

        def get_listening(opt):
            if opt in _PER_CONNECTION:
                return stored.get(opt)
            return channel.getOption(_nio_option(opt))
        return set_listening, get_listening
    if state.channel is not None:
        config = state.channel.config()
        return (lambda opt, v: config.setOption(_nio_option(opt), v),
                lambda opt: config.getOption(_nio_option(opt)))
    channel = sock._java_channel()

    def set_unconnected(opt, value):
        channel.setOption(opt, value)
        state.user_options[opt] = value
    return set_unconnected, lambda opt: channel.getOption(opt)


def _int_value(value):
    if isinstance(value, (int, long)):
        return int(value)
    if isinstance(value, str):
        if len(value) < 4:
            raise socket_error(errno.EINVAL)
        return struct.unpack('i', value[:4])[0]
    raise TypeError('an integer is required')


def set_option(sock, state, level, option, value):
    """Apply an option now; error(ENOPROTOOPT) if it has no JVM equivalent."""
    if (level, option) == (_c.IPPROTO_IPV6, _c.IPV6_V6ONLY):
        _set_v6only(sock, value)
        return
    entry = _JAVA_OPTIONS.get((level, option))
    if entry is None:
        raise socket_error(errno.ENOPROTOOPT)
    java_option, kind = entry
    if kind == _LINGER:
        if not isinstance(value, str) or len(value) < 8:
            raise socket_error(errno.EINVAL)
        onoff, seconds = struct.unpack('ii', value[:8])
        java_value = Integer(seconds if onoff else -1)
    elif kind == _BOOL:
        java_value = Boolean.valueOf(_int_value(value) != 0)
    else:
        java_value = Integer(_int_value(value))
    setter, _ = _target(sock, state)
    try:
        setter(java_option, java_value)
    except Throwable as cause:
        raise from_java(cause)


def get_option(sock, state, level, option, buflen=None):
    """The option's current value: an int, or packed bytes when `buflen` is given."""
    if level == _c.SOL_SOCKET and option == _c.SO_ERROR:
        state.lock.lock()
        try:
            return _packed(state.take_error(), buflen)
        finally:
            state.lock.unlock()
    if level == _c.SOL_SOCKET and option == _c.SO_TYPE:
        return _packed(sock.type, buflen)
    if level == _c.SOL_SOCKET and option == _c.SO_ACCEPTCONN:
        return _packed(int(state.phase == LISTENING), buflen)
    if (level, option) == (_c.IPPROTO_IPV6, _c.IPV6_V6ONLY):
        return _packed(_v6only(sock), buflen)
    entry = _JAVA_OPTIONS.get((level, option))
    if entry is None:
        raise socket_error(errno.ENOPROTOOPT)
    java_option, kind = entry
    _, getter = _target(sock, state)
    try:
        value = getter(java_option)
    except Throwable as cause:
        raise from_java(cause)
    if kind == _LINGER:
        seconds = int(value) if value is not None else -1
        packed = struct.pack('ii', int(seconds >= 0), max(seconds, 0))
        return packed if buflen else struct.unpack('i', packed[:4])[0]
    number = int(bool(value)) if kind == _BOOL else int(value)
    if java_option in _KERNEL_DOUBLED:
        number *= 2   # the JDK halves what Linux reports; CPython shows the kernel's figure
    return _packed(number, buflen)


def _v6only(sock):
    """IPV6_V6ONLY: the JVM opens every AF_INET6 socket dual-stack (0) and cannot change it."""
    if sock.family != _c.AF_INET6:
        raise socket_error(errno.ENOPROTOOPT)
    return 0


def _set_v6only(sock, value):
    if _int_value(value) != _v6only(sock):
        raise socket_error(errno.ENOPROTOOPT,
                           'IPV6_V6ONLY cannot be set on the JVM (its IPv6 sockets are dual-stack)')


def _packed(number, buflen):
    if buflen is None:
        return number
    if buflen <= 0 or buflen > 1024:
        raise socket_error(errno.EINVAL)
    return struct.pack('i', number)[:buflen].ljust(min(buflen, 4), '\0')


def split_for_listen(user_options):
    """The options the user set before listen (java option -> value), split into
    (for the listening channel, for each accepted channel).

    Only options the user set are carried over: setting SO_SNDBUF/SO_RCVBUF, even to the
    value read back, would pin the buffer size and switch off Linux's buffer autotuning.
    """
    own, per_connection = {}, {}
    for java_option, value in user_options.items():
        (per_connection if java_option in _PER_CONNECTION else own)[java_option] = value
    return own, dict(for_new_connection(per_connection))   # (setsockopt changes it later)


_DEFAULT_NEW_CONNECTION = {StandardSocketOptions.TCP_NODELAY: Boolean.FALSE}


def for_new_connection(user_options):
    """The options to set on a channel Netty has just wrapped: the user's, and TCP_NODELAY
    off unless the user set it (Netty turns it on; Linux and CPython start with it off).
    (Without user options: one shared dict, which callers only read.)"""
    if not user_options:
        return _DEFAULT_NEW_CONNECTION
    chosen = dict(user_options)
    chosen.setdefault(StandardSocketOptions.TCP_NODELAY, Boolean.FALSE)
    return chosen


def apply_to_channel(channel, saved):
    """Set java.nio options on a Netty channel (e.g. an accepted one); never raises."""
    config = channel.config()
    for java_option, value in saved.items():
        if value is None:
            continue
        try:
            config.setOption(_nio_option(java_option), value)
        except Throwable:
            pass


def restore(java_channel, saved):
    for java_option, value in saved.items():
        try:
            java_channel.setOption(java_option, value)
        except Throwable:
            pass
