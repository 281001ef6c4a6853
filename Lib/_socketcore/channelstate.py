"""Per-endpoint state shared by the Netty event loop and the user's threads.

Theory of operation
-------------------
A `StreamState` is everything one TCP endpoint knows: its phase (new, connecting, connected,
listening, closed), the bytes received but not yet read, EOF and shutdown flags, the pending
error (SO_ERROR), the accept queue of a listening socket, and the selectors watching it.

* Locking: every field is guarded by `lock` (a Java ReentrantLock).  User threads wait on
  `changed` (its condition) through `deadline.run`; the event loop only ever takes `lock`
  for a few field updates and never waits.  Watchers (select/poll) are woken *after* the
  lock is released, so the lock order is never state -> selector.
* Edges: the event-loop methods (`on_*`) update fields and call `_signal()`, which wakes
  blocked callers and every watcher; those then re-test levels (see `readiness`).
* ByteBuf ownership: `on_data` takes ownership of each received ByteBuf and appends it to
  the composite `inbound` buffer; `take()` copies bytes out and discards what was read;
  `close()` releases `inbound` (and everything still queued).  A buffer arriving after
  close is released at once.  Nothing else holds a ByteBuf.
* Receive backpressure: channels run with AUTO_READ off.  A read is requested whenever the
  buffered amount is below RECEIVE_LIMIT and no read is outstanding, so a slow reader
  stops the sender (TCP window) instead of growing the JVM heap.
* Send backpressure: writes are accepted while the channel is writable (below its
  high-water mark); `last_write` lets close/shutdown(SHUT_WR) wait for queued bytes
  without blocking anybody.
"""
import errno

from java.lang import Integer, Throwable
from java.util.concurrent.locks import ReentrantLock
from java.util.concurrent.atomic import AtomicLong

from _socketcore.watched import Watched
from _socketcore import netty, runtime
from _socketcore.bytesconv import bytebuf_to_str
from _socketcore.errors import errno_of
from _socketcore.handlers import FailureListener
from _socketcore.readiness import NEW, CONNECTING, CONNECTED, LISTENING, CLOSED

RECEIVE_LIMIT = 256 * 1024

# --- select fast path (selectcache): moves whenever a socket object takes or lets go of a
# state (`refs` changes).  Closing one of several objects that share a state sends no edge,
# so select's fast path re-checks its objects for closed ones only when this has moved.
REF_CHANGES = AtomicLong()
# --- end select fast path
CLOSE_WAIT_MS = 1000
_compositeBuffer = netty.Unpooled.compositeBuffer
_MAX_COMPONENTS = Integer.MAX_VALUE


class StreamState(Watched):
    """State of one TCP endpoint; see the module docstring for the threading contract."""

    # issue 6: fields whose first value is immutable start as class attributes (an instance
    # attribute replaces one on first assignment): two states per connect+accept cycle, and
    # every attribute set is a Python dict store.
    phase = NEW
    channel = None           # the Netty channel once connecting/connected/listening
    bound_channel = None     # a java.nio SocketChannel bound before connect/listen
    java_server = None       # the java.nio ServerSocketChannel while listening
    buffered = 0
    input_shutdown = False
    output_shutdown = False
    channel_writable = True
    error = 0
    accept_limit = 1
    read_requested = False
    last_write = None
    peer = None              # the remote InetSocketAddress once connected
    connect_unreported = False  # a connect finished that no connect() call reported yet
    watchers = ()
    _refs = 1                # see the `refs` property (select fast path)
    _write_listener = None

    def __init__(self, family):
        self.family = family
        self.lock = lock = ReentrantLock()
        self.changed = lock.newCondition()
        self.inbound = _compositeBuffer(_MAX_COMPONENTS)
        self.accept_queue = []
        self.child_options = {}       # per-connection options a listener gives accepted sockets
        self.user_options = {}        # java option -> value the user set before connect/listen

    @property
    def write_listener(self):
        """The one listener every write future of this socket reports failures to."""
        if self._write_listener is None:
            self._write_listener = FailureListener(self.on_error)
        return self._write_listener

    # --- select fast path: socket objects sharing this state (see REF_CHANGES)
    @property
    def refs(self):
        return self._refs

    @refs.setter
    def refs(self, value):
        self._refs = value
        REF_CHANGES.incrementAndGet()
    # --- end select fast path

    # ------------------------------------------------------------------ derived levels

    @property
    def accept_pending(self):
        return len(self.accept_queue)

    # ------------------------------------------------------------------ event loop side
    # Everything below runs on an event-loop thread: short, non-blocking, never raises.

    # (issue 6: the per-connection callbacks below take the lock themselves instead of
    # building a closure for _update: same steps, fewer Python calls per connection)
    def on_active(self, channel):
        """The channel is connected (accepted or connect succeeded); start reading."""
        lock = self.lock
        lock.lock()
        try:
            self.channel = channel
            active = self.phase != CLOSED
            if active:
                self.phase = CONNECTED
                self.peer = channel.remoteAddress()
                self.channel_writable = channel.isWritable()
                self.read_requested = True
            self.changed.signalAll()
        finally:
            lock.unlock()
        if self.watchers:
            self._wake_watchers()
        return active

    def on_connect_failed(self, cause):
        def change():
            if self.phase == CONNECTING:
                self.phase = NEW
                self.error = errno_of(cause) or errno.ECONNREFUSED
                self.input_shutdown = True
        self._update(change)

    def on_data(self, buf):
        """Take ownership of a received ByteBuf."""
        def change():
            if self.phase == CLOSED or self.input_shutdown:
                buf.release()
                return
            # (the int-first addComponent overload would swallow a Python bool)
            self.inbound.addFlattenedComponents(True, buf)
            self.buffered = self.inbound.readableBytes()
        self._update(change)

    def on_read_complete(self):
        """True when the event loop should request another read."""
        self.lock.lock()
        try:
            self.read_requested = self._should_read()
            return self.read_requested
        finally:
            self.lock.unlock()

    def on_input_shutdown(self):
        lock = self.lock
        lock.lock()
        try:
            self.input_shutdown = True
            self.changed.signalAll()
        finally:
            lock.unlock()
        if self.watchers:
            self._wake_watchers()

    def on_writability(self, writable):
        def change():
            self.channel_writable = writable
        self._update(change)

    def on_error(self, cause):
        code = errno_of(cause) or errno.EIO

        def change():
            if self.phase == CLOSED:
                return
            # Like the kernel's sk_err: the first failure (say ECONNRESET) is what the next
            # call reports, not a consequence of it (a write failing with EPIPE afterwards).
            if not self.error:
                self.error = code
            if code in (errno.ECONNRESET, errno.EPIPE, errno.ETIMEDOUT, errno.ECONNABORTED):
                self.input_shutdown = self.output_shutdown = True
        self._update(change)

    def on_inactive(self):
        """The channel closed underneath us (reset, or our own close)."""
        lock = self.lock
        lock.lock()
        try:
            self.input_shutdown = True
            self.output_shutdown = True
            self.channel_writable = False
            self.changed.signalAll()
        finally:
            lock.unlock()
        if self.watchers:
            self._wake_watchers()

    def on_accepted(self, child):
        """A listening channel produced `child` (a StreamState); False if we are closed."""
        lock = self.lock
        lock.lock()
        try:
            queued = self.phase == LISTENING
            if queued:
                self.accept_queue.append(child)
            self.changed.signalAll()
        finally:
            lock.unlock()
        if self.watchers:
            self._wake_watchers()
        return queued

    def wants_accept(self):
        self.lock.lock()
        try:
            return self.phase == LISTENING and len(self.accept_queue) < self.accept_limit
        finally:
            self.lock.unlock()

    # ------------------------------------------------------------------ user side
    # Called with `lock` held (from deadline.run attempts) unless stated otherwise.

    def _should_read(self):
        return (self.phase == CONNECTED and not self.input_shutdown
                and self.buffered < RECEIVE_LIMIT)

    def request_read(self):
        """Ask the event loop for more bytes if there is room and no read is outstanding."""
        if not self.read_requested and self._should_read() and self.channel is not None:
            self.read_requested = True
            self.channel.read()

    def take(self, size, peek=False):
        """Up to `size` buffered bytes as a str (lock held; caller checked buffered > 0)."""
        buf = self.inbound
        size = min(size, self.buffered)
        data = bytebuf_to_str(buf, buf.readerIndex(), size)
        if not peek:
            buf.skipBytes(size)
            buf.discardReadComponents()
            self.buffered -= size
            self.request_read()
        return data

    def take_error(self):
        """The pending errno (SO_ERROR), cleared as reading SO_ERROR clears it."""
        code, self.error = self.error, 0
        return code

    def after_writes(self, action):
        """Run `action(channel)` once every queued write has left (now if none is queued)."""
        last = self.last_write
        channel = self.channel
        if last is not None and not last.isDone():
            last.addListener(_ChannelAction(action))
        else:
            action(channel)

    def close(self):
        """Close for good: release buffers, close the channel after queued writes, and
        close any accepted-but-not-yet-accepted children.  Idempotent; any thread."""
        lock = self.lock
        lock.lock()
        try:
            phase = self.phase
            if phase == CLOSED:
                return
            unread = self.buffered
            self.phase = CLOSED
            inbound = self.inbound
            if inbound.refCnt() > 0:
                inbound.release()
            self.buffered = 0
            children = self.accept_queue
            if children:
                self.accept_queue = []
            self.changed.signalAll()
        finally:
            lock.unlock()
        if self.watchers:
            self._wake_watchers()
        for child in children:
            child.close()
        if self.bound_channel is not None:
            _quietly(self.bound_channel.close)
            self.bound_channel = None
        channel = self.channel
        if channel is None:
            return
        if phase == LISTENING:
            close_listener(channel, self.java_server)
        elif unread:
            # Closing with unread data resets the connection, as Linux does.
            _quietly(lambda: channel.config().setOption(netty.ChannelOption.SO_LINGER, 0))
            channel.close()
        else:
            self.lock.lock()
            try:
                self.after_writes(_close_channel)
            finally:
                self.lock.unlock()


def close_listener(channel, java_server):
    """Close a listening channel and, unless on the event loop, return only once its port
    can be bound again.  The JDK closes a registered ServerSocketChannel's socket only when
    the selector next runs and drops the cancelled key, which may be after the close future
    completes: wake the event loop until the Java channel is deregistered, then let that
    select pass (a no-op task runs after it)."""
    future = channel.close()
    loop = channel.eventLoop()
    if loop.inEventLoop():
        return
    future.awaitUninterruptibly(CLOSE_WAIT_MS)
    if java_server is None:
        return
    waited = 0
    while java_server.isRegistered() and waited < CLOSE_WAIT_MS:
        try:
            loop.submit(runtime.NOTHING).awaitUninterruptibly(1)
        except Throwable:
            return            # the event loop is shutting down: it closes everything
        waited += 1
    try:
        loop.submit(runtime.NOTHING).awaitUninterruptibly(CLOSE_WAIT_MS)
    except Throwable:
        pass


def _close_channel(channel):
    if channel is not None:
        channel.close()


def _quietly(action):
    try:
        action()
    except Throwable:
        pass


class _ChannelAction(netty.ChannelFutureListener):
    """Runs a Python action on the channel when a write future completes (event loop)."""

    def __init__(self, action):
        self.action = action

    def operationComplete(self, future):
        self.action(future.channel())
