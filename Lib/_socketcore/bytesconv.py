"""Conversions between Python byte strings and Netty ByteBufs, in one place.

`str` is Jython's byte string: a Java String of chars 0-255.  Decoding a ByteBuf as
ISO-8859-1 gives exactly that String, and `Py.newString` wraps it without another pass,
which is two orders of magnitude faster than going through `array.tostring()`.
"""
import array

import jarray
from java.lang import Boolean, Class, String, Throwable
from org.python.core import Py
from org.python.core.util import StringUtil

from _socketcore import netty

_LATIN1 = netty.CharsetUtil.ISO_8859_1


def _trusted_str_constructor():
    """PyString's (String, isBytes) constructor, which skips `Py.newString`'s check of every
    char (half the time of a 64 KiB recv): our Strings come from ISO-8859-1 decoding, so
    every char is 0-255 by construction.  None where the JVM refuses the access."""
    try:
        ctor = Class.getDeclaredConstructor(Class.forName('org.python.core.PyString'),
                                            [String, Boolean.TYPE])
        ctor.setAccessible(True)
        return ctor
    except Throwable:
        return None


_TRUSTED_STR = _trusted_str_constructor()


def bytebuf_to_str(buf, index, length):
    """The `length` bytes of `buf` from `index` as a str (does not move the reader index)."""
    if length == 0:
        return ''
    text = buf.toString(index, length, _LATIN1)
    if _TRUSTED_STR is not None and length > 256:
        return _TRUSTED_STR.newInstance(text, True)
    return Py.newString(text)


def as_bytes(data, what='send'):
    """Any object CPython 2's send() accepts (str, buffer, bytearray, memoryview,
    array.array, unicode via the default encoding) as a str.  TypeError otherwise."""
    if isinstance(data, str):
        return data
    if isinstance(data, unicode):
        return str(data)  # ascii, as CPython 2's "s*" conversion: UnicodeEncodeError otherwise
    if isinstance(data, (bytearray, buffer)):
        return str(data)
    if isinstance(data, memoryview):
        return data.tobytes()
    if isinstance(data, array.array):
        return data.tostring()
    raise TypeError('%s() argument 1 must be string or buffer, not %s'
                    % (what, type(data).__name__))


def str_to_bytes(data, start=0, end=None):
    """A new Java byte[] holding data[start:end] (a str: chars 0-255)."""
    if end is None or end > len(data):
        end = len(data)
    if start == 0 and end == len(data):
        return StringUtil.toBytes(data)
    # A range copy without an intermediate str slice (3x faster for large sends).  This
    # getBytes keeps the low byte of each char: exact, as every char of a str is 0-255.
    chunk = jarray.zeros(end - start, 'b')
    String.getBytes(data, start, end, chunk, 0)
    return chunk


def str_to_bytebuf(data, start=0, end=None):
    """A new heap ByteBuf holding data[start:end] (the caller owns and must pass it on)."""
    return netty.Unpooled.wrappedBuffer(str_to_bytes(data, start, end))

