"""The event-loop side of a TLS connection: Netty's SslHandler in the pipeline.

The pipeline of a TLS connection is  ssl (SslHandler) -> tls-events (TlsEventHandler) ->
StreamHandler.  The SslHandler runs the handshake on the event loop by itself; the
StreamState then only ever receives plaintext.  TlsEventHandler turns the SslHandler's
events into fields of the connection's `TlsSession` (guarded by the StreamState's lock):
handshake done or failed, close_notify received, the first TLS failure (already mapped to
an ssl exception by tlserrors).  Each change wakes blocked callers and select/poll watchers.

The handlers are installed by one event-loop task, which also moves any bytes the socket
received before wrapping (a ClientHello that arrived before the server wrapped an accepted
socket, the start of the handshake after STARTTLS) from the StreamState back into the
SslHandler, so none is lost.  `tlssocket` holds the user side (SSLSocket).
"""
from java.lang import Runnable, Throwable
from java.util import ArrayList
from javax.net.ssl import SNIHostName, SSLException

from _socketcore import netty, tlscerts
from _socketcore import tlsconstants as _k
from _socketcore.tlserrors import SSLError, from_java

SSL_HANDLER = 'ssl'
_ALERT_NAMES = dict((getattr(_k, name), name[len('ALERT_DESCRIPTION_'):].lower())
                    for name in dir(_k) if name.startswith('ALERT_DESCRIPTION_'))
EVENTS_HANDLER = 'tls-events'
GATE_HANDLER = 'tls-unwrap-gate'
_RECORD_HEADER = 5            # TLS record: type, version (2), length (2)

class TlsSession(object):
    """TLS state of one connection (fields guarded by state.lock; see module docstring)."""

    def __init__(self, state, context, server_side, server_hostname):
        self.state = state
        self.context = context
        self.server_side = server_side
        self.server_hostname = server_hostname
        self.handler = None
        self.done = False
        self.error = None
        self.close_notify = False
        self.hostname_checked = False
        self.owner = None             # the SSLSocket (for the servername callback)
        self.callback_error = None
        self.callback_alert = None    # ALERT_DESCRIPTION_* the servername callback chose
        self.close_sent = False       # unwrap() sent our close_notify
        self.saw_fin = False          # the TCP connection itself ended (FIN or close)

    # -------------------------------------------------------------- event loop side

    def _change(self, change):
        state = self.state
        state._update(change)

    def on_handshake(self, cause):
        def change():
            if cause is None:
                self.done = True
            elif self.error is None and self.callback_error is not None:
                self.error = self.callback_error
            elif self.error is None:
                self.error = from_java(cause, handshaking=True)
            self.state.tls_unreported = True
        self._change(change)

    def on_close_notify(self):
        def change():
            self.close_notify = True
            self.state.input_shutdown = True
        self._change(change)

    def on_fin(self):
        def change():
            self.saw_fin = True
        self._change(change)

    def on_failure(self, cause):
        def change():
            if self.error is None and self.callback_error is not None:
                self.error = self.callback_error
            if self.error is None:
                self.error = from_java(cause, handshaking=not self.done)
            self.state.tls_unreported = True
        self._change(change)

    # -------------------------------------------------------------- installing

    def install(self):
        """Put the SslHandler in front of the StreamHandler (user thread; waits for the
        event-loop task).  Raises SSLError when the context cannot be built."""
        sslctx = self.context.netty_context(self.server_side)
        channel = self.state.channel
        task = _InstallTask(self, sslctx, channel)
        _run_on_loop(channel, task, handshaking=True)
        if task.failure is not None:
            raise task.failure

    def new_handler(self, sslctx, channel):
        if self.server_side:
            handler = sslctx.newHandler(channel.alloc())
        else:
            peer = channel.remoteAddress()
            host = self.server_hostname or peer.getAddress().getHostAddress()
            handler = sslctx.newHandler(channel.alloc(), host, peer.getPort())
        return self.configure(handler)

    def configure(self, handler):
        """Settings every SslHandler of ours gets: no handshake time limit (the caller's
        mode decides), no JDK hostname check (match_hostname does it, as CPython), SNI
        exactly as CPython sends it, server cipher preference."""
        handler.setHandshakeTimeoutMillis(0)
        engine = handler.engine()
        params = engine.getSSLParameters()
        params.setEndpointIdentificationAlgorithm(None)
        if not self.server_side:
            names = ArrayList()
            if self.server_hostname and not _is_ip_literal(self.server_hostname):
                try:
                    names.add(SNIHostName(self.server_hostname))
                except Throwable:
                    pass      # not a name SNI can carry (the JDK refuses e.g. '_')
            params.setServerNames(names)
        elif self.context.options & _k.OP_CIPHER_SERVER_PREFERENCE:
            params.setUseCipherSuitesOrder(True)
        engine.setSSLParameters(params)
        self.handler = handler
        return handler

    def select_context(self, server_name):
        """Server side, on the event loop, from the SNI handler: run the servername callback
        (which may switch the socket's context) and return the Netty SslContext to use.
        A non-None return from the callback (an ALERT_DESCRIPTION_*) or an exception in it
        fails the handshake."""
        callback = self.context._sni_callback
        sslsocket = self.owner
        if callback is not None and sslsocket is not None:
            name = str(server_name) if server_name is not None else None
            try:
                alert = callback(sslsocket, name, self.context)
            except Exception:
                # as CPython: the traceback is reported as unraisable, the handshake fails
                import sys
                import traceback
                traceback.print_exc(file=sys.stderr)
                from _socketcore.tlserrors import ssl_error
                self.callback_error = ssl_error('CALLBACK_FAILED', 'callback failed')
                self.callback_alert = _k.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
                raise
            if alert is not None and not isinstance(alert, (int, long)):
                # as CPython: reported as unraisable, internal_error alert to the client
                import sys
                sys.stderr.write('TypeError: servername callback must return None or an '
                                 'integer\n')
                from _socketcore.tlserrors import ssl_error
                self.callback_error = ssl_error('CALLBACK_FAILED', 'callback failed')
                self.callback_alert = _k.ALERT_DESCRIPTION_INTERNAL_ERROR
                raise self.callback_error
            if alert is not None:
                from _socketcore.tlserrors import alert_error
                self.callback_alert = int(alert)
                self.callback_error = alert_error(_ALERT_NAMES.get(alert, 'handshake_failure'))
                raise self.callback_error
            if sslsocket._context is not self.context:
                self.context = sslsocket._context
        return self.context.netty_context(True)

    def close_outbound(self):
        """unwrap(), first step (user thread; waits for the event-loop task): put the
        UnwrapGate in front of the SslHandler, then send our close_notify."""
        channel = self.state.channel
        _run_on_loop(channel, _CloseOutboundTask(self, channel))

    def remove(self):
        """After both close_notify: take the TLS handlers out (user thread; waits for the
        event-loop task) and make the connection plain again.  Bytes the SslHandler holds
        undecoded (clear text the peer sent after its close_notify) are passed on."""
        channel = self.state.channel
        _run_on_loop(channel, _RemoveTask(self, channel))

    # -------------------------------------------------------------- queries (any thread)

    def engine_session(self):
        if self.handler is None or not self.done:
            return None
        return self.handler.engine().getSession()


def _run_on_loop(channel, task, handshaking=False):
    """Run `task` on the channel's event loop and wait for it (user thread)."""
    loop = channel.eventLoop()
    try:
        if loop.inEventLoop():
            task.run()
        else:
            loop.submit(task).awaitUninterruptibly()
    except Throwable as cause:     # e.g. the event loop is shutting down
        raise from_java(cause, handshaking=handshaking)


class _InstallTask(Runnable):
    """Event-loop task: add the handlers and re-feed bytes received before wrapping."""

    def __init__(self, session, sslctx, channel):
        self.session, self.sslctx, self.channel = session, sslctx, channel
        self.failure = None

    def run(self):
        session, state = self.session, self.session.state
        try:
            if session.server_side and session.context._sni_callback is not None:
                handler = _SniHandler(_ContextMapping(session), session)
            else:
                handler = session.new_handler(self.sslctx, self.channel)
        except SSLError as exc:
            self.failure = exc
            return
        except Throwable as cause:
            self.failure = from_java(cause, handshaking=True)
            return
        early = None
        state.lock.lock()
        try:
            if state.buffered:
                early = state.inbound.readBytes(state.buffered)
                state.inbound.discardReadComponents()
                state.buffered = 0
        finally:
            state.lock.unlock()
        pipeline = self.channel.pipeline()
        pipeline.addFirst(EVENTS_HANDLER, TlsEventHandler(session))
        pipeline.addFirst(SSL_HANDLER, handler)
        if early is not None:
            pipeline.fireChannelRead(early)
            pipeline.fireChannelReadComplete()


class _CloseOutboundTask(Runnable):
    """Event-loop task: gate the SslHandler's input, then start the TLS closure."""

    def __init__(self, session, channel):
        self.session, self.channel = session, channel

    def run(self):
        pipeline = self.channel.pipeline()
        if pipeline.get(SSL_HANDLER) is not None and pipeline.get(GATE_HANDLER) is None:
            pipeline.addBefore(SSL_HANDLER, GATE_HANDLER, UnwrapGate(self.session))
        handler = self.session.handler
        if handler is not None:
            handler.closeOutbound()


class UnwrapGate(netty.ChannelInboundHandlerAdapter):
    """In front of the SslHandler while unwrap() runs: passes the input on one TLS record
    at a time and, once the peer's close_notify has been decoded, holds everything after
    it.  Those bytes are the peer's first clear text (STARTTLS protocols send it right
    after the closure), which the SslHandler would take for a bad record and fail the
    connection over; on removal they go to the StreamState as plain data.  Event loop."""

    def __init__(self, session):
        self.session = session
        self.pending = netty.Unpooled.buffer()

    def channelRead(self, ctx, msg):
        pending = self.pending
        try:
            pending.writeBytes(msg)
        finally:
            msg.release()
        while not self.session.close_notify and pending.readableBytes() >= _RECORD_HEADER:
            length = _RECORD_HEADER + pending.getUnsignedShort(pending.readerIndex() + 3)
            if pending.readableBytes() < length:
                break
            ctx.fireChannelRead(pending.readBytes(length))    # a copy: the SslHandler may keep it
        pending.discardReadBytes()

    def take_held(self):
        """The bytes held back (a ByteBuf the caller owns), or None."""
        pending, self.pending = self.pending, netty.Unpooled.EMPTY_BUFFER
        if pending.isReadable():
            return pending
        pending.release()
        return None

    def handlerRemoved(self, ctx):
        if self.pending.refCnt() > 0:
            self.pending.release()        # (a no-op on EMPTY_BUFFER)


class _RemoveTask(Runnable):
    """Event-loop task: remove the TLS handlers; the connection reads plain bytes again."""

    def __init__(self, session, channel):
        self.session, self.channel = session, channel

    def run(self):
        session, state = self.session, self.session.state
        state.lock.lock()
        try:
            state.tls = None
            state.input_shutdown = session.saw_fin
        finally:
            state.lock.unlock()
        pipeline = self.channel.pipeline()
        gate = pipeline.get(GATE_HANDLER)
        held = gate.take_held() if gate is not None else None
        # the SslHandler passes on what it holds undecoded when removed; then the gate's
        # bytes, which came after
        for handler in (pipeline.get(EVENTS_HANDLER), session.handler, pipeline.get(SSL_HANDLER),
                        gate):
            if handler is not None and pipeline.context(handler) is not None:
                try:
                    pipeline.remove(handler)
                except Throwable:
                    pass
        if held is not None:
            pipeline.fireChannelRead(held)
            pipeline.fireChannelReadComplete()
        state.lock.lock()
        try:
            state.read_requested = False
            state.request_read()
            state.changed.signalAll()
        finally:
            state.lock.unlock()
        state._wake_watchers()


class _ContextMapping(netty.Mapping):
    """SNI host name -> Netty SslContext, through the context's servername callback."""

    def __init__(self, session):
        self.session = session

    def map(self, server_name):
        return self.session.select_context(server_name)


class _SniHandler(netty.SniHandler):
    """Netty's SniHandler, whose SslHandler gets our settings (see TlsSession.configure)."""

    def __init__(self, mapping, session):
        netty.SniHandler.__init__(self, mapping)
        self.session = session

    def newSslHandler(self, context, allocator):
        return self.session.configure(context.newHandler(allocator))


class TlsEventHandler(netty.ChannelInboundHandlerAdapter):
    """Between SslHandler and StreamHandler: handshake, close_notify and TLS failures go to
    the TlsSession; everything else passes on.  Runs on the event loop; never blocks.

    The plaintext of the records decoded from one read is passed on as one buffer at the
    read's end: the JDK engine splits each TLS 1.0 CBC record it sends in two (1/n-1, its
    BEAST countermeasure; OpenSSL sends an empty record instead), and a reader woken by the
    first part alone would get one byte from recv() where CPython gets the whole message."""

    def __init__(self, session):
        self.session = session
        self.pending = []        # plaintext ByteBufs of the current read

    def _pass_on(self, ctx):
        pending, self.pending = self.pending, []
        if len(pending) == 1:
            ctx.fireChannelRead(pending[0])
        elif pending:
            merged = ctx.alloc().compositeBuffer(len(pending))
            for buf in pending:
                merged.addFlattenedComponents(True, buf)
            ctx.fireChannelRead(merged)

    def channelRead(self, ctx, msg):
        self.pending.append(msg)

    def channelReadComplete(self, ctx):
        self._pass_on(ctx)
        ctx.fireChannelReadComplete()

    def handlerRemoved(self, ctx):
        self._pass_on(ctx)

    def channelInactive(self, ctx):
        self._pass_on(ctx)
        self.session.on_fin()
        ctx.fireChannelInactive()

    def userEventTriggered(self, ctx, event):
        self._pass_on(ctx)
        if isinstance(event, netty.ChannelInputShutdownEvent):
            self.session.on_fin()
        if isinstance(event, netty.SslHandshakeCompletionEvent):
            self.session.on_handshake(None if event.isSuccess() else event.cause())
        elif isinstance(event, netty.SslCloseCompletionEvent) and event.isSuccess():
            self.session.on_close_notify()
        ctx.fireUserEventTriggered(event)

    def exceptionCaught(self, ctx, cause):
        self._pass_on(ctx)
        if not _is_tls_failure(cause):
            ctx.fireExceptionCaught(cause)
            return
        session = self.session
        handshaking = not session.done
        session.on_failure(cause)
        if handshaking:
            # A failed handshake is fatal, as with OpenSSL: tell the peer and close.  The
            # engine has sent its own alert when it could; a refusal by the servername
            # callback happens before any engine exists, so its alert record is written here.
            alert = session.callback_alert
            if alert is not None:
                record = netty.Unpooled.wrappedBuffer(tlscerts.from_bytes(
                    '\x15\x03\x03\x00\x02\x02' + chr(alert & 0xFF)))
                ctx.writeAndFlush(record)
            ctx.close()


def _is_tls_failure(cause):
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, (SSLException, netty.DecoderException)):
            return True
        cause, seen = cause.getCause(), seen + 1
    return False


def _is_ip_literal(host):
    from _socketcore.tlshostname import _packed_ip
    return _packed_ip(host) is not None
