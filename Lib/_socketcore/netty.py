"""Which Netty we run on.

We prefer `io.netty` (the Netty our build resolves) and fall back to the copy that
jython-standalone bundles under `org.python.netty`, so `Lib/` also works dropped into
a bare Jython.  Every other module takes its Netty classes from here.
"""
from java.lang import Class, ClassNotFoundException


def _detect_prefix():
    for prefix in ('io.netty', 'org.python.netty'):
        try:
            Class.forName(prefix + '.channel.Channel')
            return prefix
        except ClassNotFoundException:
            pass
    raise ImportError('no Netty on the class path (neither io.netty nor org.python.netty)')


PREFIX = _detect_prefix()
BUNDLED = PREFIX != 'io.netty'


def _load(package, *names):
    # `from pkg import Name` is the form Jython resolves for Java classes even when its
    # package cache is off; importlib / __import__ on Java packages is not.
    namespace = {}
    exec 'from %s.%s import %s' % (PREFIX, package, ', '.join(names)) in namespace
    return [namespace[name] for name in names]


(Bootstrap, ServerBootstrap) = _load('bootstrap', 'Bootstrap', 'ServerBootstrap')
(ChannelOption, ChannelInboundHandlerAdapter, ChannelInitializer, ChannelFutureListener,
 WriteBufferWaterMark, ChannelFactory) = _load(
    'channel', 'ChannelOption', 'ChannelInboundHandlerAdapter', 'ChannelInitializer',
    'ChannelFutureListener', 'WriteBufferWaterMark', 'ChannelFactory')
(NioEventLoopGroup,) = _load('channel.nio', 'NioEventLoopGroup')
(NioSocketChannel, NioServerSocketChannel) = _load(
    'channel.socket.nio', 'NioSocketChannel', 'NioServerSocketChannel')
(ChannelInputShutdownEvent,) = _load('channel.socket', 'ChannelInputShutdownEvent')
(Unpooled, PooledByteBufAllocator, ByteBufUtil) = _load(
    'buffer', 'Unpooled', 'PooledByteBufAllocator', 'ByteBufUtil')
(CharsetUtil,) = _load('util', 'CharsetUtil')
(DefaultThreadFactory,) = _load('util.concurrent', 'DefaultThreadFactory')

# --- datagram sockets (udp.py, dgramstate.py) ---------------------------------------------
(NioDatagramChannel,) = _load('channel.socket.nio', 'NioDatagramChannel')
(DatagramPacket,) = _load('channel.socket', 'DatagramPacket')
(AddressedEnvelope,) = _load('channel', 'AddressedEnvelope')
(FixedRecvByteBufAllocator,) = _load('channel', 'FixedRecvByteBufAllocator')
(ReferenceCountUtil,) = _load('util', 'ReferenceCountUtil')
# --- end datagram sockets -------------------------------------------------------------------

# --- TLS (ssl: tlscontext, tlssocket) ------------------------------------------------------
(SslContextBuilder, SslProvider, ClientAuth, SslHandler, SslHandshakeCompletionEvent,
 SslCloseCompletionEvent, ApplicationProtocolConfig) = _load(
    'handler.ssl', 'SslContextBuilder', 'SslProvider', 'ClientAuth', 'SslHandler',
    'SslHandshakeCompletionEvent', 'SslCloseCompletionEvent', 'ApplicationProtocolConfig')
(InsecureTrustManagerFactory,) = _load('handler.ssl.util', 'InsecureTrustManagerFactory')
(DecoderException,) = _load('handler.codec', 'DecoderException')
(SniHandler,) = _load('handler.ssl', 'SniHandler')
(Mapping,) = _load('util', 'Mapping')
# --- end TLS --------------------------------------------------------------------------------
