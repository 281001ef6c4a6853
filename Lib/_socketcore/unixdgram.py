"""AF_UNIX SOCK_DGRAM sockets, on Netty's native EpollDomainDatagramChannel.

The receiving side is the UDP one (udp.DatagramSocket, dgramstate): the event loop reads
whole datagrams into the DatagramState queue, so boundaries, truncation (a short recv
drops the rest of its datagram), MSG_PEEK, the three modes and select/poll/epoll readiness
are the UDP code paths.  The channel is registered when the socket is made and reads
from then on (an unnamed, unconnected socket simply never receives anything).

Everything else goes straight to the kernel through the channel's native socket, from the
caller's thread, so each call gets the errno Linux gives it (ENOENT, ECONNREFUSED,
EPROTOTYPE, EPERM, EMSGSIZE, ENOTCONN after the peer went away...):

* bind and connect are the native calls themselves (not Netty's channel bind/connect,
  which would switch the channel to a read path that drops empty datagrams);
* sends are native sendto/send of one datagram; when the receiver's queue is full they
  wait for room in blocking and timeout modes (polling) and raise EAGAIN otherwise.

Names are kept here as the user gave them (Netty has no getsockname for AF_UNIX); a
sender's name comes from the kernel with each datagram.
"""
import errno
import os

from java.lang import InterruptedException, System, Throwable
from org.python.core.util import StringUtil

from _socketcore import fdtable, handlers, nativeunix, netty, runtime, tcp, udp, unixnames
from _socketcore import constants as _c
from _socketcore.dgramstate import DatagramHandler, DatagramState
from _socketcore.errors import bad_fd, error, from_java, socket_error, timed_out
from _socketcore.readiness import CONNECTED, CLOSED
from _socketcore.timeouts import getdefaulttimeout

# A datagram larger than this is cut when read (Linux's default limit is the sender's
# SO_SNDBUF, 212992 bytes); every read gets a buffer this big.
_RECEIVE_BUFFER = 256 * 1024
_SEND_FLAGS = _c.MSG_DONTWAIT
_FULL_POLL_NS = 5 * 1000 * 1000


class UnixDatagramSocket(udp.DatagramSocket):
    """An AF_UNIX SOCK_DGRAM socket with CPython 2.7's interface (filesystem paths and
    abstract names)."""

    def __init__(self, family=_c.AF_UNIX, type=_c.SOCK_DGRAM, proto=0, _sock=None, _state=None):
        if not nativeunix.available():
            raise socket_error(errno.ESOCKTNOSUPPORT,
                               'AF_UNIX SOCK_DGRAM sockets need Netty\'s native transport: '
                               + nativeunix.WHY_NOT)
        if proto != 0:
            raise socket_error(errno.EPROTONOSUPPORT)
        if _sock is not None:
            _state = _sock._share_state()
        if _state is None:
            _state = _new_state()
        self._family, self._type, self._proto = _c.AF_UNIX, _c.SOCK_DGRAM, proto
        self._state = _state
        self._timeout = _sock._timeout if _sock is not None else getdefaulttimeout()
        self._closed = False
        self._fileno = fdtable.allocate(self)

    def dup(self):
        if self._closed:
            return tcp._closed_socket(self)
        return UnixDatagramSocket(_sock=self)

    # ------------------------------------------------------------------ set-up

    def bind(self, address):
        """Bind now: EADDRINUSE if the name is taken; '' autobinds an abstract name."""
        state = self._check_open()
        name = unixnames.check(address)
        if state.unix_path is not None:
            raise socket_error(errno.EINVAL)
        bind_name(state, name)

    def connect_ex(self, address):
        state = self._check_open()
        name = unixnames.check(address)
        if not name:
            return errno.EINVAL
        target = nativeunix.address(name)
        try:
            _native(state).connect(target)
        except Throwable as cause:
            return from_java(cause).errno
        state.lock.lock()
        try:
            state.phase = CONNECTED
            state.unix_peer = name
            state.error = 0
        finally:
            state.lock.unlock()
        state.signal()
        return 0

    # ------------------------------------------------------------------ receiving

    def _sender_address(self, sender):
        state = self._state
        if state.unnamed:
            return None                # a socketpair end hears only from the other one
        name = nativeunix.name_of(sender)
        if name:
            return name
        if state.unix_peer is None:
            return None
        return state.unix_peer     # a connected socket hears only from its peer

    # ------------------------------------------------------------------ sending

    def sendto(self, data, *args):
        payload, flags, address = udp.sendto_args(data, args)
        name = unixnames.check(address)
        if not unixnames.is_abstract(name):
            name = unixnames.absolute(name) if name else name
        return self._send(payload, flags, name)

    def _send(self, payload, flags, target):
        """One datagram, to `target` (a name) or the connected peer (None)."""
        state = self._check_open()
        tcp._check_flags(flags, _SEND_FLAGS)
        state.lock.lock()
        try:
            if state.phase == CLOSED:
                raise bad_fd()
            if target is None and state.phase != CONNECTED:
                raise socket_error(errno.ENOTCONN)
            if state.output_shutdown:
                raise socket_error(errno.EPIPE)
        finally:
            state.lock.unlock()
        native = _native(state)
        path = StringUtil.toBytes(target) if target is not None else None
        buf = runtime.allocator().directBuffer(max(len(payload), 1))
        try:
            buf.writeBytes(StringUtil.toBytes(payload))
            timeout = self._timeout_for(flags)
            deadline = None if timeout is None else System.nanoTime() + long(timeout * 1e9)
            while True:
                if _send_once(native, buf, path) or not payload:
                    return len(payload)
                _wait_for_room(state, deadline, timeout)
        finally:
            buf.release()

    # ------------------------------------------------------------------ ending

    def shutdown(self, how):
        """As Linux's AF_UNIX: allowed unconnected; SHUT_WR makes sends EPIPE."""
        self._shutdown(how, needs_peer=False)

    # ------------------------------------------------------------------ names and options

    def getsockname(self):
        state = self._check_open()
        if state.unnamed or state.unix_path is None:
            return ''
        return state.unix_path

    def getpeername(self):
        state = self._check_open()
        if state.phase != CONNECTED or state.unix_peer is None:
            raise socket_error(errno.ENOTCONN)
        return '' if state.unnamed else state.unix_peer

    def setsockopt(self, level, option, value):
        """SO_RCVBUF / SO_SNDBUF on the native socket; other levels EOPNOTSUPP, as Linux."""
        state = self._check_open()
        setter = 'set' + _buffer_option(level, option)
        if not isinstance(value, (int, long)):
            raise TypeError('an integer is required')
        try:
            getattr(_native(state), setter)(value)
        except Throwable as cause:
            raise from_java(cause)

    def getsockopt(self, level, option, buflen=None):
        state = self._check_open()
        if level == _c.SOL_SOCKET and option in (_c.SO_TYPE, _c.SO_ERROR, _c.SO_ACCEPTCONN):
            return udp.dgramoptions.get_option(self, state, level, option, buflen)
        getter = 'get' + _buffer_option(level, option)
        try:
            value = int(getattr(_native(state), getter)())
        except Throwable as cause:
            raise from_java(cause)
        return udp.dgramoptions._packed(value, buflen)


def _buffer_option(level, option):
    """The native socket's accessor name for a buffer option (as the kernel reports it)."""
    if level != _c.SOL_SOCKET:
        raise socket_error(errno.EOPNOTSUPP)
    if option == _c.SO_RCVBUF:
        return 'ReceiveBufferSize'
    if option == _c.SO_SNDBUF:
        return 'SendBufferSize'
    raise socket_error(errno.ENOPROTOOPT)


# ---------------------------------------------------------------------------- helpers

def _new_state():
    """A DatagramState around a new EpollDomainDatagramChannel, registered and reading."""
    try:
        channel = nativeunix.EpollDomainDatagramChannel()
    except Throwable as cause:
        raise from_java(cause)
    state = DatagramState(_c.AF_UNIX, channel)
    state.unix_path = None      # the name bound (as given), or None
    state.unix_peer = None      # the name connected to, or None
    state.unnamed = False       # a socketpair end: names read ''
    bootstrap = netty.Bootstrap()
    bootstrap.group(nativeunix.group())
    bootstrap.channelFactory(handlers.PrebuiltChannel(channel))
    bootstrap.option(netty.ChannelOption.AUTO_READ, False)
    bootstrap.option(netty.ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, True)
    bootstrap.option(netty.ChannelOption.ALLOCATOR, runtime.allocator())
    bootstrap.option(netty.ChannelOption.RCVBUF_ALLOCATOR,
                     netty.FixedRecvByteBufAllocator(_RECEIVE_BUFFER))
    nativeunix.level_triggered(bootstrap)
    bootstrap.handler(DatagramHandler(state))
    future = bootstrap.register()
    state.channel = future.channel()
    future.awaitUninterruptibly()
    if not future.isSuccess():
        _quietly(channel.close)
        raise from_java(future.cause())
    return state


def bind_name(state, name):
    """Bind the state's channel to `name` ('' autobinds an abstract name)."""
    if name:
        _bind(state, name)
        return
    for candidate in unixnames.autobind_candidates():
        try:
            _bind(state, candidate)
            return
        except error as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    raise unixnames.no_autobind_name()


def _bind(state, name):
    if not unixnames.is_abstract(name) and os.path.lexists(unixnames.absolute(name)):
        # Netty's native bind removes an existing file first; Linux refuses instead.
        raise socket_error(errno.EADDRINUSE)
    local = nativeunix.address(name)
    try:
        _native(state).bind(local)
    except Throwable as cause:
        raise from_java(cause)
    state.unix_path = name


def _native(state):
    """The channel's native socket (io.netty.channel.unix.Socket): thread-safe syscalls."""
    return state.java_channel.fd()


def _send_once(native, buf, path):
    """Send `buf` as one datagram; False when the receiver has no room (EAGAIN)."""
    try:
        if path is None:
            sent = native.sendAddress(buf.memoryAddress(), buf.readerIndex(), buf.writerIndex())
        else:
            sent = native.sendToAddressDomainSocket(buf.memoryAddress(), buf.readerIndex(),
                                                    buf.writerIndex(), path)
    except Throwable as cause:
        raise from_java(cause)
    return sent > 0


def _wait_for_room(state, deadline, timeout):
    """Wait a little for the receiver to drain (nothing signals it), within the deadline."""
    if timeout is not None and timeout <= 0.0:
        raise socket_error(errno.EAGAIN)
    state.lock.lock()
    try:
        if state.phase == CLOSED:
            raise bad_fd()
        wait = _FULL_POLL_NS
        if deadline is not None:
            remaining = deadline - System.nanoTime()
            if remaining <= 0:
                raise timed_out()
            wait = min(wait, remaining)
        try:
            state.changed.awaitNanos(wait)
        except InterruptedException:
            raise socket_error(errno.EINTR)
    finally:
        state.lock.unlock()


def _quietly(action):
    try:
        action()
    except Throwable:
        pass


# ---------------------------------------------------------------------------- socketpair

def socketpair():
    """Two connected AF_UNIX datagram sockets whose names read '' (made of two autobound
    abstract names: Netty has no socketpair(2))."""
    first, second = UnixDatagramSocket(), UnixDatagramSocket()
    try:
        for sock in (first, second):
            sock.bind('')
        for sock, other in ((first, second), (second, first)):
            sock.connect(other._state.unix_path)
    except Exception:
        first.close()
        second.close()
        raise
    for sock in (first, second):
        sock._state.unnamed = True
    return first, second
