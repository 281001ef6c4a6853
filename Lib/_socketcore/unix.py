"""AF_UNIX stream sockets and `socketpair()`, on Java's Unix domain socket channels.

An AF_UNIX SOCK_STREAM socket is a `tcp.socket` whose channels are Java 16+ Unix domain
channels (`SocketChannel.open(StandardProtocolFamily.UNIX)`) in our Netty channels
(domainchannel.py, which also run on the Netty bundled in jython-standalone), so receiving,
sending, shutdown, the three modes and select/poll are exactly the TCP code paths
(StreamState, handlers, deadline).  This module only supplies what differs: path
addresses, bind, listen, and names.  On a JVM older than 16 AF_UNIX sockets raise
EAFNOSUPPORT and `socketpair()` falls back to a connected pair of loopback TCP sockets.

Linux abstract names (a leading NUL byte, or '' to bind(): an autobound one) have no JVM
equivalent: a socket bound to one, or connecting to one while unbound, runs on Netty's
native epoll channels instead (EpollDomainSocketChannel / EpollServerDomainSocketChannel
on the native event-loop group; see nativeunix.py), with the same StreamState and
handlers.  Filesystem paths stay on Java's channels wherever they work (they give Linux's
EADDRINUSE, where Netty's native bind removes an existing file first).  Without the native
transport abstract names raise error(EOPNOTSUPP) saying why.  AF_UNIX SOCK_DGRAM is
unixdgram.py.
"""
import errno
import os
import struct

from java.lang import Integer, Throwable
from java.net import StandardProtocolFamily, StandardSocketOptions
from java.nio.channels import ServerSocketChannel, SocketChannel

from _socketcore import fdtable, handlers, lazy, nativeunix, netty, runtime, tcp, unixnames
from _socketcore import constants as _c
from _socketcore.channelstate import StreamState
from _socketcore.errors import error, from_java, socket_error
from _socketcore.readiness import NEW, CONNECTED, LISTENING
from _socketcore.timeouts import getdefaulttimeout

SUN_PATH_MAX = unixnames.SUN_PATH_MAX

try:
    from java.net import UnixDomainSocketAddress   # Java 16+
    from _socketcore.domainchannel import DomainServerChannel, DomainStreamChannel
    AVAILABLE = True
except ImportError:
    AVAILABLE = False


class UnixStreamSocket(tcp.socket):
    """An AF_UNIX SOCK_STREAM socket with CPython 2.7's interface (filesystem paths)."""

    def __init__(self, family=_c.AF_UNIX, type=_c.SOCK_STREAM, proto=0, _sock=None, _state=None):
        if not AVAILABLE:
            raise socket_error(errno.EAFNOSUPPORT, 'AF_UNIX sockets need Java 16 or newer')
        if type != _c.SOCK_STREAM:
            raise socket_error(errno.ESOCKTNOSUPPORT)
        if proto != 0:
            raise socket_error(errno.EPROTONOSUPPORT)
        if _sock is not None:
            _state = _sock._share_state()
        self._family, self._type, self._proto = _c.AF_UNIX, type, proto
        self._state = _state if _state is not None else StreamState(_c.AF_UNIX)
        self._timeout = _sock._timeout if _sock is not None else getdefaulttimeout()
        self._closed = False
        self._fileno = fdtable.allocate(self)

    # ------------------------------------------------------------------ tcp.socket hooks

    def _remote_address(self, address):
        """The address to connect to; ENOENT is decided here for paths, as Linux does,
        because the JVM reports it as ECONNREFUSED.  An abstract name (or a socket already
        bound to one) takes the native channels."""
        name = unixnames.check(address)
        if not name:
            raise socket_error(errno.EINVAL)
        state = self._state
        if unixnames.is_abstract(name) and not _native(state):
            if state.bound_channel is not None:
                raise socket_error(errno.EOPNOTSUPP, 'a socket bound to a path cannot '
                                   'connect to an abstract name on the JVM')
            _need_native()
            state.native = True
        if not unixnames.is_abstract(name) and not os.path.exists(unixnames.absolute(name)):
            raise socket_error(errno.ENOENT)
        if _native(state):
            return nativeunix.address(name)
        return unix_address(name)

    def connect_ex(self, address):
        try:
            return tcp.socket.connect_ex(self, address)
        except error as exc:
            if exc.errno == errno.ENOENT:   # raised early by _remote_address
                return exc.errno
            raise

    def _address_of(self, java_address):
        if getattr(self._state, 'unnamed', False):
            return ''
        return path_of(java_address)

    def _netty_channel(self, java_channel):
        if _native(self._state):
            return java_channel.channel          # a nativeunix.PendingStream's channel
        return DomainStreamChannel(None, java_channel)

    def _event_loop_group(self):
        if _native(self._state):
            return nativeunix.group()
        return runtime.event_loop_group()

    def _transport_options(self, bootstrap):
        if _native(self._state):
            nativeunix.level_triggered(bootstrap)

    def _java_channel(self):
        """The channel that holds the name before connect/listen: a java.nio channel, or
        an unregistered EpollDomainSocketChannel on the native path."""
        state = self._state
        if state.bound_channel is None:
            try:
                if _native(state):
                    state.bound_channel = nativeunix.PendingStream()
                else:
                    state.bound_channel = SocketChannel.open(StandardProtocolFamily.UNIX)
            except Throwable as cause:
                raise from_java(cause)
        return state.bound_channel

    # ------------------------------------------------------------------ set-up

    def bind(self, address):
        """Create the socket file now (EADDRINUSE if the path exists, as on Linux); an
        abstract name, or '' (autobind), on the native channels."""
        state = self._check_open()
        name = unixnames.check(address)
        if state.phase != NEW or getattr(state, 'unix_path', None) is not None:
            raise socket_error(errno.EINVAL)
        if name and not unixnames.is_abstract(name):
            local = unix_address(name)
            try:
                self._java_channel().bind(local)
            except Throwable as cause:
                raise from_java(cause)
            state.unix_path = name
            return
        _need_native()
        state.native = True
        candidates = [name] if name else unixnames.autobind_candidates()
        for candidate in candidates:
            try:
                self._java_channel().fd().bind(nativeunix.address(candidate))
            except Throwable as cause:
                exc = from_java(cause)
                if name or exc.errno != errno.EADDRINUSE:
                    raise exc
                continue
            state.unix_path = candidate
            return
        raise unixnames.no_autobind_name()

    def listen(self, backlog=_c.SOMAXCONN):
        """Listen on the bound path (Linux's autobind to an abstract name is not available:
        listening without bind raises EINVAL)."""
        state = self._check_open()
        backlog = max(1, min(int(backlog), _c.SOMAXCONN))
        if state.phase == LISTENING:
            state.accept_limit = backlog
            return
        path = getattr(state, 'unix_path', None)
        if state.phase != NEW or path is None:
            raise socket_error(errno.EINVAL)
        # The client channel that holds the name gives way to a listening channel on the
        # same name (neither the JVM nor Netty can turn one into the other): free the name,
        # then re-bind.
        native = _native(state)
        _quietly(state.bound_channel.close)
        state.bound_channel = None
        try:
            if native:
                server = nativeunix.EpollServerDomainSocketChannel()
                local = nativeunix.address(path)
                group = nativeunix.group()
            else:
                local = unix_address(path)
                _quietly(lambda: os.unlink(str(local.getPath())))
                server = DomainServerChannel(ServerSocketChannel.open(StandardProtocolFamily.UNIX),
                                             backlog)
                group = runtime.event_loop_group()
        except Throwable as cause:
            raise from_java(cause)
        state.accept_limit = backlog
        state.phase = LISTENING
        bootstrap = netty.ServerBootstrap()
        bootstrap.group(group, group)
        bootstrap.channelFactory(handlers.PrebuiltChannel(server))
        bootstrap.option(netty.ChannelOption.AUTO_READ, False)
        if native:
            bootstrap.option(netty.ChannelOption.SO_BACKLOG, Integer(backlog))
            nativeunix.level_triggered(bootstrap)
            nativeunix.level_triggered(bootstrap, child=True)
        bootstrap.handler(handlers.AcceptHandler(state))
        bootstrap.childHandler(handlers.ChildInitializer(
            state, lambda ch: _accepted_state(ch, path, native)))
        tcp._stream_options(bootstrap, child=True)
        future = bootstrap.bind(local)
        future.awaitUninterruptibly()
        if not future.isSuccess():
            state.phase = NEW
            _quietly(server.close)
            raise from_java(future.cause())
        state.channel = future.channel()

    # ------------------------------------------------------------------ names and options

    def getsockname(self):
        """The bound path ('' for an unbound socket or a socketpair end)."""
        state = self._check_open()
        if getattr(state, 'unnamed', False):
            return ''
        if getattr(state, 'unix_path', None) is not None:
            return state.unix_path
        local = None
        try:
            if state.channel is not None:
                local = state.channel.localAddress()
            elif state.bound_channel is not None:
                local = state.bound_channel.getLocalAddress()
        except Throwable as cause:
            raise from_java(cause)
        return path_of(local)

    def getpeername(self):
        state = self._check_open()
        if state.phase != CONNECTED or state.peer is None:
            raise socket_error(errno.ENOTCONN)
        return self._address_of(state.peer)

    def setsockopt(self, level, option, value):
        """SO_RCVBUF / SO_SNDBUF on the Java channel; other levels EOPNOTSUPP, as Linux."""
        self._check_open()
        java_option = self._buffer_option(level, option)
        if not isinstance(value, (int, long)):
            raise TypeError('an integer is required')
        channel = self._unix_channel()
        try:
            channel.setOption(java_option, Integer(value))
        except Throwable as cause:
            raise from_java(cause)

    def getsockopt(self, level, option, buflen=None):
        self._check_open()
        if level == _c.SOL_SOCKET and option in (_c.SO_TYPE, _c.SO_ERROR, _c.SO_ACCEPTCONN):
            return tcp.socket.getsockopt(self, level, option, buflen)
        java_option = self._buffer_option(level, option)
        channel = self._unix_channel()
        try:
            value = int(channel.getOption(java_option)) * 2  # the JDK halves what Linux says
        except Throwable as cause:
            raise from_java(cause)
        return value if buflen is None else struct.pack('i', value)[:buflen]

    def _buffer_option(self, level, option):
        if level != _c.SOL_SOCKET:
            raise socket_error(errno.EOPNOTSUPP)
        if option == _c.SO_RCVBUF:
            return StandardSocketOptions.SO_RCVBUF
        if option == _c.SO_SNDBUF:
            return StandardSocketOptions.SO_SNDBUF
        raise socket_error(errno.ENOPROTOOPT)

    def _unix_channel(self):
        """The java.nio channel carrying this socket's options right now (on the native
        path: a view of the native socket with the same two methods)."""
        channel = self._state.channel
        if _native(self._state):
            return _NativeOptions((channel if channel is not None else self._java_channel()).fd())
        return channel._java if channel is not None else self._java_channel()


class _NativeOptions(object):
    """getOption/setOption of SO_RCVBUF / SO_SNDBUF on a Netty native socket, which reports
    the kernel's value halved, as the JDK does (so the caller's doubling holds)."""

    def __init__(self, native):
        self.native = native

    def setOption(self, option, value):
        if option == StandardSocketOptions.SO_RCVBUF:
            self.native.setReceiveBufferSize(int(value))
        else:
            self.native.setSendBufferSize(int(value))

    def getOption(self, option):
        if option == StandardSocketOptions.SO_RCVBUF:
            return self.native.getReceiveBufferSize() // 2
        return self.native.getSendBufferSize() // 2


# ---------------------------------------------------------------------------- native path

def _native(state):
    return getattr(state, 'native', False)


def _need_native():
    if not nativeunix.available():
        raise socket_error(errno.EOPNOTSUPP, 'Linux abstract socket names need Netty\'s '
                           'native transport: ' + nativeunix.WHY_NOT)


def _accepted_state(channel, listener_name, native):
    """State of an accepted connection: named after its listener, as Linux names it."""
    state = tcp._accepted_state(_c.AF_UNIX, channel)
    state.unix_path = listener_name
    state.native = native
    return state


# ---------------------------------------------------------------------------- addresses

def unix_address(address):
    """A UnixDomainSocketAddress for a path; CPython's TypeError / error for bad ones."""
    address = unixnames.check(address)
    if unixnames.is_abstract(address):
        _need_native()
        raise socket_error(errno.EOPNOTSUPP,
                           'Linux abstract socket names are not available on Java\'s channels')
    if not address:
        raise socket_error(errno.EINVAL)
    try:
        return UnixDomainSocketAddress.of(unixnames.absolute(address))
    except Throwable as cause:
        raise from_java(cause)


def path_of(java_address):
    """The name of a UnixDomainSocketAddress or Netty DomainSocketAddress ('' when unnamed
    or None)."""
    if java_address is None:
        return ''
    if hasattr(java_address, 'getPath'):
        return str(java_address.getPath().toString())
    return nativeunix.name_of(java_address)


def _quietly(action):
    try:
        action()
    except (Throwable, OSError):
        pass


# ---------------------------------------------------------------------------- socketpair

def socketpair(family=_c.AF_UNIX, type=_c.SOCK_STREAM, proto=0):
    """A connected pair of AF_UNIX stream sockets whose names are '' as on Linux (made
    through a listener on a private temporary path that is removed at once).  Where the
    JVM has no Unix domain sockets (before Java 16), a connected pair of loopback TCP
    sockets."""
    if family != _c.AF_UNIX:
        raise socket_error(errno.EOPNOTSUPP)
    if proto != 0:
        raise socket_error(errno.EPROTONOSUPPORT)
    if type == _c.SOCK_DGRAM:
        unixdgram = lazy.module('_socketcore.unixdgram')
        if not nativeunix.available():
            raise socket_error(errno.ESOCKTNOSUPPORT, 'AF_UNIX SOCK_DGRAM pairs need Netty\'s '
                               'native transport: ' + nativeunix.WHY_NOT)
        return unixdgram.socketpair()
    if type != _c.SOCK_STREAM:
        raise socket_error(errno.ESOCKTNOSUPPORT)
    if not AVAILABLE:
        return _loopback_pair()
    import tempfile     # here: most programs never make a pair (start-up time)
    directory = tempfile.mkdtemp(prefix='jns-pair-')
    path = os.path.join(directory, 's')
    listener = UnixStreamSocket()
    try:
        listener.bind(path)
        listener.listen(1)
        listener.settimeout(None)
        first = UnixStreamSocket()
        first.settimeout(None)
        first.connect(path)
        second, _ = listener.accept()
    finally:
        listener.close()
        for remove, name in ((os.unlink, path), (os.rmdir, directory)):
            try:
                remove(name)
            except OSError:
                pass
    return _finish_pair(first, second, unnamed=True)


def _loopback_pair():
    listener = tcp.socket(_c.AF_INET, _c.SOCK_STREAM)
    try:
        listener.settimeout(None)
        listener.bind(('127.0.0.1', 0))
        listener.listen(1)
        first = tcp.socket(_c.AF_INET, _c.SOCK_STREAM)
        first.settimeout(None)
        first.connect(listener.getsockname())
        second, _ = listener.accept()
    finally:
        listener.close()
    return _finish_pair(first, second, unnamed=False)


def _finish_pair(first, second, unnamed):
    for sock in (first, second):
        if unnamed:
            sock._state.unnamed = True
        sock.settimeout(getdefaulttimeout())
    return first, second
