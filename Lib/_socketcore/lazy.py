"""Our own modules loaded on first use, in the interpreter that loaded this one.

UDP and AF_UNIX (with their Netty and java.nio classes) are needed by few programs and cost
start-up time, so `socktypes` and `_socket.socketpair` load them when first asked.  An
import statement inside a function would run against the calling thread's current
interpreter, which after an embedded `PythonInterpreter.exec` may be another one (whose copy
of the module, and classes, are not ours): `module()` imports with this interpreter's own
`sys` (Jython's PySystemState) made current for the duration.
"""
import sys

from org.python.core import Py

_own_sys = sys


def module(name):
    """The module `name` of this interpreter, imported now if it is not loaded yet."""
    found = _own_sys.modules.get(name)
    if found is not None:
        return found
    previous = Py.setSystemState(_own_sys)
    try:
        __import__(name)
    finally:
        Py.setSystemState(previous)
    return _own_sys.modules[name]
