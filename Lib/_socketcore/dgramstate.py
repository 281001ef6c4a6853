"""Per-socket state of a datagram (UDP) socket, shared by the event loop and user threads.

Theory of operation
-------------------
A `DatagramState` holds what one UDP endpoint knows: its phase (new, connected, closed),
the datagrams received but not yet read, the pending error (SO_ERROR, e.g. ECONNREFUSED
after an ICMP port unreachable), shutdown flags, and the selectors watching it.

* Locking: as `channelstate.StreamState`: every field is guarded by `lock`; user threads
  wait on `changed` through `deadline.run`; the event loop only takes `lock` for a few field
  updates; watchers (select/poll) are woken after the lock is released.
* Datagrams, not bytes: the receive queue holds whole datagrams as (str, sender) pairs, so
  one receive never spans two datagrams, a short read discards the rest of its datagram
  (Linux's MSG_TRUNC behaviour) and empty datagrams are kept.
* ByteBuf ownership: `on_datagram` copies each received packet into a str and releases it
  at once, on the event loop.  No ByteBuf outlives the callback that delivered it.
* Receive bound: the channel runs with AUTO_READ off and a read is requested only while the
  queue is below QUEUE_DATAGRAMS datagrams and QUEUE_BYTES bytes.  Above that, datagrams
  stay in the kernel's receive buffer (SO_RCVBUF), which drops what does not fit, exactly
  as it does for a CPython program that does not read.
* Sending does not go through this state: the user thread writes straight into the
  java.nio DatagramChannel (see udp.py), so errors are reported by the call that caused them.
"""
import errno
from collections import deque

from java.lang import Throwable
from java.util.concurrent.locks import ReentrantLock

from _socketcore import netty, readiness
from _socketcore.watched import Watched
from _socketcore.bytesconv import bytebuf_to_str
from _socketcore.errors import errno_of
from _socketcore.readiness import NEW, CONNECTED, CLOSED

QUEUE_DATAGRAMS = 64
QUEUE_BYTES = 256 * 1024
CLOSE_WAIT_MS = 1000
KIND = 'datagram'


class DatagramState(Watched):
    """State of one UDP endpoint; see the module docstring for the threading contract."""

    kind = KIND

    def __init__(self, family, java_channel):
        self.family = family
        self.lock = ReentrantLock()
        self.changed = self.lock.newCondition()
        self.phase = NEW              # NEW (bound or not), CONNECTED, CLOSED
        self.java_channel = java_channel   # the java.nio DatagramChannel, from creation on
        self.channel = None           # the Netty channel, once bound (explicitly or not)
        self.queue = deque()          # (data str, sender InetSocketAddress)
        self.queued_bytes = 0
        self.error = 0
        self.input_shutdown = False
        self.output_shutdown = False
        self.read_requested = False
        self.memberships = {}         # (group, interface name) -> java MembershipKey
        self.multicast_if = '\0\0\0\0'  # IP_MULTICAST_IF's address, as Linux reports it
        self.flags = {}               # SO_KEEPALIVE / SO_OOBINLINE: stored, no effect on UDP
        self.watchers = ()
        self.refs = 1

    # ------------------------------------------------------------------ levels and watchers

    def signal(self):
        """Wake waiters and watchers after a user-side change (lock not held)."""
        self._update(lambda: None)

    # ------------------------------------------------------------------ event loop side
    # Runs on an event-loop thread: short, non-blocking, never raises.

    def on_active(self):
        """The channel is registered and bound: True when the handler should start reading."""
        def change():
            if self.phase == CLOSED:
                return False
            self.read_requested = True
            return True
        return self._update(change)

    def on_datagram(self, packet):
        """Take one received DatagramPacket: copy it into the queue and release it."""
        try:
            content = packet.content()
            data = bytebuf_to_str(content, content.readerIndex(), content.readableBytes())
            sender = packet.sender()
        finally:
            packet.release()

        def change():
            if self.phase == CLOSED:
                return
            self.queue.append((data, sender))
            self.queued_bytes += len(data)
        self._update(change)

    def on_read_complete(self):
        """True when the event loop should request another read."""
        self.lock.lock()
        try:
            self.read_requested = self._should_read()
            return self.read_requested
        finally:
            self.lock.unlock()

    def on_error(self, cause):
        code = errno_of(cause) or errno.EIO

        def change():
            if self.phase != CLOSED and not self.error:
                self.error = code
        self._update(change)

    # ------------------------------------------------------------------ user side
    # Called with `lock` held (from deadline.run attempts) unless stated otherwise.

    def _should_read(self):
        return (self.phase != CLOSED and self.channel is not None
                and len(self.queue) < QUEUE_DATAGRAMS and self.queued_bytes < QUEUE_BYTES)

    def request_read(self):
        """Ask the event loop for more datagrams if there is room and no read is outstanding."""
        if not self.read_requested and self._should_read():
            self.read_requested = True
            self.channel.read()

    def take(self, size, peek=False):
        """(data, sender) of the oldest datagram, cut to `size` bytes; unless peeking the
        whole datagram leaves the queue (the cut-off rest is discarded).  Queue non-empty."""
        data, sender = self.queue[0]
        if not peek:
            self.queue.popleft()
            self.queued_bytes -= len(data)
            self.request_read()
        return data[:size], sender

    def take_error(self):
        """The pending errno (SO_ERROR), cleared as reading SO_ERROR clears it."""
        code, self.error = self.error, 0
        return code

    def close(self):
        """Close for good: drop the queue, leave multicast groups, close the channel (and
        wait for it, unless on the event loop, so the port is free on return).  Idempotent."""
        def change():
            if self.phase == CLOSED:
                return False
            self.phase = CLOSED
            self.queue.clear()
            self.queued_bytes = 0
            return True
        if not self._update(change):
            return
        for key in self.memberships.values():
            _quietly(key.drop)
        self.memberships.clear()
        channel = self.channel
        if channel is None:
            _quietly(self.java_channel.close)
            return
        future = channel.close()
        if not channel.eventLoop().inEventLoop():
            future.awaitUninterruptibly(CLOSE_WAIT_MS)


def _quietly(action):
    try:
        action()
    except Throwable:
        pass


class DatagramHandler(netty.ChannelInboundHandlerAdapter):
    """Inbound handler of a datagram channel: packets, read pacing, errors.

    Runs on the event loop; never blocks; releases every packet it is given (through
    DatagramState.on_datagram)."""

    def __init__(self, state):
        self.state = state

    def channelActive(self, ctx):
        if self.state.on_active():
            ctx.read()
        ctx.fireChannelActive()

    def channelRead(self, ctx, msg):
        if isinstance(msg, netty.AddressedEnvelope):   # UDP and AF_UNIX datagram packets
            self.state.on_datagram(msg)
        else:
            netty.ReferenceCountUtil.release(msg)

    def channelReadComplete(self, ctx):
        if self.state.on_read_complete():
            ctx.read()

    def exceptionCaught(self, ctx, cause):
        # e.g. PortUnreachableException on a connected socket: ECONNREFUSED for the next call
        self.state.on_error(cause)
