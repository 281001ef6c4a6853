"""Timeout values: validation as CPython 2.7 does it, and the module-wide default."""

_default = [None]


def check_timeout(value):
    """None, or a non-negative float; TypeError / ValueError with CPython's messages."""
    if value is None:
        return None
    if isinstance(value, basestring):
        raise TypeError('a float is required')
    try:
        seconds = float(value)
    except (TypeError, ValueError, AttributeError):
        raise TypeError('a float is required')
    if seconds < 0.0:
        raise ValueError('Timeout value out of range')
    return seconds


def getdefaulttimeout():
    """The timeout new sockets start with (None: blocking)."""
    return _default[0]


def setdefaulttimeout(value):
    """Set the timeout that sockets created from now on start with."""
    _default[0] = check_timeout(value)
