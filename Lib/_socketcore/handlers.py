"""The Netty side: channel handlers and listeners that feed a StreamState.

Everything in this module runs on an event-loop thread.  It never blocks and never raises
into Netty: each callback hands its event to the socket's StreamState (a few field updates
under a lock that no thread holds for long) and returns.  Pipeline entries are named
("python") so later stages (TLS) can find them.
"""
from java.lang import Throwable

from _socketcore import netty, options

HANDLER_NAME = 'python'


class StreamHandler(netty.ChannelInboundHandlerAdapter):
    """Inbound handler of a connected TCP channel: bytes, EOF, writability, errors.

    Runs on the event loop; never blocks; takes ownership of each ByteBuf it is given and
    passes it to the StreamState (which releases it)."""

    def __init__(self, state):
        self.state = state

    def channelActive(self, ctx):
        if self.state.on_active(ctx.channel()):
            ctx.read()

    def channelRead(self, ctx, msg):
        self.state.on_data(msg)

    def channelReadComplete(self, ctx):
        if self.state.on_read_complete():
            ctx.read()

    def userEventTriggered(self, ctx, event):
        if isinstance(event, netty.ChannelInputShutdownEvent):
            self.state.on_input_shutdown()
        ctx.fireUserEventTriggered(event)

    def channelWritabilityChanged(self, ctx):
        self.state.on_writability(ctx.channel().isWritable())

    def exceptionCaught(self, ctx, cause):
        self.state.on_error(cause)

    def channelInactive(self, ctx):
        self.state.on_inactive()


class ConnectingStreamHandler(StreamHandler, netty.ChannelFutureListener):
    """The StreamHandler of a channel we connect, and the listener of its connect future:
    a failure goes to state.on_connect_failed (success arrives as channelActive).  One
    object per connect instead of two (issue 6).  Runs on the event loop."""

    def operationComplete(self, future):
        if not future.isSuccess():
            self.state.on_connect_failed(future.cause())


class FailureListener(netty.ChannelFutureListener):
    """Hands the cause of a failed future (connect: SO_ERROR; write: EPIPE, ECONNRESET) to
    a StreamState callback, which records it and wakes waiters.  Success needs nothing:
    a connect's success arrives as channelActive.  Runs on the event loop."""

    def __init__(self, on_failure):
        self.on_failure = on_failure

    def operationComplete(self, future):
        if not future.isSuccess():
            self.on_failure(future.cause())


class AcceptHandler(netty.ChannelInboundHandlerAdapter):
    """Handler of a listening channel: asks for more connections only while the accept
    queue has room (the listen backlog), so unaccepted connections cannot pile up in
    the JVM.  Runs on the event loop."""

    def __init__(self, state):
        self.state = state

    def channelActive(self, ctx):
        ctx.read()
        ctx.fireChannelActive()

    def channelReadComplete(self, ctx):
        if self.state.wants_accept():
            ctx.read()

    def exceptionCaught(self, ctx, cause):
        # e.g. too many open files: keep listening, the next accept may succeed
        pass


class ChildInitializer(netty.ChannelInitializer):
    """Sets up each accepted channel: a StreamState of its own and a StreamHandler, queued
    on the listening socket for accept().  Runs on the child's event loop."""

    def __init__(self, listener, make_state):
        self.listener = listener
        self.make_state = make_state

    def initChannel(self, channel):
        child = self.make_state(channel)
        options.apply_to_channel(channel, self.listener.child_options)
        channel.pipeline().addLast(HANDLER_NAME, StreamHandler(child))
        if not self.listener.on_accepted(child):
            child.close()
            channel.close()


class PrebuiltChannel(netty.ChannelFactory):
    """A channel factory that hands the bootstrap a channel we already created (around a
    java.nio channel that the user bound before connect/listen)."""

    def __init__(self, channel):
        self.channel = channel

    def newChannel(self):
        return self.channel
