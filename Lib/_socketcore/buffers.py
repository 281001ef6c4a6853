"""The writable buffers `recv_into`/`recvfrom_into` accept, and copying received bytes in.

CPython 2.7 takes any read-write buffer: bytearray, array.array, memoryview (and objects
exposing a writable buffer).  Jython's memoryview cannot wrap an array.array, and assigning
a str into a memoryview slice fails inside Jython, so each kind is written its own way; no
view is kept on a bytearray (a live export would stop the caller from resizing it).
"""
from java.lang import Throwable


def writable_length(buffer, caller='recv_into'):
    """The byte capacity of `buffer`; TypeError as CPython if it is not a read-write buffer."""
    if isinstance(buffer, bytearray):
        return len(buffer)
    if _is_array(buffer):
        return len(buffer) * buffer.itemsize
    view = buffer if isinstance(buffer, memoryview) else _view_of(buffer, caller)
    if view.readonly:
        raise _not_writable(buffer, caller)
    return len(view) * view.itemsize


def copy_into(buffer, data):
    """Write the str `data` at the start of `buffer` (sized by writable_length)."""
    if not data:
        return
    if isinstance(buffer, bytearray):
        buffer[:len(data)] = data
    elif _is_array(buffer):
        import array
        whole = len(data) - len(data) % buffer.itemsize
        chunk = array.array(buffer.typecode)
        chunk.fromstring(data[:whole])
        buffer[:len(chunk)] = chunk
        if whole < len(data):   # a partial last item: merge its bytes into the current value
            tail = array.array(buffer.typecode, buffer[len(chunk):len(chunk) + 1]).tostring()
            merged = array.array(buffer.typecode)
            merged.fromstring(data[whole:] + tail[len(data) - whole:])
            buffer[len(chunk):len(chunk) + 1] = merged
    else:
        view = buffer if isinstance(buffer, memoryview) else memoryview(buffer)
        view[:len(data)] = bytearray(data)


def _is_array(buffer):
    return hasattr(buffer, 'typecode') and hasattr(buffer, 'fromstring')


def _view_of(buffer, caller):
    try:
        return memoryview(buffer)
    except (TypeError, Throwable):
        raise _not_writable(buffer, caller)


def _not_writable(buffer, caller):
    return TypeError('%s() argument 1 must be read-write buffer, not %s'
                     % (caller, type(buffer).__name__))
