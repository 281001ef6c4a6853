"""`socket` objects for SOCK_STREAM, on Netty channels.

Every method is a thin shell over `deadline.run(state, attempt, timeout)`: `attempt` tries
the operation without blocking against the StreamState (see channelstate), and the
socket's mode only chooses the deadline.  Bad arguments and Java failures surface as the
exceptions CPython 2.7 raises.
"""
# issue 8: without it every import inside a function first searches _socketcore/_socketcore
# (Jython does not remember the miss): ~2 ms per socket object
from __future__ import absolute_import
import errno
from functools import partial

from java.lang import Runnable, Throwable
from java.net import StandardProtocolFamily
from java.nio.channels import SocketChannel, ServerSocketChannel

from _socketcore import addresses, buffers, deadline, fdtable, handlers, netty, options, runtime
from _socketcore import constants as _c
from _socketcore.bytesconv import as_bytes, str_to_bytebuf
from _socketcore.channelstate import StreamState, close_listener
from _socketcore.deadline import WOULD_BLOCK
from _socketcore.errors import bad_fd, error, from_java, socket_error
from _socketcore.readiness import NEW, CONNECTING, CONNECTED, LISTENING, CLOSED
from _socketcore.timeouts import check_timeout, getdefaulttimeout

LOW_WATER_MARK = 64 * 1024
HIGH_WATER_MARK = 256 * 1024
_FLUSH_WAIT_MS = 100
_SUPPORTED_RECV_FLAGS = _c.MSG_PEEK | _c.MSG_WAITALL | _c.MSG_DONTWAIT
_SUPPORTED_SEND_FLAGS = _c.MSG_DONTWAIT


def _einprogress():
    return socket_error(errno.EINPROGRESS)


def _stream_options(bootstrap, child=False):
    """The channel options every stream channel runs with (see channelstate)."""
    option = bootstrap.childOption if child else bootstrap.option
    option(netty.ChannelOption.AUTO_READ, False)
    option(netty.ChannelOption.ALLOW_HALF_CLOSURE, True)
    option(netty.ChannelOption.ALLOCATOR, runtime.allocator())
    option(netty.ChannelOption.WRITE_BUFFER_WATER_MARK, _WATER_MARK)
    if not child:
        option(netty.ChannelOption.CONNECT_TIMEOUT_MILLIS, 0)


_WATER_MARK = netty.WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK)
_connect_templates = {}   # event-loop group -> Bootstrap with the stream options (issue 6)


def _connect_bootstrap(group):
    """A new Bootstrap on `group` with the stream options set: a clone of one template per
    group (issue 6: was four Python-level option calls and a WriteBufferWaterMark per connect)."""
    template = _connect_templates.get(group)
    if template is None:
        template = netty.Bootstrap()
        template.group(group)
        _stream_options(template)
        _connect_templates[group] = template
    return template.clone()


_STREAM_FAMILIES = (_c.AF_INET, _c.AF_INET6)
_TCP_PROTOCOLS = (0, _c.IPPROTO_TCP)
_SOCK_STREAM = _c.SOCK_STREAM

class_for = None      # (family, type) -> socket class; set by socktypes when it loads
subclass_for = None   # (user subclass, family, type) -> class; set by socktypes too


class socket(object):
    """A TCP socket with CPython 2.7's interface (blocking, timeout and non-blocking modes)."""

    # --- issue 7: socket(family, type) returns the class serving that type (see socktypes)
    def __new__(cls, family=_c.AF_INET, type=_c.SOCK_STREAM, *args, **kwargs):
        if class_for is None:
            from _socketcore import socktypes   # binds class_for and subclass_for
        if cls is socket:
            cls = class_for(family, type)
        elif isinstance(family, (int, long)) and isinstance(type, (int, long)):
            cls = subclass_for(cls, family, type)
        return object.__new__(cls)

    # Per-family hooks (AF_UNIX overrides them in unix.py).
    def _remote_address(self, address):
        return addresses.to_java(self._family, address)

    def _address_of(self, java_address):
        return addresses.from_java(java_address)

    def _netty_channel(self, java_channel):
        return netty.NioSocketChannel(java_channel)

    def _event_loop_group(self):
        return runtime.event_loop_group()

    def _transport_options(self, bootstrap):
        """Options a transport adds to a connecting channel's bootstrap (none for NIO)."""
    # --- end issue 7

    def __init__(self, family=_c.AF_INET, type=_c.SOCK_STREAM, proto=0, _sock=None, _state=None):
        if family not in _STREAM_FAMILIES:
            raise socket_error(errno.EAFNOSUPPORT)
        if type != _SOCK_STREAM:
            raise socket_error(errno.ESOCKTNOSUPPORT,
                               'only SOCK_STREAM sockets are implemented so far')
        if proto not in _TCP_PROTOCOLS:
            raise socket_error(errno.EPROTONOSUPPORT)
        if _sock is not None:
            _state = _sock._share_state()
        self._family, self._type, self._proto = family, type, proto
        self._state = _state if _state is not None else StreamState(family)
        self._timeout = _sock._timeout if _sock is not None else getdefaulttimeout()
        self._closed = False
        self._fileno = fdtable.allocate(self)

    # ------------------------------------------------------------------ identity

    family = property(lambda self: self._family, doc='the socket family')
    type = property(lambda self: self._type, doc='the socket type')
    proto = property(lambda self: self._proto, doc='the socket protocol')

    @property
    def _sock(self):
        return self

    def __repr__(self):
        return '<socket object, fd=%d, family=%d, type=%d, protocol=%d>' % (
            -1 if self._closed else self._fileno, self._family, self._type, self._proto)

    def fileno(self):
        """This socket's small integer file number (unique among open sockets)."""
        self._check_open()
        return self._fileno

    def _check_open(self):
        if self._closed:
            raise bad_fd()
        return self._state

    def _share_state(self):
        state = self._check_open()
        state.lock.lock()
        try:
            if state.phase == CLOSED:
                raise bad_fd()
            state.refs += 1
        finally:
            state.lock.unlock()
        return state

    def dup(self):
        """A new socket object on the same connection (of a closed socket: a closed one)."""
        if self._closed:
            return _closed_socket(self)
        return socket(self._family, self._type, self._proto, _sock=self)

    def makefile(self, mode='r', bufsize=-1):
        """A file object reading and writing this connection (holds its own reference)."""
        from _socketcore.fileobject import _fileobject
        return _fileobject(self.dup(), mode, bufsize, close=True)

    # ------------------------------------------------------------------ modes

    def settimeout(self, value):
        self._check_open()
        self._timeout = check_timeout(value)

    def gettimeout(self):
        self._check_open()
        return self._timeout

    def setblocking(self, flag):
        self._check_open()
        self._timeout = None if flag else 0.0

    # ------------------------------------------------------------------ set-up

    def _java_channel(self):
        """The java.nio SocketChannel that carries options and binding before connect."""
        state = self._state
        if state.bound_channel is None:
            try:
                state.bound_channel = SocketChannel.open(_protocol_family(self._family))
            except Throwable as cause:
                raise from_java(cause)
        return state.bound_channel

    def bind(self, address):
        """Bind now: getsockname() shows the kernel's port, EADDRINUSE is raised here."""
        state = self._check_open()
        local = addresses.to_java(self._family, address, passive=True)
        if state.phase != NEW or (state.bound_channel is not None
                                  and state.bound_channel.getLocalAddress() is not None):
            raise socket_error(errno.EINVAL)
        channel = self._java_channel()
        try:
            channel.bind(local)
        except Throwable as cause:
            raise from_java(cause)

    def listen(self, backlog=_c.SOMAXCONN):
        """Start accepting connections (any backlog, including 0 and negative)."""
        state = self._check_open()
        backlog = max(1, min(int(backlog), _c.SOMAXCONN))
        if state.phase == LISTENING:
            state.accept_limit = backlog
            return
        if state.phase != NEW:
            raise socket_error(errno.EINVAL)
        unbound = self._java_channel()
        local = unbound.getLocalAddress()
        saved, state.child_options = options.split_for_listen(state.user_options)
        unbound.close()
        state.bound_channel = None
        if local is None:
            local = addresses.to_java(self._family, addresses.wildcard(self._family), passive=True)
        try:
            server = ServerSocketChannel.open(_protocol_family(self._family))
            options.restore(server, saved)
            server.bind(local, backlog)
        except Throwable as cause:
            raise from_java(cause)
        state.accept_limit = backlog
        state.phase = LISTENING
        family = self._family
        bootstrap = netty.ServerBootstrap()
        group = runtime.event_loop_group()
        bootstrap.group(group, group)
        bootstrap.channelFactory(handlers.PrebuiltChannel(netty.NioServerSocketChannel(server)))
        bootstrap.option(netty.ChannelOption.AUTO_READ, False)
        bootstrap.handler(handlers.AcceptHandler(state))
        bootstrap.childHandler(handlers.ChildInitializer(state, partial(_accepted_state, family)))
        _stream_options(bootstrap, child=True)
        future = bootstrap.register()
        future.awaitUninterruptibly()
        if not future.isSuccess():
            state.phase = NEW
            server.close()
            raise from_java(future.cause())
        state.channel = future.channel()
        state.java_server = server

    def accept(self):
        """(socket, address) for the next incoming connection."""
        state = self._check_open()

        def attempt():
            if state.phase == CLOSED:
                raise bad_fd()
            if state.phase != LISTENING:
                raise socket_error(errno.EINVAL)
            if state.accept_queue:
                child = state.accept_queue.pop(0)
                if len(state.accept_queue) < state.accept_limit:
                    state.channel.read()
                return child
            return WOULD_BLOCK
        child = deadline.run(state, attempt, self._timeout)
        sock = socket(self._family, _c.SOCK_STREAM, 0, _state=child)
        return sock, self._address_of(child.peer)

    def connect(self, address):
        """Connect to `address`; EINPROGRESS in non-blocking mode, socket.timeout on timeout."""
        code = self._connect(address)
        if code:
            raise socket_error(code)

    def connect_ex(self, address):
        """Like connect() but returns an errno instead of raising socket.error (0: success)."""
        return self._connect(address)

    def _connect(self, address):
        state = self._check_open()
        remote = self._remote_address(address)
        state.lock.lock()
        try:
            phase = state.phase
            if phase == CLOSED:
                raise bad_fd()
            if phase == LISTENING:
                return errno.EINVAL
            if phase == CONNECTED:
                if state.connect_unreported:
                    state.connect_unreported = False
                    return 0
                return errno.EISCONN
            if phase == CONNECTING and self._timeout == 0.0:
                return errno.EALREADY
            if phase == NEW and state.connect_unreported and state.error:
                state.connect_unreported = False
                return state.take_error()
            start = phase == NEW
            if start:
                state.phase = CONNECTING
                state.error = 0
                state.input_shutdown = state.output_shutdown = False
                state.connect_unreported = True
        finally:
            state.lock.unlock()
        if start:
            self._start_connect(state, remote)
            if self._timeout == 0.0:
                return errno.EINPROGRESS  # as Linux, even when loopback finishes at once

        def attempt():
            if state.phase == CONNECTING:
                return WOULD_BLOCK
            state.connect_unreported = False
            if state.phase == CONNECTED:
                return 0
            if state.phase == CLOSED:
                raise bad_fd()
            return state.take_error() or errno.ECONNREFUSED
        try:
            return deadline.run(state, attempt, self._timeout, _einprogress)
        except Throwable as cause:
            raise from_java(cause)
        except Exception as exc:
            if getattr(exc, 'errno', None) == errno.EINPROGRESS:
                return errno.EINPROGRESS
            raise

    def _start_connect(self, state, remote):
        try:
            java_channel = self._java_channel()
            state.bound_channel = None
            channel = self._netty_channel(java_channel)
            # Netty's config turns TCP_NODELAY on when it wraps a channel; keep the user's.
            options.apply_to_channel(channel, options.for_new_connection(state.user_options))
            bootstrap = _connect_bootstrap(self._event_loop_group())
            bootstrap.channelFactory(handlers.PrebuiltChannel(channel))
            self._transport_options(bootstrap)
            handler = handlers.ConnectingStreamHandler(state)
            bootstrap.handler(handler)
            future = bootstrap.connect(remote)
            state.channel = future.channel()
            future.addListener(handler)   # a failed connect: state.on_connect_failed
        except Throwable as cause:
            state.on_connect_failed(cause)

    # ------------------------------------------------------------------ receiving

    def recv(self, bufsize, flags=0):
        """Up to `bufsize` bytes; '' on every call once the peer has closed."""
        size = _check_size(bufsize, 'recv')
        state = self._check_open()
        _check_flags(flags, _SUPPORTED_RECV_FLAGS)
        if size == 0:
            return ''
        # MSG_WAITALL gathers only in blocking mode: CPython runs timeout mode on a
        # non-blocking descriptor, where Linux returns what is there.
        if flags & _c.MSG_WAITALL and not flags & (_c.MSG_PEEK | _c.MSG_DONTWAIT) \
                and self._timeout is None:
            return self._recv_all(size, flags & ~_c.MSG_WAITALL)
        return deadline.run(state, lambda: _take(state, size, flags), self._timeout_for(flags))

    def _recv_all(self, size, flags):
        chunks, total = [], 0
        while total < size:
            data = self.recv(size - total, flags)
            if not data:
                break
            chunks.append(data)
            total += len(data)
        return ''.join(chunks)

    def recv_into(self, buffer, nbytes=0, flags=0):
        """Receive into a writable buffer (bytearray, memoryview, array); returns the count."""
        length = buffers.writable_length(buffer)
        if nbytes < 0:
            raise ValueError('negative buffersize in recv_into')
        if nbytes == 0:
            nbytes = length
        elif nbytes > length:
            raise ValueError('buffer too small for requested bytes')
        data = self.recv(nbytes, flags)
        buffers.copy_into(buffer, data)
        return len(data)

    def recvfrom(self, bufsize, flags=0):
        data = self.recv(bufsize, flags)
        return data, None

    def recvfrom_into(self, buffer, nbytes=0, flags=0):
        return self.recv_into(buffer, nbytes, flags), None

    def _timeout_for(self, flags):
        return 0.0 if flags & _c.MSG_DONTWAIT else self._timeout

    # ------------------------------------------------------------------ sending

    def send(self, data, flags=0):
        """Send some of `data`; the count sent (never 0 for non-empty data)."""
        payload = as_bytes(data, 'send')
        state = self._check_open()
        _check_flags(flags, _SUPPORTED_SEND_FLAGS)
        timeout = self._timeout_for(flags)
        if timeout is None:
            self._send_all(state, payload, timeout)
            return len(payload)
        attempt = lambda: _write(state, payload, 0)
        if timeout > 0.0:
            return deadline.run(state, attempt, timeout)
        try:
            return deadline.run(state, attempt, 0.0)
        except error as exc:
            if exc.errno != errno.EAGAIN:
                raise
        # Not writable may only mean the event loop has not flushed our last bytes into the
        # kernel yet.  Let it run what is queued, then decide: EAGAIN now means the kernel
        # really refused bytes, as it would on CPython.
        _let_event_loop_flush(state.channel)
        return deadline.run(state, attempt, 0.0)

    def sendall(self, data, flags=0):
        """Send all of `data`, waiting for room as needed; None on success."""
        payload = as_bytes(data, 'sendall')
        state = self._check_open()
        _check_flags(flags, _SUPPORTED_SEND_FLAGS)
        self._send_all(state, payload, self._timeout_for(flags))

    def _send_all(self, state, payload, timeout):
        offset = 0
        while True:
            offset += deadline.run(state, lambda: _write(state, payload, offset), timeout)
            if offset >= len(payload):
                return

    def sendto(self, data, flags_or_address, address=None):
        if address is None:
            flags, address = 0, flags_or_address
        else:
            flags = flags_or_address
        state = self._check_open()
        if state.phase == CONNECTED:
            raise socket_error(errno.EISCONN)
        return self.send(data, flags)

    # ------------------------------------------------------------------ ending

    def shutdown(self, how):
        """SHUT_RD: reads return ''; SHUT_WR: send FIN after queued bytes; SHUT_RDWR: both."""
        state = self._check_open()
        if how not in (_c.SHUT_RD, _c.SHUT_WR, _c.SHUT_RDWR):
            raise socket_error(errno.EINVAL)
        if state.phase == LISTENING:
            self._shutdown_listener(state, how)
            return
        state.lock.lock()
        try:
            if state.phase != CONNECTED:
                raise socket_error(errno.ENOTCONN)
            channel = state.channel
            if how in (_c.SHUT_RD, _c.SHUT_RDWR) and not state.input_shutdown:
                state.input_shutdown = True
                channel.shutdownInput()
            if how in (_c.SHUT_WR, _c.SHUT_RDWR) and not state.output_shutdown:
                state.output_shutdown = True
                state.after_writes(_shutdown_output)
            state.changed.signalAll()
        finally:
            state.lock.unlock()
        state._wake_watchers()

    def _shutdown_listener(self, state, how):
        """As Linux: SHUT_WR does nothing; SHUT_RD stops listening (accept then fails)."""
        if how == _c.SHUT_WR:
            return
        state.lock.lock()
        try:
            children, state.accept_queue = state.accept_queue, []
            channel, state.channel = state.channel, None
            state.phase = NEW
            state.changed.signalAll()
        finally:
            state.lock.unlock()
        state._wake_watchers()
        for child in children:
            child.close()
        if channel is not None:
            close_listener(channel, state.java_server)   # the port is free on return
        state.java_server = None

    def close(self):
        """Close this socket object; the connection closes when its last user closes it."""
        if self._closed:
            return
        self._closed = True
        fdtable.release(self._fileno)
        state = self._state
        state.lock.lock()
        try:
            state.refs -= 1
            last = state.refs <= 0
        finally:
            state.lock.unlock()
        if last:
            state.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ names and options

    def getsockname(self):
        state = self._check_open()
        local = None
        if state.channel is not None:
            local = state.channel.localAddress()
        elif state.bound_channel is not None:
            local = state.bound_channel.getLocalAddress()
        if local is None:
            return addresses.wildcard(self._family)
        return addresses.from_java(local)

    def getpeername(self):
        state = self._check_open()
        if state.phase != CONNECTED or state.peer is None:
            raise socket_error(errno.ENOTCONN)
        return addresses.from_java(state.peer)

    def setsockopt(self, level, option, value):
        options.set_option(self, self._check_open(), level, option, value)

    def getsockopt(self, level, option, buflen=None):
        return options.get_option(self, self._check_open(), level, option, buflen)


SocketType = socket


def _closed_socket(model):
    """A socket object like `model` that is already closed (every operation: EBADF)."""
    sock = socket.__new__(type(model))
    sock._family, sock._type, sock._proto = model._family, model._type, model._proto
    sock._state, sock._timeout = model._state, model._timeout
    sock._closed, sock._fileno = True, -1
    return sock


def _protocol_family(family):
    """An AF_INET socket is a pure IPv4 socket on the JVM too (so its names are 2-tuples)."""
    return StandardProtocolFamily.INET6 if family == _c.AF_INET6 else StandardProtocolFamily.INET


def _accepted_state(family, channel):
    state = StreamState(family)
    state.phase = CONNECTED
    state.channel = channel
    state.peer = channel.remoteAddress()
    return state


def _check_size(size, what):
    if not isinstance(size, (int, long)):
        raise TypeError('an integer is required')
    if size < 0:
        raise ValueError('negative buffersize in %s' % what)
    return size


def _check_flags(flags, supported):
    if not isinstance(flags, (int, long)):
        raise TypeError('an integer is required')
    if flags & ~supported:
        raise socket_error(errno.EOPNOTSUPP)


def _take(state, size, flags):
    """One receive attempt (lock held): data, '' at EOF, an error, or WOULD_BLOCK."""
    if state.phase == CLOSED:
        raise bad_fd()
    if state.buffered:
        return state.take(size, peek=bool(flags & _c.MSG_PEEK))
    if state.error:
        raise socket_error(state.take_error())
    if state.input_shutdown:
        return ''
    if state.phase != CONNECTED:
        raise socket_error(errno.ENOTCONN)
    state.request_read()
    return WOULD_BLOCK


def _write(state, payload, offset):
    """One send attempt (lock held): queue as much as the channel takes; the count queued."""
    if state.phase == CLOSED:
        raise bad_fd()
    if state.error:
        raise socket_error(state.take_error())
    if state.output_shutdown:
        raise socket_error(errno.EPIPE)
    if state.phase != CONNECTED:
        raise socket_error(errno.EPIPE if state.phase == NEW else errno.ENOTCONN)
    remaining = len(payload) - offset
    if remaining <= 0:
        return 0
    channel = state.channel
    if not channel.isWritable():
        state.channel_writable = False
        return WOULD_BLOCK
    count = channel.bytesBeforeUnwritable()   # (no min/max: builtins are slow lookups)
    if count < 1:
        count = 1
    elif count > remaining:
        count = remaining
    future = channel.writeAndFlush(str_to_bytebuf(payload, offset, offset + count))
    # Netty's own Java listener: a failed write reaches StreamHandler.exceptionCaught (and so
    # state.on_error) through the pipeline, and a successful one costs no Python call on the
    # event loop (1 KiB sendall: about 15% less CPU).
    future.addListener(_FIRE_EXCEPTION_ON_FAILURE)
    state.last_write = future
    return count


_FIRE_EXCEPTION_ON_FAILURE = netty.ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE


class _Nothing(Runnable):
    def run(self):
        pass


_NOTHING = _Nothing()


def _let_event_loop_flush(channel):
    """Wait (user thread, lock not held) until the channel's event loop has run every task
    queued so far, so pending flushes have reached the kernel."""
    if channel is not None and not channel.eventLoop().inEventLoop():
        channel.eventLoop().submit(_NOTHING).awaitUninterruptibly(_FLUSH_WAIT_MS)


def _shutdown_output(channel):
    if channel is not None:
        channel.shutdownOutput()
