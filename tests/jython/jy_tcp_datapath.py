# -*- coding: utf-8 -*-
"""The TCP data path: recv flags, recv_into targets, send argument types, mode switches
mid-stream, the non-blocking connect sequence, and close() racing a blocked call.

Behaviour is CPython 2.7's on Linux (these cases pass on the cpython2 oracle), except the
close-from-another-thread cases: CPython 2.7 leaves such a thread blocked, we wake it.
"""

import array
import errno
import platform
import select
import socket
import time
import unittest

from netsupport import NetTestCase, peer, recv_exact, pattern

ON_JYTHON = platform.python_implementation() == "Jython"


def wait_readable(sock, timeout=10.0):
    r, _, _ = select.select([sock], [], [], timeout)
    return bool(r)


class RecvFlagsTests(NetTestCase):

    def echo_with(self, data):
        s = self.connect("ECHO")
        s.sendall(data)
        self.assertTrue(wait_readable(s))
        return s

    def test_peek_leaves_data_queued(self):
        s = self.echo_with(b"peekaboo")
        deadline = time.time() + 10
        while len(s.recv(8, socket.MSG_PEEK)) < 8 and time.time() < deadline:
            time.sleep(0.01)
        self.assertEqual(s.recv(4, socket.MSG_PEEK), b"peek")
        self.assertEqual(s.recv(8, socket.MSG_PEEK), b"peekaboo")
        self.assertEqual(recv_exact(s, 8), b"peekaboo")

    def send_slowly(self, s):
        for piece in (b"ab", b"cd", b"ef"):
            s.sendall(piece)
            time.sleep(0.2)

    def test_waitall_gathers_the_whole_count_when_blocking(self):
        s = self.connect("ECHO", timeout=None)
        t = self.thread(self.send_slowly, s)
        self.assertEqual(s.recv(6, socket.MSG_WAITALL), b"abcdef")
        self.join_thread(t)

    def test_waitall_in_timeout_mode_returns_what_is_there(self):
        # CPython waits for readability, then reads from a non-blocking descriptor.
        s = self.connect("ECHO", timeout=5.0)
        t = self.thread(self.send_slowly, s)
        self.assertEqual(s.recv(6, socket.MSG_WAITALL), b"ab")
        self.join_thread(t)
        self.assertEqual(recv_exact(s, 4), b"cdef")

    def test_waitall_stops_at_eof(self):
        s = self.connect("HALFCLOSE")
        s.sendall(b"x" * 12)
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(s.recv(100, socket.MSG_WAITALL), b"12")

    def test_dontwait_on_blocking_socket(self):
        s = self.connect("ECHO")
        s.settimeout(None)
        self.assertRaisesErrno(errno.EAGAIN, s.recv, 10, socket.MSG_DONTWAIT)
        self.assertEqual(s.gettimeout(), None)

    def test_recv_zero_and_negative(self):
        s = self.echo_with(b"z")
        self.assertEqual(s.recv(0), b"")
        self.assertRaises(ValueError, s.recv, -1)
        self.assertEqual(s.recv(1), b"z")

    def test_recv_bad_size_type(self):
        s = self.connect("ECHO")
        self.assertRaises(TypeError, s.recv, "10")


class RecvIntoTests(NetTestCase):

    def echo_with(self, data):
        s = self.connect("ECHO")
        s.sendall(data)
        self.assertTrue(wait_readable(s))
        time.sleep(0.05)
        return s

    def test_into_bytearray(self):
        s = self.echo_with(b"hello")
        buf = bytearray(10)
        self.assertEqual(s.recv_into(buf), 5)
        self.assertEqual(bytes(buf[:5]), b"hello")

    def test_into_memoryview_slice(self):
        s = self.echo_with(b"world")
        buf = bytearray(b"." * 10)
        self.assertEqual(s.recv_into(memoryview(buf)[3:]), 5)
        self.assertEqual(bytes(buf), b"...world.." )

    def test_into_char_array(self):
        s = self.echo_with(b"array")
        buf = array.array("c" if str is bytes else "b", b" " * 8)
        self.assertEqual(s.recv_into(buf), 5)
        self.assertEqual(buf.tostring()[:5], b"array")

    def test_nbytes_limits_the_read(self):
        s = self.echo_with(b"0123456789")
        buf = bytearray(10)
        self.assertEqual(s.recv_into(buf, 4), 4)
        self.assertEqual(bytes(buf[:4]), b"0123")
        self.assertEqual(recv_exact(s, 6), b"456789")

    def test_nbytes_larger_than_buffer(self):
        s = self.connect("ECHO")
        self.assertRaises(ValueError, s.recv_into, bytearray(4), 5)

    def test_negative_nbytes(self):
        s = self.connect("ECHO")
        self.assertRaises(ValueError, s.recv_into, bytearray(4), -1)

    def test_readonly_target_is_typeerror(self):
        s = self.connect("ECHO")
        self.assertRaises(TypeError, s.recv_into, b"immutable")

    def test_recvfrom_into_on_stream(self):
        s = self.echo_with(b"from")
        buf = bytearray(8)
        n, address = s.recvfrom_into(buf)
        self.assertEqual((n, bytes(buf[:4])), (4, b"from"))

    def test_recvfrom_on_stream(self):
        s = self.echo_with(b"data")
        data, address = s.recvfrom(10)
        self.assertEqual(data, b"data")


class SendTypesTests(NetTestCase):

    def roundtrip(self, payload, expected):
        s = self.connect("ECHO")
        s.sendall(payload)
        self.assertEqual(recv_exact(s, len(expected)), expected)
        n = s.send(payload)
        self.assertEqual(n, len(expected))
        self.assertEqual(recv_exact(s, len(expected)), expected)

    def test_str(self):
        self.roundtrip(b"plain", b"plain")

    def test_bytearray(self):
        self.roundtrip(bytearray(b"bytes"), b"bytes")

    def test_memoryview(self):
        self.roundtrip(memoryview(b"xmemoryx")[1:7], b"memory")

    def test_array(self):
        self.roundtrip(array.array("b", [65, 66, 67]), b"ABC")

    @unittest.skipUnless(str is bytes, "Python 2: buffer and implicit unicode")
    def test_buffer_and_ascii_unicode(self):
        self.roundtrip(buffer(b"xbufferx", 1, 6), b"buffer")
        self.roundtrip(u"ascii", b"ascii")

    @unittest.skipUnless(str is bytes, "Python 2: implicit unicode encoding")
    def test_non_ascii_unicode_fails_to_encode(self):
        s = self.connect("ECHO")
        self.assertRaises(UnicodeEncodeError, s.sendall, u"caf\xe9")

    def test_int_is_typeerror(self):
        s = self.connect("ECHO")
        self.assertRaises(TypeError, s.send, 42)
        self.assertRaises(TypeError, s.sendall, None)


class ModeSwitchTests(NetTestCase):

    def test_switch_modes_mid_stream_loses_nothing(self):
        s = self.connect("ECHO")
        data = pattern(300000)
        received = []
        modes = [None, 0.0, 5.0, None, 0.0, 2.0]
        offset = 0
        step = 50000
        for i, mode in enumerate(modes):
            s.settimeout(mode)
            piece = data[offset:offset + step]
            if mode == 0.0:
                sent = 0
                while sent < len(piece):
                    select.select([], [s], [], 10)
                    try:
                        sent += s.send(piece[sent:])
                    except socket.error as e:
                        if e.args[0] != errno.EAGAIN:
                            raise
            else:
                s.sendall(piece)
            offset += step
            got = 0
            while got < len(piece):
                if mode == 0.0:
                    self.assertTrue(wait_readable(s))
                    try:
                        chunk = s.recv(65536)
                    except socket.error as e:
                        if e.args[0] != errno.EAGAIN:
                            raise
                        continue
                else:
                    chunk = s.recv(65536)
                self.assertTrue(chunk)
                received.append(chunk)
                got += len(chunk)
        self.assertEqual(b"".join(received), data)

    def test_timeout_then_blocking_recv_gets_the_data(self):
        s = self.connect("ECHO")
        s.settimeout(0.2)
        self.assertTimesOut(s.recv, 10)
        s.settimeout(None)
        s.sendall(b"late")
        self.assertEqual(recv_exact(s, 4), b"late")


class NonBlockingConnectTests(NetTestCase):

    def test_connect_raises_einprogress_then_completes(self):
        server = self.listener()
        s = self.tcp()
        s.setblocking(False)
        self.assertRaisesErrno(errno.EINPROGRESS, s.connect, server.getsockname())
        _, w, _ = select.select([], [s], [], 10)
        self.assertEqual(w, [s])
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0)
        self.assertEqual(s.getpeername(), server.getsockname())

    def test_connect_ex_sequence_ends_in_eisconn(self):
        server = self.listener()
        s = self.tcp()
        s.setblocking(False)
        seen = [s.connect_ex(server.getsockname())]
        select.select([], [s], [], 10)
        deadline = time.time() + 10
        while seen[-1] != errno.EISCONN and time.time() < deadline:
            seen.append(s.connect_ex(server.getsockname()))
        self.assertEqual(seen[0], errno.EINPROGRESS)
        self.assertEqual(seen[-1], errno.EISCONN)
        for code in seen[1:-1]:
            self.assertTrue(code in (0, errno.EALREADY), seen)

    def test_refused_reported_by_so_error_writability_and_next_call(self):
        s = self.tcp()
        s.setblocking(False)
        self.assertEqual(s.connect_ex(peer("CLOSED")), errno.EINPROGRESS)
        _, w, _ = select.select([], [s], [], 10)
        self.assertEqual(w, [s])
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), errno.ECONNREFUSED)
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), 0)

    def test_refused_error_surfaces_on_next_connect(self):
        s = self.tcp()
        s.setblocking(False)
        s.connect_ex(peer("CLOSED"))
        select.select([], [s], [], 10)
        self.assertEqual(s.connect_ex(peer("CLOSED")), errno.ECONNREFUSED)

    def test_blocking_connect_ex_success_is_zero(self):
        server = self.listener()
        s = self.tcp(timeout=None)
        self.assertEqual(s.connect_ex(server.getsockname()), 0)

    def test_nonblocking_send_never_returns_zero(self):
        s = self.connect("SLOW")
        s.setblocking(False)
        for _ in range(100000):
            try:
                n = s.send(b"\0" * 65536)
            except socket.error as e:
                self.assertEqual(e.args[0], errno.EAGAIN)
                break
            self.assertTrue(n > 0)
        else:
            self.fail("the slow reader never pushed back")


@unittest.skipUnless(ON_JYTHON, "CPython 2.7 on Linux leaves a thread blocked in recv/accept "
                                "when another thread closes the socket; ours wakes it")
class CloseFromAnotherThreadTests(NetTestCase):

    def blocked_call_ends_with_ebadf(self, sock, call, *args):
        t = self.thread(call, *args)
        time.sleep(0.3)
        self.assertTrue(t.is_alive(), "the call did not block")
        sock.close()
        try:
            self.join_thread(t, timeout=5)
        except socket.error as e:
            self.assertSocketError(e, errno.EBADF)
        else:
            self.fail("the blocked call returned %r after close" % (t.result,))

    def test_recv(self):
        s = self.connect("ECHO", timeout=None)
        self.blocked_call_ends_with_ebadf(s, s.recv, 10)

    def test_accept(self):
        server = self.listener(timeout=None)
        self.blocked_call_ends_with_ebadf(server, server.accept)

    def test_sendall(self):
        s = self.connect("SLOW", timeout=None)
        self.blocked_call_ends_with_ebadf(s, s.sendall, b"\0" * (64 * 1024 * 1024))


class SubclassAndWrapTests(NetTestCase):

    def test_subclass_keeps_its_methods_and_works(self):
        class Tagged(socket.socket):
            def tag(self):
                return "tagged %d" % self.family
        s = self.track(Tagged(socket.AF_INET, socket.SOCK_STREAM))
        s.settimeout(10)
        self.assertTrue(isinstance(s, socket.socket))
        self.assertEqual(s.tag(), "tagged %d" % socket.AF_INET)
        s.connect(peer("ECHO"))
        s.sendall(b"sub")
        self.assertEqual(recv_exact(s, 3), b"sub")

    def test_subclass_serves_datagrams_too(self):
        class Tagged(socket.socket):
            def tag(self):
                return "tagged %d" % self.type
        s = self.track(Tagged(socket.AF_INET, socket.SOCK_DGRAM))
        s.settimeout(10)
        s.bind(("127.0.0.1", 0))
        self.assertTrue(isinstance(s, Tagged))
        self.assertTrue(isinstance(s, socket.socket))
        self.assertEqual(s.type, socket.SOCK_DGRAM)
        self.assertEqual(s.tag(), "tagged %d" % socket.SOCK_DGRAM)
        sender = self.track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        sender.sendto(b"one", s.getsockname())
        sender.sendto(b"two", s.getsockname())
        self.assertEqual(s.recvfrom(100), (b"one", ("127.0.0.1", sender.getsockname()[1])))
        self.assertEqual(s.recv(2), b"tw")     # one datagram per recv: the rest is dropped

    def test_wrapping_with_sock_shares_the_connection(self):
        s = self.connect("ECHO")
        other = self.track(socket.socket(_sock=s._sock))
        other.settimeout(10)
        other.sendall(b"shared")
        self.assertEqual(recv_exact(s, 6), b"shared")
        self.assertEqual(other.getpeername(), s.getpeername())

    def test_socket_type_names(self):
        s = self.tcp()
        self.assertTrue(isinstance(s, socket.SocketType))
        self.assertTrue(isinstance(s, socket._socketobject))
