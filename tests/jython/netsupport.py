# -*- coding: utf-8 -*-
"""Helpers shared by the Jython-side tests (Python 2.7; also valid Python 3 syntax).

The peers are CPython 3 servers run by the pytest harness; their addresses come from the
environment (see ``tests/harness/peers.py`` for the protocol of each one).  This module is not
a test module (its name does not match ``jy_*.py``) and defines no test cases.
"""

import errno
import hashlib
import os
import socket
import threading
import time
import traceback
import unittest

IO_TIMEOUT = 10.0       # guard on blocking calls so a broken implementation fails, not hangs


def _env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError("%s is not set: run this module through the pytest harness" % name)
    return value


def peer(name):
    """The (host, port) of a peer, e.g. ``peer('ECHO')`` from JNS_PEER_ECHO."""
    host, port = _env("JNS_PEER_" + name).rsplit(":", 1)
    return host, int(port)


def greeting():
    """The bytes the greeter peer sends before it closes."""
    return bytes(bytearray.fromhex(_env("JNS_PEER_GREETING")))


def pattern(n):
    """Deterministic payload, byte i is i % 251 (the dialer peer sends the same)."""
    block = bytes(bytearray(range(251)))
    reps, rest = divmod(n, 251)
    return block * reps + block[:rest]


def sha256hex(data):
    return hashlib.sha256(data).hexdigest()


def recv_until_eof(sock, bufsize=65536, limit=64 * 1024 * 1024):
    """Read until recv returns '' (EOF); return all bytes read."""
    chunks = []
    total = 0
    while total < limit:
        data = sock.recv(bufsize)
        if not data:
            break
        chunks.append(data)
        total += len(data)
    return b"".join(chunks)


def recv_exact(sock, n):
    """Read exactly n bytes (AssertionError on a premature EOF)."""
    chunks = []
    left = n
    while left > 0:
        data = sock.recv(min(left, 65536))
        if not data:
            raise AssertionError("EOF after %d of %d bytes" % (n - left, n))
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


def read_line(sock, limit=4096):
    """Read one line (without the newline) byte by byte from a control connection."""
    buf = b""
    while not buf.endswith(b"\n"):
        data = sock.recv(1)
        if not data:
            break
        buf += data
        if len(buf) > limit:
            raise AssertionError("control line too long: %r" % buf[:100])
    return buf.strip().decode("ascii")


def parse_count_sha(line):
    """``'<count> <sha>'`` -> (count, sha); AssertionError on an ``ERR ...`` answer."""
    if not line or line.startswith("ERR"):
        raise AssertionError("peer answered %r" % line)
    count, sha = line.split()
    return int(count), sha


def dial(port, nbytes, delay_ms=0, host="127.0.0.1"):
    """Ask the dialer peer to connect to (host, port) and send pattern(nbytes).

    Returns the control connection; ``dial_result(ctl)`` later gives (count, sha256) of what
    the dialer read from us before our EOF.
    """
    ctl = socket.create_connection(peer("DIALER"), IO_TIMEOUT)
    ctl.sendall(("%s %d %d %d\n" % (host, port, nbytes, delay_ms)).encode("ascii"))
    return ctl


def dial_result(ctl):
    try:
        return parse_count_sha(read_line(ctl))
    finally:
        ctl.close()


def slow_drain(client_port):
    """Ask the slow reader to read the connection from ``client_port`` until EOF.

    Returns the control connection; ``dial_result(ctl)`` gives (count, sha256) once the data
    connection has been closed or shut down for writing by the test.
    """
    ctl = socket.create_connection(peer("SLOW_CTL"), IO_TIMEOUT)
    ctl.sendall(("DRAIN %d\n" % client_port).encode("ascii"))
    return ctl


def is_java_exception(exc):
    """True when ``exc`` is a Java exception that leaked into Python code."""
    module = getattr(type(exc), "__module__", "") or ""
    return module.split(".")[0] in ("java", "javax", "sun", "jdk") or \
        module.startswith("io.netty") or module.startswith("org.")


class Stopwatch(object):
    """``with Stopwatch() as sw: ...`` then ``sw.elapsed`` in seconds."""

    def __enter__(self):
        self.start = time.time()
        self.elapsed = None
        return self

    def __exit__(self, *exc):
        self.elapsed = time.time() - self.start
        return False


def _guard_java(method):
    """Wrap a test method so a Java exception fails the test instead of escaping unittest
    (on Jython, Java exceptions are not BaseException subclasses)."""
    def guarded():
        try:
            return method()
        except BaseException:
            raise
        except:  # noqa: E722 - only Java exceptions get here
            raise AssertionError("a Java exception reached user code:\n"
                                 + traceback.format_exc())
    guarded.__name__ = getattr(method, "__name__", "guarded")
    guarded.__doc__ = getattr(method, "__doc__", None)
    # keep unittest's markers (skip decorators set attributes on the function)
    guarded.__dict__.update(getattr(getattr(method, "__func__", method), "__dict__", {}))
    return guarded


class NetTestCase(unittest.TestCase):
    """Base class: tracks sockets and threads so every test cleans up after itself.

    A Java exception that escapes a test becomes a test failure (see ``_guard_java``).
    """

    def __init__(self, methodName="runTest"):
        unittest.TestCase.__init__(self, methodName)
        method = getattr(self, methodName, None)
        if method is not None and methodName.startswith("test"):
            setattr(self, methodName, _guard_java(method))

    def setUp(self):
        self._sockets = []
        self._threads = []
        self._saved_default_timeout = socket.getdefaulttimeout()

    def tearDown(self):
        for s in reversed(self._sockets):
            try:
                s.close()
            except Exception:
                pass
        for t in self._threads:
            t.join(IO_TIMEOUT)
        socket.setdefaulttimeout(self._saved_default_timeout)

    def track(self, sock):
        """Close ``sock`` at tearDown; returns it."""
        self._sockets.append(sock)
        return sock

    def tcp(self, timeout=IO_TIMEOUT):
        """A new tracked AF_INET stream socket with a guard timeout (None: blocking)."""
        s = self.track(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        if timeout is not None:
            s.settimeout(timeout)
        return s

    def connect(self, name, timeout=IO_TIMEOUT):
        """A tracked socket connected to peer ``name``."""
        s = self.tcp(timeout)
        s.connect(peer(name))
        return s

    def listener(self, backlog=5, timeout=IO_TIMEOUT):
        s = self.tcp(timeout)
        s.bind(("127.0.0.1", 0))
        s.listen(backlog)
        return s

    def thread(self, target, *args):
        """Start a daemon thread; its exception (if any) is kept in ``t.error``."""
        def run():
            try:
                t.result = target(*args)
            except BaseException as exc:  # reported by join_thread
                t.error = exc
        t = threading.Thread(target=run)
        t.daemon = True
        t.error = None
        t.result = None
        self._threads.append(t)
        t.start()
        return t

    def join_thread(self, t, timeout=IO_TIMEOUT):
        t.join(timeout)
        self.assertFalse(t.is_alive() if hasattr(t, "is_alive") else t.isAlive(),
                         "thread still running after %ss" % timeout)
        if t.error is not None:
            raise t.error
        return t.result

    def assertNotJava(self, exc):
        self.assertFalse(is_java_exception(exc),
                         "a Java exception reached user code: %r" % (exc,))

    def assertSocketError(self, exc, expected_errno):
        """``exc`` is a socket.error carrying ``expected_errno`` (in .errno and args[0])."""
        self.assertNotJava(exc)
        self.assertTrue(isinstance(exc, socket.error),
                        "%r is not a socket.error" % (exc,))
        self.assertFalse(isinstance(exc, socket.timeout), "%r is a socket.timeout" % (exc,))
        self.assertEqual(exc.errno, expected_errno,
                         "errno %r (%s), expected %s: %r" % (
                             exc.errno, errno.errorcode.get(exc.errno, "?"),
                             errno.errorcode.get(expected_errno, expected_errno), exc))
        self.assertEqual(exc.args[0], expected_errno)

    def assertRaisesErrno(self, expected_errno, func, *args):
        """Call ``func(*args)``; it must raise socket.error with ``expected_errno``."""
        try:
            func(*args)
        except socket.timeout as exc:
            self.fail("%s raised socket.timeout %r, expected errno %s"
                      % (getattr(func, "__name__", func), exc,
                         errno.errorcode.get(expected_errno)))
        except socket.error as exc:
            self.assertSocketError(exc, expected_errno)
            return exc
        except Exception as exc:
            self.fail("%s raised %s %r, expected socket.error errno %s"
                      % (getattr(func, "__name__", func), type(exc), exc,
                         errno.errorcode.get(expected_errno)))
        self.fail("%s did not raise (expected socket.error errno %s)"
                  % (getattr(func, "__name__", func), errno.errorcode.get(expected_errno)))

    def assertTimesOut(self, func, *args):
        """Call ``func(*args)``; it must raise socket.timeout('timed out')."""
        try:
            func(*args)
        except socket.timeout as exc:
            self.assertNotJava(exc)
            self.assertEqual(exc.args, ("timed out",))
            return exc
        except Exception as exc:
            self.fail("%s raised %s %r, expected socket.timeout"
                      % (getattr(func, "__name__", func), type(exc), exc))
        self.fail("%s did not time out" % getattr(func, "__name__", func))

    def fill_send_buffer(self, sock, chunk=65536, limit=256 * 1024 * 1024, settle=False):
        """Send until the socket refuses more (timeout or EAGAIN); return the bytes accepted.

        ``sock`` must be in timeout or non-blocking mode.  The data sent is zeros; use the
        returned count to check what the peer receives.  With ``settle``, keep retrying after
        short pauses until a retry adds nothing (the receiving kernel may compact its queue and
        open its window a little after the first refusal).
        """
        data = b"\0" * chunk
        total = 0
        refusals = 0
        accepted_since_refusal = True
        while total < limit:
            try:
                n = sock.send(data)
            except socket.timeout:
                n = 0
            except socket.error as exc:
                if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                    raise
                n = 0
            if n:
                self.assertTrue(0 < n <= chunk, "send returned %r" % (n,))
                total += n
                accepted_since_refusal = True
                continue
            if not settle or not accepted_since_refusal or refusals >= 20:
                return total
            refusals += 1
            accepted_since_refusal = False
            time.sleep(0.1)
        self.fail("the peer accepted %d bytes without reading" % total)
