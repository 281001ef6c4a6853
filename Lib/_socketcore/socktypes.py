"""Which class serves `socket.socket(family, type)`.

`tcp.socket.__new__` asks `class_for` when the caller constructs `socket.socket` itself
(subclasses of socket.socket keep their own class, and therefore SOCK_STREAM).  Every class
returned is a subclass of `tcp.socket`, so `isinstance(s, socket.socket)` holds for all.
"""
from _socketcore import constants as _c


def class_for(family, type):
    """The socket class for (family, type); tcp.socket itself for SOCK_STREAM over IP and
    for anything unsupported (its constructor raises the right error)."""
    if type == _c.SOCK_DGRAM and family in (_c.AF_INET, _c.AF_INET6):
        from _socketcore.udp import DatagramSocket
        return DatagramSocket
    from _socketcore.tcp import socket
    return socket
