"""Which class serves `socket.socket(family, type)`.

`tcp.socket.__new__` asks `class_for` (bound below) when the caller constructs `socket.socket`
itself, and `subclass_for` for a user's subclass of socket.socket: as in CPython 2.7, a
subclass serves every (family, type), so `class S(socket.socket)` made with SOCK_DGRAM gets a
class derived from both S (whose methods win) and the datagram class.  Every class returned is
a subclass of `tcp.socket`, so `isinstance(s, socket.socket)` holds for all.
"""
# issue 8: without it every import inside a function first searches _socketcore/_socketcore
# (Jython does not remember the miss): ~2 ms per socket object
from __future__ import absolute_import
from _socketcore import constants as _c


from _socketcore import lazy, tcp


def class_for(family, type):
    """The socket class for (family, type): UDP, AF_UNIX (whose constructor refuses the
    types the JVM lacks), else tcp.socket (which raises for anything it does not serve).
    The UDP and AF_UNIX modules load on first use (see `lazy`)."""
    if type == _c.SOCK_DGRAM and family in (_c.AF_INET, _c.AF_INET6):
        return lazy.module('_socketcore.udp').DatagramSocket
    if family == _c.AF_UNIX:
        if type == _c.SOCK_DGRAM:
            return lazy.module('_socketcore.unixdgram').UnixDatagramSocket
        return lazy.module('_socketcore.unix').UnixStreamSocket
    return tcp.socket


_mixed = {}    # (user subclass, serving class) -> the class derived from both


def subclass_for(cls, family, kind):
    """`cls` (a subclass of socket.socket) if it already serves (family, kind), else the
    class derived from `cls` and the class that serves it, made once and kept."""
    serving = class_for(family, kind)
    if issubclass(cls, serving):
        return cls
    key = (cls, serving)
    mixed = _mixed.get(key)
    if mixed is None:
        try:
            mixed = type(cls.__name__, (cls, serving), {'__module__': cls.__module__})
        except TypeError:        # no consistent method order: keep the user's class
            mixed = cls
        _mixed[key] = mixed
    return mixed


# Bound when this module loads (from `_socket`), not looked up per call: an import inside
# a function runs against the calling thread's current interpreter, which after an embedded
# PythonInterpreter.exec may be another one, whose classes would not be ours.
tcp.class_for = class_for
tcp.subclass_for = subclass_for
