"""Netty's native epoll transport, for the AF_UNIX sockets Java's own channels cannot make.

Java's Unix domain channels know filesystem paths and SOCK_STREAM only.  Linux abstract
names (a leading NUL byte) and SOCK_DGRAM come from Netty's epoll transport
(`netty-transport-native-epoll` with its linux-x86_64 library), when it is on the class
path and loads.  It is not in the Netty that jython-standalone bundles, so the drop-in
path has no native transport.

`available()` says whether it loaded; it probes on first use (loading the native library
costs start-up time that most programs never need) and leaves the reason in `WHY_NOT`.  Setting the environment variable
`JNS_NATIVE_TRANSPORT=0` (or Netty's own `-Dio.netty.transport.noNative=true`) turns it
off, which is how the Java-channel fallback is tested.

Addresses: Netty's `DomainSocketAddress` holds a Java String that Netty encodes as UTF-8
for the kernel (so a NUL character becomes the NUL byte of an abstract name); our names
are byte strings, so they are decoded from UTF-8 on the way in and encoded on the way out.
"""
import errno
import os

from java.lang import Throwable

from _socketcore import netty, runtime, unixnames
from _socketcore.errors import socket_error

WHY_NOT = 'Netty\'s native epoll transport is not on the class path'

_DISABLED = os.environ.get('JNS_NATIVE_TRANSPORT', '').lower() in ('0', 'off', 'no', 'false')
_probed = []      # [True or False] once probed


def available():
    """True when Netty's native epoll transport is usable (probed once, on first call)."""
    if not _probed:
        loaded = _probe()
        if loaded:
            _load_classes()
        _probed.append(loaded)
    return _probed[0]


def _probe():
    global WHY_NOT
    if netty.BUNDLED:
        WHY_NOT = 'the Netty bundled in jython-standalone has no native transport'
        return False
    if _DISABLED:
        WHY_NOT = 'Netty\'s native transport is turned off (JNS_NATIVE_TRANSPORT=0)'
        return False
    try:
        from io.netty.channel.epoll import Epoll
    except ImportError:
        return False
    try:
        if Epoll.isAvailable():
            return True
        cause = Epoll.unavailabilityCause()
        WHY_NOT = 'Netty\'s native epoll transport did not load (%s)' % (
            cause.getMessage() if cause is not None else 'unknown cause')
    except Throwable as cause:
        WHY_NOT = 'Netty\'s native epoll transport did not load (%s)' % cause.getMessage()
    return False


def _load_classes():
    global EpollEventLoopGroup, EpollDomainSocketChannel, EpollServerDomainSocketChannel
    global EpollDomainDatagramChannel, EpollChannelOption, EpollMode
    global DomainSocketAddress, DomainDatagramPacket
    from io.netty.channel.epoll import (EpollEventLoopGroup, EpollDomainSocketChannel,
                                        EpollServerDomainSocketChannel,
                                        EpollDomainDatagramChannel)
    from io.netty.channel.epoll import EpollChannelOption, EpollMode
    from io.netty.channel.unix import DomainSocketAddress, DomainDatagramPacket


def level_triggered(bootstrap, child=False):
    """Our channels read on request (AUTO_READ off) and may stop with data left in the
    kernel: level-triggered epoll keeps reporting it (Netty's default is edge-triggered)."""
    option = bootstrap.childOption if child else bootstrap.option
    option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)


def group():
    """The shared epoll event-loop group (lazily made, daemon threads; see runtime)."""
    return runtime.native_group(EpollEventLoopGroup)


def address(name):
    """A DomainSocketAddress for a byte-string name: an abstract name as it is, a path made
    absolute; error(EINVAL) if the name is not UTF-8 (Netty cannot carry it)."""
    full = name if unixnames.is_abstract(name) else unixnames.absolute(name)
    try:
        return DomainSocketAddress(full.decode('utf-8'))
    except UnicodeDecodeError:
        raise socket_error(errno.EINVAL,
                           'AF_UNIX names must be UTF-8 for Netty\'s native transport')


def name_of(domain_address):
    """The byte-string name of a DomainSocketAddress ('' when None or unnamed)."""
    if domain_address is None:
        return ''
    return unicode(domain_address.path()).encode('utf-8')


class PendingStream(object):
    """An EpollDomainSocketChannel not yet registered with an event loop (it may hold a
    bound name until connect/listen), with the two methods StreamState uses on such a
    channel: Netty cannot close an unregistered channel, so close() closes its socket."""

    def __init__(self):
        self.channel = EpollDomainSocketChannel()

    def fd(self):
        return self.channel.fd()

    def getLocalAddress(self):
        return None

    def close(self):
        try:
            self.channel.fd().close()
        except Throwable:
            pass
