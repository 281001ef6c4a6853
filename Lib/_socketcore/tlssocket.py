"""SSLSocket: a TCP socket of ours with Netty's SslHandler in its pipeline (the user side;
the event-loop side, handlers and TlsSession, is in tlspipeline).

The StreamState only ever receives plaintext, so `buffered` is the plaintext pending and
the usual readiness rules hold.  A finished or failed handshake that no call has reported
yet sets `state.tls_unreported`, which readiness reports as readable and writable, so a
non-blocking caller that got SSLWantReadError from do_handshake() wakes up exactly when
calling again is worth it.

User calls are `deadline.run` attempts like the plain socket's: blocking, timeout
(socket.timeout with CPython's "The ... operation timed out" text) and non-blocking
(SSLWantReadError / SSLWantWriteError) modes differ only in the deadline.
"""
import errno

from java.lang import Throwable

from _socketcore import deadline, fdtable, tcp, tlscerts, tlsciphers
from _socketcore.buffers import copy_into, writable_length
from _socketcore import constants as _c
from _socketcore import tlsconstants as _k
from _socketcore.deadline import WOULD_BLOCK
from _socketcore.errors import bad_fd, error, socket_error, timeout
from _socketcore.readiness import CONNECTED, CONNECTING, CLOSED
from _socketcore.tlscontext import SSLContext
from _socketcore.tlserrors import (SSLError, eof_error, timed_out, want_read, want_write)
from _socketcore.tlshostname import match_hostname
from _socketcore.tlspipeline import TlsSession


class SSLSocket(tcp.socket):
    """CPython 2.7.18's ssl.SSLSocket: a socket whose traffic runs through TLS."""

    def __init__(self, sock=None, keyfile=None, certfile=None, server_side=False,
                 cert_reqs=_k.CERT_NONE, ssl_version=_k.PROTOCOL_TLS, ca_certs=None,
                 do_handshake_on_connect=True, family=_c.AF_INET, type=_c.SOCK_STREAM,
                 proto=0, fileno=None, suppress_ragged_eofs=True, npn_protocols=None,
                 ciphers=None, server_hostname=None, _context=None):
        if _context is not None:
            context = _context
        else:
            if server_side and not certfile:
                raise ValueError('certfile must be specified for server-side operations')
            if keyfile and not certfile:
                raise ValueError('certfile must be specified')
            if certfile and not keyfile:
                keyfile = certfile
            context = SSLContext(ssl_version)
            context.verify_mode = cert_reqs
            if ca_certs:
                context.load_verify_locations(ca_certs)
            if certfile:
                context.load_cert_chain(certfile, keyfile)
            if npn_protocols:
                context.set_npn_protocols(npn_protocols)
            if ciphers:
                context.set_ciphers(ciphers)
        self.keyfile, self.certfile, self.cert_reqs = keyfile, certfile, cert_reqs
        self.ssl_version, self.ca_certs, self.ciphers = ssl_version, ca_certs, ciphers
        if server_side and server_hostname:
            raise ValueError('server_hostname can only be specified in server mode')
        if context.check_hostname and not server_hostname:
            raise ValueError('check_hostname requires server_hostname')
        self._context = context
        self.server_side = server_side
        self.server_hostname = server_hostname
        self.do_handshake_on_connect = do_handshake_on_connect
        self.suppress_ragged_eofs = suppress_ragged_eofs
        if sock is not None:
            if sock.type != _c.SOCK_STREAM:
                raise NotImplementedError('only stream sockets are supported')
            _take_over(self, sock)
        else:
            tcp.socket.__init__(self, family, type, proto)
        self._tls = None
        state = self._state
        self._connected = state.phase == CONNECTED
        if self._connected:
            try:
                self._start_tls()
                if do_handshake_on_connect:
                    if self.gettimeout() == 0.0:
                        raise ValueError('do_handshake_on_connect should not be specified '
                                         'for non-blocking sockets')
                    self.do_handshake()
            except (error, ValueError):
                self.close()
                raise

    def _set_context(self, ctx):
        if not isinstance(ctx, SSLContext):
            raise TypeError('The value must be a SSLContext')
        self._context = ctx

    context = property(lambda self: self._context, _set_context,
                       doc='the SSLContext of this socket (a servername callback may switch '
                           'it)')

    # CPython code (asyncore-based servers, test_ftplib) checks `sock._sslobj is not None`
    # to know whether TLS is active on the socket.
    _sslobj = property(lambda self: self._tls,
                       doc='the TLS session while TLS runs on this socket, else None')

    # ------------------------------------------------------------------ TLS set-up

    def _start_tls(self):
        state = self._state
        session = TlsSession(state, self._context, self.server_side, self.server_hostname)
        session.owner = self
        session.install()
        self._tls = session
        state.tls = session

    def _session(self, what='Read'):
        """The TlsSession, created now if the connection completed since wrapping (None
        once unwrapped or shut down: the socket is plain again)."""
        if self._tls is None:
            if getattr(self, '_unwrapped', False):
                return None
            if self._closed:
                raise ValueError('%s on closed or unwrapped SSL socket.' % what)
            state = self._state
            if state.phase == CONNECTED and not self.server_side or \
                    state.phase == CONNECTED and self._connected:
                self._connected = True
                self._start_tls()
            else:
                return None
        return self._tls

    def dup(self):
        raise NotImplementedError("Can't dup() %s instances" % self.__class__.__name__)

    def _clone(self):
        """Another SSLSocket object on the same connection and TLS session (makefile)."""
        clone = SSLSocket.__new__(SSLSocket)
        tcp.socket.__init__(clone, self._family, self._type, self._proto, _sock=self)
        for name in ('keyfile', 'certfile', 'cert_reqs', 'ssl_version', 'ca_certs', 'ciphers',
                     '_context', 'server_side', 'server_hostname', 'do_handshake_on_connect',
                     'suppress_ragged_eofs', '_tls', '_connected'):
            setattr(clone, name, getattr(self, name))
        return clone

    def makefile(self, mode='r', bufsize=-1):
        from _socketcore.fileobject import _fileobject
        return _fileobject(self._clone(), mode, bufsize, close=True)

    # ------------------------------------------------------------------ connecting

    def _real_connect(self, address, connect_ex):
        if self.server_side:
            raise ValueError("can't connect in server-side mode")
        if self._connected or self._tls is not None:
            raise ValueError('attempt to connect already-connected SSLSocket!')
        if connect_ex:
            rc = tcp.socket.connect_ex(self, address)
        else:
            rc = None
            tcp.socket.connect(self, address)
        if not rc:
            self._connected = True
            self._start_tls()
            if self.do_handshake_on_connect:
                self.do_handshake()
        return rc

    def connect(self, address):
        self._real_connect(address, False)

    def connect_ex(self, address):
        return self._real_connect(address, True)

    def accept(self):
        sock, address = tcp.socket.accept(self)
        try:
            wrapped = self._context.wrap_socket(
                sock, do_handshake_on_connect=self.do_handshake_on_connect,
                suppress_ragged_eofs=self.suppress_ragged_eofs, server_side=True)
        finally:
            sock.close()
        return wrapped, address

    # ------------------------------------------------------------------ handshake

    def do_handshake(self, block=False):
        """Run (or wait for) the TLS handshake, then check the host name if asked to."""
        state = self._check_open()
        if state.phase == CONNECTING:
            if self._timeout == 0.0 and not block:
                raise want_write()
            self._run(lambda: WOULD_BLOCK if state.phase == CONNECTING else True,
                      None if block else self._timeout, 'handshake', want_write)
        session = self._session('Handshake')
        if session is None:
            raise socket_error(errno.ENOTCONN)
        wait = None if block and self._timeout == 0.0 else self._timeout

        def attempt():
            if state.phase == CLOSED:
                raise bad_fd()
            if session.error is not None:
                state.tls_unreported = False
                raise session.error
            if session.done:
                state.tls_unreported = False
                return True
            if state.input_shutdown:
                raise eof_error()
            if state.error:
                raise socket_error(state.take_error())
            return WOULD_BLOCK
        self._run(attempt, wait, 'handshake', want_read)
        if self._context.check_hostname and not session.hostname_checked:
            if not self.server_hostname:
                raise ValueError('check_hostname needs server_hostname argument')
            match_hostname(self.getpeercert(), self.server_hostname)
            session.hostname_checked = True

    def _run(self, attempt, wait, what, when_nonblocking):
        try:
            return deadline.run(self._state, attempt, wait, when_nonblocking)
        except timeout as exc:
            if isinstance(exc, SSLError):
                raise
            raise timed_out(what)

    # ------------------------------------------------------------------ reading

    def read(self, len=1024, buffer=None):
        """Up to `len` bytes of plaintext ('' at close_notify; at a ragged EOF too when
        suppress_ragged_eofs, else SSLEOFError).  With `buffer`: fills it, returns the count."""
        if self._closed:
            raise ValueError('Read on closed or unwrapped SSL socket.')
        session = self._session('Read')
        if session is None:
            raise socket_error(errno.ENOTCONN)
        if buffer is not None:
            room = _buffer_size(buffer)
            len = room if len <= 0 else min(len, room)
        if len < 0:
            raise ValueError('size should not be negative')
        if len == 0:
            return '' if buffer is None else 0
        try:
            data = self._read(session, len)
        except SSLError as exc:
            if exc.args[0] == _k.SSL_ERROR_EOF and self.suppress_ragged_eofs:
                data = ''
            else:
                raise
        if buffer is None:
            return data
        copy_into(buffer, data)
        return _builtin_len(data)

    def _read(self, session, size):
        state = self._state

        def attempt():
            if state.phase == CLOSED:
                raise bad_fd()
            if session.error is not None:
                state.tls_unreported = False
                raise session.error
            if not session.done:
                if state.input_shutdown:
                    raise eof_error()
                return WOULD_BLOCK
            state.tls_unreported = False      # the handshake's end is reported by this read
            if size == 0:
                return ''
            if state.buffered:
                return state.take(size)
            if session.close_notify:
                return ''
            if state.error:
                code = state.take_error()
                if code in (errno.ECONNRESET, errno.EPIPE):
                    raise socket_error(code)
                raise socket_error(code)
            if state.input_shutdown:
                raise eof_error()
            state.request_read()
            return WOULD_BLOCK
        return self._run(attempt, self._timeout, 'read', want_read)

    def recv(self, buflen=1024, flags=0):
        if self._tls is None and self._session('Read') is None:
            return tcp.socket.recv(self, buflen, flags)
        if flags != 0:
            raise ValueError('non-zero flags not allowed in calls to recv() on %s'
                             % self.__class__)
        return self.read(buflen)

    def recv_into(self, buffer, nbytes=None, flags=0):
        if buffer and nbytes is None:
            nbytes = _buffer_size(buffer)
        elif nbytes is None:
            nbytes = 1024
        if self._tls is None and self._session('Read') is None:
            return tcp.socket.recv_into(self, buffer, nbytes, flags)
        if flags != 0:
            raise ValueError('non-zero flags not allowed in calls to recv_into() on %s'
                             % self.__class__)
        return self.read(nbytes, buffer)

    def recvfrom(self, buflen=1024, flags=0):
        if self._tls is not None:
            raise ValueError('recvfrom not allowed on instances of %s' % self.__class__)
        return tcp.socket.recvfrom(self, buflen, flags)

    def recvfrom_into(self, buffer, nbytes=None, flags=0):
        if self._tls is not None:
            raise ValueError('recvfrom_into not allowed on instances of %s' % self.__class__)
        return tcp.socket.recvfrom_into(self, buffer, nbytes or 0, flags)

    def pending(self):
        """Plaintext bytes received and decrypted but not read yet."""
        if self._tls is None:
            return 0
        state = self._state
        state.lock.lock()
        try:
            return state.buffered if state.phase != CLOSED else 0
        finally:
            state.lock.unlock()

    # ------------------------------------------------------------------ writing

    def write(self, data):
        """Send `data` through TLS; the count of bytes taken (SSLWantWriteError when a
        non-blocking socket has no room)."""
        if self._closed:
            raise ValueError('Write on closed or unwrapped SSL socket.')
        session = self._session('Write')
        if session is None:
            raise ValueError('Write on closed or unwrapped SSL socket.')
        from _socketcore.bytesconv import as_bytes
        payload = as_bytes(data, 'write')
        if not payload:
            return 0
        return self._write(session, payload, self._timeout)

    def _write(self, session, payload, wait):
        state = self._state

        def attempt():
            if state.phase == CLOSED:
                raise bad_fd()
            if session.error is not None:
                raise session.error
            if not session.done:
                if state.input_shutdown:
                    raise eof_error()
                return WOULD_BLOCK
            state.tls_unreported = False
            return tcp._write(state, payload, 0)
        if wait == 0.0:
            try:
                return deadline.run(state, attempt, 0.0, want_write)
            except SSLError as exc:
                if exc.args[0] != _k.SSL_ERROR_WANT_WRITE or not session.done:
                    raise
            tcp._let_event_loop_flush(state.channel)
            return deadline.run(state, attempt, 0.0, want_write)
        return self._run(attempt, wait, 'write', want_write)

    def send(self, data, flags=0):
        if self._tls is None and self._session('Write') is None:
            return tcp.socket.send(self, data, flags)
        if flags != 0:
            raise ValueError('non-zero flags not allowed in calls to send() on %s'
                             % self.__class__)
        try:
            return self.write(data)
        except SSLError as exc:
            if exc.args[0] in (_k.SSL_ERROR_WANT_READ, _k.SSL_ERROR_WANT_WRITE):
                return 0
            raise

    def sendall(self, data, flags=0):
        if self._tls is None and self._session('Write') is None:
            return tcp.socket.sendall(self, data, flags)
        if flags != 0:
            raise ValueError('non-zero flags not allowed in calls to sendall() on %s'
                             % self.__class__)
        from _socketcore.bytesconv import as_bytes
        payload = as_bytes(data, 'sendall')
        count = 0
        while count < _builtin_len(payload):
            sent = self.send(payload[count:])
            count += sent
        return _builtin_len(payload)

    def sendto(self, data, flags_or_addr, addr=None):
        if self._tls is not None:
            raise ValueError('sendto not allowed on instances of %s' % self.__class__)
        return tcp.socket.sendto(self, data, flags_or_addr, addr)

    # ------------------------------------------------------------------ what was negotiated

    def _check_connected(self):
        if not self._connected:
            self.getpeername()      # socket.error ENOTCONN when not connected

    def getpeercert(self, binary_form=False):
        """The peer's certificate: a dict (empty if it was not verified), DER with
        binary_form, None if the peer sent none."""
        self._check_open()
        self._check_connected()
        session = self._tls
        engine_session = session.engine_session() if session is not None else None
        if engine_session is None:
            raise ValueError('handshake not done yet')
        try:
            certs = engine_session.getPeerCertificates()
        except Throwable:
            return None
        if not certs:
            return None
        if binary_form:
            return tlscerts.to_bytes(certs[0].getEncoded())
        if self._context.verify_mode == _k.CERT_NONE:
            return {}
        return tlscerts.decode_certificate(certs[0])

    def cipher(self):
        """(OpenSSL cipher name, protocol version, secret bits), None before the handshake."""
        session = None if self._closed else self._tls      # None once closed, as CPython
        engine_session = session.engine_session() if session is not None else None
        if engine_session is None:
            return None
        suite = tlsciphers.by_jsse(str(engine_session.getCipherSuite()))
        protocol = str(engine_session.getProtocol())
        if suite is None:
            return (str(engine_session.getCipherSuite()), protocol, None)
        return (suite.openssl, protocol, suite.bits)

    def shared_ciphers(self):
        session = None if self._closed else self._tls      # None once closed, as CPython
        if session is None or session.handler is None:
            return None
        engine = session.handler.engine()
        protocol = str(engine.getSession().getProtocol()) if session.done else None
        result = []
        # what the context asked for when set_ciphers() was called (both engines alike: the
        # OpenSSL engine leaves TLS 1.3's suites out of its list when TLS 1.3 is off)
        names = session.context.enabled_ciphers()
        for name in (names if names is not None else engine.getEnabledCipherSuites()):
            suite = tlsciphers.by_jsse(str(name))
            if suite is not None:
                result.append((suite.openssl, protocol or 'TLSv1.2', suite.bits))
        return result

    def version(self):
        session = None if self._closed else self._tls      # None once closed, as CPython
        engine_session = session.engine_session() if session is not None else None
        if engine_session is None:
            return None
        return str(engine_session.getProtocol())

    def selected_alpn_protocol(self):
        session = None if self._closed else self._tls      # None once closed, as CPython
        if session is None or not session.done:
            return None
        protocol = session.handler.applicationProtocol()
        return str(protocol) if protocol else None

    def selected_npn_protocol(self):
        return None

    def compression(self):
        return None

    def get_channel_binding(self, cb_type='tls-unique'):
        if cb_type not in _k.CHANNEL_BINDING_TYPES:
            raise ValueError('Unsupported channel binding type')
        return None

    # ------------------------------------------------------------------ ending

    def shutdown(self, how):
        """Shut the TCP connection down under TLS (no close_notify), as CPython does."""
        self._check_open()
        self._tls = None
        self._unwrapped = True
        tcp.socket.shutdown(self, how)

    def unwrap(self):
        """End TLS: send close_notify, wait for the peer's, remove the SslHandler and return
        a plain socket on the same connection.  Bytes the peer sends in clear after its
        close_notify are kept.  Non-blocking: SSLWantReadError until the peer's close_notify
        has arrived (call again when readable)."""
        self._check_open()
        session = self._tls
        if session is None or getattr(self, '_unwrapped', False):
            raise ValueError('No SSL wrapper around ' + repr(self))
        state = self._state
        if not session.close_sent:
            session.close_sent = True
            session.close_outbound()

        def attempt():
            if state.phase == CLOSED:
                raise bad_fd()
            if session.close_notify:
                return True
            if session.error is not None:
                raise session.error
            if state.input_shutdown:
                raise eof_error()
            state.request_read()
            return WOULD_BLOCK
        self._run(attempt, self._timeout, 'read', want_read)
        session.remove()
        self._tls = None
        self._unwrapped = True
        return tcp.socket(self._family, self._type, self._proto, _sock=self)


_builtin_len = len


def _take_over(sslsocket, sock):
    """Make `sslsocket` the owner of `sock`'s connection.

    In CPython 2.7 both objects share one kernel socket, closed when the last of them goes
    away; the wrapped object is usually dropped at once (`s = wrap_socket(s)`), so closing
    the SSLSocket closes the connection.  The JVM frees the dropped object only when its
    garbage collector runs, so instead the SSLSocket takes over the wrapped object's
    reference and file number, and closing the wrapped object afterwards only invalidates
    that object."""
    state = sock._check_open()
    tcp.socket.__init__(sslsocket, sock.family, sock.type, sock.proto, _state=state)
    sslsocket._timeout = sock._timeout
    # the same file number, as CPython (a poll registration made before wrapping holds)
    fdtable.release(sslsocket._fileno)
    sslsocket._fileno = sock._fileno
    fdtable.transfer(sock._fileno, sslsocket)

    def close_wrapped():
        sock._closed = True
    sock.close = close_wrapped


def _buffer_size(buffer):
    return writable_length(buffer, 'recv_into')
