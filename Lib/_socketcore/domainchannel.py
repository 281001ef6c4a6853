"""Netty channels over Java's Unix domain socket channels, with TCP's half-close semantics.

Netty 4.1's own NioDomainSocketChannel closes the whole channel when the peer shuts down
its sending side (its half-closure check only recognises TCP configurations), so after a
peer's shutdown(SHUT_WR) we could no longer send -- unlike Linux.  It is also missing
from the Netty bundled in jython-standalone.  These two small channels replace it on any
Netty 4.1: the NIO machinery (selector, read loop, write loop, backpressure) is Netty's
own AbstractNioByteChannel / AbstractNioMessageChannel; only the java.nio calls are here.

End of input: when a read returns -1, `doReadBytes` marks input as shut down before Netty
looks, so Netty keeps the channel open (it then stops reading) and the pipeline gets the
ChannelInputShutdownEvent that StreamHandler turns into EOF -- exactly the TCP path with
ALLOW_HALF_CLOSURE.

Everything here runs on the channel's event loop unless stated otherwise; nothing blocks.
"""
from java.lang import Runnable, Throwable, UnsupportedOperationException
from java.nio.channels import SelectionKey

from _socketcore import netty

(AbstractNioByteChannel, AbstractNioMessageChannel) = netty._load(
    'channel.nio', 'AbstractNioByteChannel', 'AbstractNioMessageChannel')
(DefaultChannelConfig, ChannelMetadata, ServerChannel) = netty._load(
    'channel', 'DefaultChannelConfig', 'ChannelMetadata', 'ServerChannel')

_METADATA = ChannelMetadata(False, 16)


class DomainStreamChannel(AbstractNioByteChannel):
    """A connected (or connecting) AF_UNIX stream channel."""

    def __init__(self, parent, java_channel):
        AbstractNioByteChannel.__init__(self, parent, java_channel)
        self._java = java_channel
        self._config = DefaultChannelConfig(self)
        self._input_shutdown = False

    def config(self):
        return self._config

    def metadata(self):
        return _METADATA

    def isActive(self):
        return self._java.isOpen() and self._java.isConnected()

    def localAddress0(self):
        try:
            return self._java.getLocalAddress()
        except Throwable:
            return None

    def remoteAddress0(self):
        try:
            return self._java.getRemoteAddress()
        except Throwable:
            return None

    def doBind(self, local):
        self._java.bind(local)

    def doConnect(self, remote, local):
        if local is not None:
            self._java.bind(local)
        connected = self._java.connect(remote)
        if not connected:
            self.selectionKey().interestOps(SelectionKey.OP_CONNECT)
        return connected

    def doFinishConnect(self):
        if not self._java.finishConnect():
            raise UnsupportedOperationException('finishConnect() did not finish')

    def doDisconnect(self):
        self.doClose()

    def doClose(self):
        self._java.close()

    def doReadBytes(self, buf):
        handle = self.unsafe().recvBufAllocHandle()
        handle.attemptedBytesRead(buf.writableBytes())
        count = buf.writeBytes(self._java, handle.attemptedBytesRead())
        if count < 0 and not self._input_shutdown:
            # Mark input shut down before Netty sees -1, so it keeps the channel open.
            self._input_shutdown = True
            self.pipeline().fireUserEventTriggered(netty.ChannelInputShutdownEvent.INSTANCE)
        return count

    def doWriteBytes(self, buf):
        return buf.readBytes(self._java, buf.readableBytes())

    def doWriteFileRegion(self, region):
        return region.transferTo(self._java, region.transferred())

    def isInputShutdown0(self):
        return self._input_shutdown

    def shutdownInput(self):
        """SHUT_RD (any thread): later reads see EOF."""
        return self._on_loop(self._shutdown_input)

    def shutdownOutput(self):
        """SHUT_WR (any thread): the peer sees EOF after what was written."""
        return self._on_loop(self._java.shutdownOutput)

    def _shutdown_input(self):
        self._input_shutdown = True
        self._java.shutdownInput()

    def _on_loop(self, action):
        promise = self.newPromise()
        task = _Task(action, promise)
        loop = self.eventLoop()
        if loop.inEventLoop():
            task.run()
        else:
            loop.execute(task)
        return promise


class DomainServerChannel(AbstractNioMessageChannel, ServerChannel):
    """A listening AF_UNIX channel; accepted connections are DomainStreamChannels."""

    def __init__(self, java_channel, backlog):
        AbstractNioMessageChannel.__init__(self, None, java_channel, SelectionKey.OP_ACCEPT)
        self._java = java_channel
        self._backlog = backlog
        self._config = DefaultChannelConfig(self)
        self._bound = False

    def config(self):
        return self._config

    def metadata(self):
        return _METADATA

    def isActive(self):
        return self._java.isOpen() and self._bound

    def localAddress0(self):
        try:
            return self._java.getLocalAddress()
        except Throwable:
            return None

    def remoteAddress0(self):
        return None

    def doBind(self, local):
        self._java.bind(local, self._backlog)
        self._bound = True

    def doReadMessages(self, found):
        child = self._java.accept()
        if child is None:
            return 0
        try:
            found.add(DomainStreamChannel(self, child))
        except Throwable:
            child.close()
            raise
        return 1

    def doClose(self):
        self._java.close()

    def doConnect(self, remote, local):
        raise UnsupportedOperationException()

    def doFinishConnect(self):
        raise UnsupportedOperationException()

    def doDisconnect(self):
        raise UnsupportedOperationException()

    def doWriteMessage(self, message, out):
        raise UnsupportedOperationException()


class _Task(Runnable):
    """Runs `action` on the event loop and completes `promise` with its outcome."""

    def __init__(self, action, promise):
        self.action = action
        self.promise = promise

    def run(self):
        try:
            self.action()
        except Throwable as cause:
            self.promise.tryFailure(cause)
            return
        self.promise.trySuccess()
