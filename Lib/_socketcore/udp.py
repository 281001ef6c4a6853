"""`socket` objects for SOCK_DGRAM (UDP over IPv4 and IPv6), on Netty's NioDatagramChannel.

A datagram socket owns a java.nio DatagramChannel from the start (options and bind go
straight to it).  It is registered with the shared event loop as soon as it has a local
address -- after bind(), connect(), or the first sendto(), which binds to the wildcard
address first, as the kernel's autobind does -- and from then on the event loop reads
datagrams into the DatagramState queue (see dgramstate).  Receiving is a `deadline.run`
attempt over that queue, so blocking, timeout and non-blocking modes differ only in the
deadline.  Sending writes straight into the java.nio channel from the caller's thread,
so EMSGSIZE, EACCES (broadcast without SO_BROADCAST) or ECONNREFUSED are raised by the
call that caused them, as on Linux.
"""
import errno

from java.lang import Throwable
from java.net import BindException, StandardProtocolFamily
from java.nio import ByteBuffer
from java.nio.channels import DatagramChannel
from org.python.core.util import StringUtil

from _socketcore import (addresses, buffers, deadline, dgramoptions, fdtable, handlers, netty,
                         runtime, tcp)
from _socketcore import constants as _c
from _socketcore.bytesconv import as_bytes
from _socketcore.deadline import WOULD_BLOCK
from _socketcore.dgramstate import DatagramHandler, DatagramState
from _socketcore.errors import bad_fd, from_java, socket_error, timed_out
from _socketcore.readiness import CONNECTED, CLOSED
from _socketcore.timeouts import getdefaulttimeout

# Largest UDP payloads: 65535 minus the IPv4 (20) or IPv6 (40, jumbograms aside) and UDP
# (8) headers.  Larger datagrams fail with EMSGSIZE, as Linux reports them.
MAX_PAYLOAD = {_c.AF_INET: 65507, _c.AF_INET6: 65527}
# Every receive gets a buffer big enough for the largest datagram, so none is cut short
# before the caller decides how much of it to take (Netty's default is 2048 bytes).
_RECEIVE_BUFFER = 65536
_RECV_FLAGS = _c.MSG_PEEK | _c.MSG_DONTWAIT
_SEND_FLAGS = _c.MSG_DONTWAIT


class DatagramSocket(tcp.socket):
    """A UDP socket with CPython 2.7's interface; `socket.socket(AF_INET, SOCK_DGRAM)`
    returns one (it is an instance of socket.socket)."""

    def __init__(self, family=_c.AF_INET, type=_c.SOCK_DGRAM, proto=0, _sock=None, _state=None):
        if family not in (_c.AF_INET, _c.AF_INET6):
            raise socket_error(errno.EAFNOSUPPORT)
        if proto not in (0, _c.IPPROTO_UDP):
            raise socket_error(errno.EPROTONOSUPPORT)
        if _sock is not None:
            _state = _sock._share_state()
        if _state is None:
            try:
                java_channel = DatagramChannel.open(_protocol_family(family))
            except Throwable as cause:
                raise from_java(cause)
            _state = DatagramState(family, java_channel)
        self._family, self._type, self._proto = family, _c.SOCK_DGRAM, proto
        self._state = _state
        self._timeout = _sock._timeout if _sock is not None else getdefaulttimeout()
        self._closed = False
        self._fileno = fdtable.allocate(self)

    def dup(self):
        """A new socket object on the same endpoint (of a closed socket: a closed one)."""
        if self._closed:
            return tcp._closed_socket(self)
        return DatagramSocket(self._family, self._type, self._proto, _sock=self)

    # ------------------------------------------------------------------ set-up

    def _java_channel(self):
        return self._check_open().java_channel

    def bind(self, address):
        """Bind now (getsockname() shows the port); EINVAL if already bound."""
        state = self._check_open()
        local = addresses.to_java(self._family, address, passive=True)
        channel = state.java_channel
        if channel.getLocalAddress() is not None:
            raise socket_error(errno.EINVAL)
        try:
            channel.bind(local)
        except Throwable as cause:
            raise from_java(cause)
        _register(state)

    def listen(self, backlog=_c.SOMAXCONN):
        self._check_open()
        raise socket_error(errno.EOPNOTSUPP)

    def accept(self):
        self._check_open()
        raise socket_error(errno.EOPNOTSUPP)

    def connect(self, address):
        """Set the default destination and receive only from it (no packet is sent)."""
        code = self.connect_ex(address)
        if code:
            raise socket_error(code)

    def connect_ex(self, address):
        state = self._check_open()
        remote = addresses.to_java(self._family, address)
        channel = state.java_channel
        try:
            if channel.isConnected():
                channel.disconnect()   # the JVM refuses to re-connect; Linux just re-targets
            channel.connect(remote)
        except Throwable as cause:
            raise from_java(cause)
        state.lock.lock()
        try:
            state.phase = CONNECTED
            state.error = 0
        finally:
            state.lock.unlock()
        _register(state)
        return 0

    # ------------------------------------------------------------------ receiving

    def _receive(self, bufsize, flags, what):
        """(data, sender InetSocketAddress) of the next datagram, cut to `bufsize` bytes."""
        size = tcp._check_size(bufsize, what)
        state = self._check_open()
        tcp._check_flags(flags, _RECV_FLAGS)
        peek = bool(flags & _c.MSG_PEEK)

        def attempt():
            if state.phase == CLOSED:
                raise bad_fd()
            if state.queue:
                return state.take(size, peek)
            if state.error:
                raise socket_error(state.take_error())
            state.request_read()
            return WOULD_BLOCK
        timeout = 0.0 if flags & _c.MSG_DONTWAIT else self._timeout
        return deadline.run(state, attempt, timeout)

    def recv(self, bufsize, flags=0):
        """The next datagram, at most `bufsize` bytes of it (the rest is discarded)."""
        return self._receive(bufsize, flags, 'recv')[0]

    def recvfrom(self, bufsize, flags=0):
        """(data, address) of the next datagram, at most `bufsize` bytes of it."""
        data, sender = self._receive(bufsize, flags, 'recvfrom')
        return data, self._sender_address(sender)

    def recvfrom_into(self, buffer, nbytes=0, flags=0):
        """(count, address): the next datagram written into `buffer`."""
        length = buffers.writable_length(buffer, 'recvfrom_into')
        if nbytes < 0:
            raise ValueError('negative buffersize in recvfrom_into')
        if nbytes == 0:
            nbytes = length
        elif nbytes > length:
            raise ValueError('nbytes is greater than the length of the buffer')
        data, sender = self._receive(nbytes, flags, 'recvfrom_into')
        buffers.copy_into(buffer, data)
        return len(data), self._sender_address(sender)

    def _sender_address(self, sender):
        """The address recvfrom reports for a datagram's sender (AF_UNIX overrides it)."""
        return addresses.from_java(sender)

    # ------------------------------------------------------------------ sending

    def send(self, data, flags=0):
        """Send one datagram to the connected address; EDESTADDRREQ if not connected."""
        payload = as_bytes(data, 'send')
        return self._send(payload, flags, None)

    def sendall(self, data, flags=0):
        """As send(): a datagram goes out whole or not at all."""
        payload = as_bytes(data, 'sendall')
        self._send(payload, flags, None)

    def sendto(self, data, *args):
        """sendto(data[, flags], address): send one datagram; the count of bytes sent."""
        payload, flags, address = sendto_args(data, args)
        target = addresses.to_java(self._family, address)
        return self._send(payload, flags, target)

    def _send(self, payload, flags, target):
        state = self._check_open()
        tcp._check_flags(flags, _SEND_FLAGS)
        if target is None and state.phase != CONNECTED:
            raise socket_error(errno.EDESTADDRREQ)
        if len(payload) > MAX_PAYLOAD[self._family]:
            raise socket_error(errno.EMSGSIZE)
        channel = state.java_channel
        state.lock.lock()
        try:
            if state.phase == CLOSED:
                raise bad_fd()
            if state.output_shutdown:
                raise socket_error(errno.EPIPE)
            if state.error:
                raise socket_error(state.take_error())
        finally:
            state.lock.unlock()
        if channel.getLocalAddress() is None:
            self.bind(addresses.wildcard(self._family))   # the kernel's autobind
        data = ByteBuffer.wrap(StringUtil.toBytes(payload))
        try:
            if target is None:
                sent = channel.write(data)
            else:
                sent = channel.send(data, target)
        except BindException as cause:
            # the JVM reports a broadcast without SO_BROADCAST as a BindException
            if 'permission denied' in (cause.getMessage() or '').lower():
                raise socket_error(errno.EACCES)
            raise from_java(cause)
        except Throwable as cause:
            raise from_java(cause)
        if sent == 0 and payload:
            sent = _send_when_room(state, payload, target, self._timeout_for(flags))
        return sent

    # ------------------------------------------------------------------ ending

    def shutdown(self, how):
        """Linux's UDP shutdown: ENOTCONN unless connected; afterwards SHUT_RD only shows in
        poll (POLLIN | POLLRDHUP: reads still wait for datagrams), SHUT_WR makes sends EPIPE."""
        self._shutdown(how, needs_peer=True)

    def _shutdown(self, how, needs_peer):
        state = self._check_open()
        if how not in (_c.SHUT_RD, _c.SHUT_WR, _c.SHUT_RDWR):
            raise socket_error(errno.EINVAL)
        state.lock.lock()
        try:
            if needs_peer and state.phase != CONNECTED:
                raise socket_error(errno.ENOTCONN)
            if how in (_c.SHUT_RD, _c.SHUT_RDWR):
                state.input_shutdown = True
            if how in (_c.SHUT_WR, _c.SHUT_RDWR):
                state.output_shutdown = True
        finally:
            state.lock.unlock()
        state.signal()

    # ------------------------------------------------------------------ names and options

    def getsockname(self):
        state = self._check_open()
        try:
            local = state.java_channel.getLocalAddress()
        except Throwable as cause:
            raise from_java(cause)
        if local is None:
            return addresses.wildcard(self._family)
        return addresses.from_java(local)

    def getpeername(self):
        state = self._check_open()
        try:
            remote = state.java_channel.getRemoteAddress()
        except Throwable as cause:
            raise from_java(cause)
        if remote is None:
            raise socket_error(errno.ENOTCONN)
        return addresses.from_java(remote)

    def setsockopt(self, level, option, value):
        dgramoptions.set_option(self, self._check_open(), level, option, value)

    def getsockopt(self, level, option, buflen=None):
        return dgramoptions.get_option(self, self._check_open(), level, option, buflen)


def _protocol_family(family):
    return StandardProtocolFamily.INET6 if family == _c.AF_INET6 else StandardProtocolFamily.INET


def _register(state):
    """Register the (now bound) channel with the event loop once; reading starts when the
    channel becomes active."""
    if state.channel is not None:
        return
    bootstrap = netty.Bootstrap()
    bootstrap.group(runtime.event_loop_group())
    bootstrap.channelFactory(handlers.PrebuiltChannel(netty.NioDatagramChannel(state.java_channel)))
    bootstrap.option(netty.ChannelOption.AUTO_READ, False)
    bootstrap.option(netty.ChannelOption.ALLOCATOR, runtime.allocator())
    bootstrap.option(netty.ChannelOption.RCVBUF_ALLOCATOR,
                     netty.FixedRecvByteBufAllocator(_RECEIVE_BUFFER))
    bootstrap.handler(DatagramHandler(state))
    state.lock.lock()
    try:
        if state.channel is not None or state.phase == CLOSED:
            return
        future = bootstrap.register()
        state.channel = future.channel()
    finally:
        state.lock.unlock()
    future.awaitUninterruptibly()
    if not future.isSuccess():
        raise from_java(future.cause())


def _send_when_room(state, payload, target, timeout):
    """The kernel's send buffer is full: EAGAIN in non-blocking mode; otherwise hand the
    datagram to Netty, which sends it when the channel is writable, and wait for that."""
    if timeout == 0.0:
        raise socket_error(errno.EAGAIN)
    buf = netty.Unpooled.wrappedBuffer(StringUtil.toBytes(payload))
    message = buf if target is None else netty.DatagramPacket(buf, target)
    future = state.channel.writeAndFlush(message)
    if timeout is None:
        future.awaitUninterruptibly()
    elif not future.awaitUninterruptibly(long(timeout * 1000)):
        raise timed_out()
    if not future.isSuccess():
        raise from_java(future.cause())
    return len(payload)


def sendto_args(data, args):
    """(payload, flags, address) from sendto(data[, flags], address), with CPython's errors."""
    if len(args) == 1:
        flags, address = 0, args[0]
    elif len(args) == 2:
        flags, address = args
    else:
        raise TypeError('sendto() takes 2 or 3 arguments (%d given)' % (len(args) + 1))
    payload = as_bytes(data, 'sendto')
    if not isinstance(flags, (int, long)):
        raise TypeError('an integer is required')
    return payload, flags, address
