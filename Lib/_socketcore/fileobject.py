"""`socket._fileobject`: a buffered file over anything with recv/sendall/close.

`makefile()` hands it a dup of the socket, so closing the socket object and the file
object are independent, as in CPython 2.7.  urllib2 also wraps non-sockets (an
HTTPResponse whose `recv` is `read`) in it, so it relies only on those three methods.

A recv interrupted by a signal (error EINTR) is retried, as CPython 2.7's file object does.
An unbuffered readline (bufsize 0) on one of our TCP sockets peeks (MSG_PEEK) instead of
taking one byte per recv call: the same bytes leave the socket, in far fewer calls.
"""
from __future__ import absolute_import   # else each import in a function searches the package

import errno

from _socketcore import constants as _c


def _peekable(sock):
    """Whether `sock` is one of our plain TCP sockets (whose recv takes MSG_PEEK)."""
    from _socketcore import tcp
    return type(sock) is tcp.socket


class _fileobject(object):
    """Buffered reading (read/readline/readlines/iteration) and writing (write/writelines/
    flush) over a socket-like object."""

    default_bufsize = 8192
    name = '<socket>'

    def __init__(self, sock, mode='rb', bufsize=-1, close=False):
        self._sock = sock
        self.mode = mode
        if bufsize < 0:
            bufsize = self.default_bufsize
        self.bufsize = bufsize
        self.softspace = False
        # bufsize 0: unbuffered, so readline() takes one byte at a time and never reads past
        # the line (httplib makes a new file object per response on one socket); 1: line-
        # buffered writes with default-sized reads.
        if bufsize == 0:
            self._rbufsize = 1
        elif bufsize == 1:
            self._rbufsize = self.default_bufsize
        else:
            self._rbufsize = bufsize
        self._wbufsize = bufsize
        self._line_buffered = bufsize == 1
        self._rchunks = []
        self._rlen = 0
        self._wchunks = []
        self._wlen = 0
        self._close = close

    @property
    def closed(self):
        return self._sock is None

    def fileno(self):
        return self._sock.fileno()

    def close(self):
        try:
            if self._sock is not None:
                self.flush()
        finally:
            if self._close and self._sock is not None:
                self._sock.close()
            self._sock = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # ------------------------------------------------------------------ writing

    def write(self, data):
        data = str(data)
        if not data:
            return
        self._wchunks.append(data)
        self._wlen += len(data)
        if self._line_buffered:
            due = '\n' in data
        else:
            due = self._wlen >= self._wbufsize
        if due:
            self.flush()

    def writelines(self, lines):
        """Buffer every line, then flush once if unbuffered, line-buffered or full."""
        for line in lines:
            line = str(line)
            if line:
                self._wchunks.append(line)
                self._wlen += len(line)
        if self._wbufsize <= 1 or self._wlen >= self._wbufsize:
            self.flush()

    def flush(self):
        if self._wchunks:
            data = ''.join(self._wchunks)
            self._wchunks, self._wlen = [], 0
            self._sock.sendall(data)

    # ------------------------------------------------------------------ reading

    def _buffered(self):
        data = ''.join(self._rchunks)
        self._rchunks = [data] if data else []
        return data

    def _consume(self, count):
        data = self._buffered()
        taken, rest = data[:count], data[count:]
        self._rchunks = [rest] if rest else []
        self._rlen = len(rest)
        return taken

    def _fill(self, size):
        """Receive once, asking for `size` bytes (at least the read buffer size); False at EOF."""
        while True:
            try:
                data = self._sock.recv(max(size, self._rbufsize))
                break
            except EnvironmentError as e:
                if e.args and e.args[0] == errno.EINTR:
                    continue
                raise
        if not data:
            return False
        self._rchunks.append(data)
        self._rlen += len(data)
        return True

    def read(self, size=-1):
        if size < 0:
            while self._fill(max(self._rbufsize, self.default_bufsize)):
                pass
            return self._consume(self._rlen)
        while self._rlen < size:
            if not self._fill(size - self._rlen):
                break
        return self._consume(size)

    def readline(self, size=-1):
        if self._rbufsize == 1 and not self._rchunks and _peekable(self._sock):
            return self._readline_peeking(size)
        scanned = 0
        while True:
            data = self._buffered()
            newline = data.find('\n', scanned)
            if newline >= 0:
                end = newline + 1
                if 0 <= size < end:
                    end = size
                return self._consume(end)
            if 0 <= size <= len(data):
                return self._consume(size)
            scanned = len(data)
            if not self._fill(self._rbufsize):
                return self._consume(self._rlen)

    def _readline_peeking(self, size):
        """Unbuffered readline on one of our TCP sockets: peek at what has arrived and take
        exactly up to the newline, so nothing past the line leaves the socket (httplib makes
        a file object per response) - in a few recv calls instead of one per byte."""
        parts, taken = [], 0
        while size < 0 or taken < size:
            want = 8192 if size < 0 else min(8192, size - taken)
            seen = self._retry_eintr(want, _c.MSG_PEEK)
            if not seen:
                break
            newline = seen.find('\n')
            data = self._retry_eintr(newline + 1 if newline >= 0 else len(seen), 0)
            if not data:
                break
            parts.append(data)
            taken += len(data)
            if data.endswith('\n'):
                break
        return ''.join(parts)

    def _retry_eintr(self, size, flags):
        while True:
            try:
                return self._sock.recv(size, flags)
            except EnvironmentError as e:
                if e.args and e.args[0] == errno.EINTR:
                    continue
                raise

    def readlines(self, sizehint=0):
        lines, total = [], 0
        while True:
            line = self.readline()
            if not line:
                break
            lines.append(line)
            total += len(line)
            if sizehint and total >= sizehint:
                break
        return lines

    def __iter__(self):
        return self

    def next(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line
