# -*- coding: utf-8 -*-
"""select, poll and epoll arguments: what they accept, what they return, and the exception
each bad argument raises, as CPython 2.7 on Linux (these cases pass on the cpython2 oracle).
"""

import errno
import select
import socket
import threading
import time
import unittest

from netsupport import NetTestCase, Stopwatch

EPOLL_DEFAULT = select.EPOLLIN | select.EPOLLOUT | select.EPOLLPRI
EPOLLEXCLUSIVE = 1 << 28    # not exported by CPython 2.7's select


class Wrapper(object):
    """An object with fileno(), as select accepts."""

    def __init__(self, sock):
        self.sock = sock

    def fileno(self):
        return self.sock.fileno()


class BadFileno(object):
    def __init__(self, value):
        self.value = value

    def fileno(self):
        return self.value


class SelectArgumentTests(NetTestCase):

    def test_non_sequences_raise_type_error(self):
        self.assertRaises(TypeError, select.select, 1, [], [], 0)
        self.assertRaises(TypeError, select.select, [], None, [], 0)

    def test_objects_without_a_usable_fileno_raise_type_error(self):
        self.assertRaises(TypeError, select.select, [object()], [], [], 0)
        self.assertRaises(TypeError, select.select, ["3"], [], [], 0)
        self.assertRaises(TypeError, select.select, [1.5], [], [], 0)
        self.assertRaises(TypeError, select.select, [BadFileno("x")], [], [], 0)
        self.assertRaises(TypeError, select.select, [BadFileno(2.0)], [], [], 0)

    def test_negative_file_numbers_raise_value_error(self):
        self.assertRaises(ValueError, select.select, [-1], [], [], 0)
        self.assertRaises(ValueError, select.select, [], [BadFileno(-3)], [], 0)

    def test_bad_timeouts(self):
        s = self.connect("ECHO")
        self.assertRaises(TypeError, select.select, [s], [], [], "soon")
        self.assertRaises(OverflowError, select.select, [s], [], [], 1e20)
        for negative in (-1, -0.5):
            try:
                select.select([s], [], [], negative)
            except select.error as exc:
                self.assertNotJava(exc)
                self.assertEqual(exc.args[0], errno.EINVAL)
                self.assertEqual(len(exc.args), 2)
            else:
                self.fail("negative timeout accepted")

    def test_select_error_is_its_own_class_with_errno_and_message(self):
        self.assertTrue(issubclass(select.error, Exception))
        self.assertFalse(issubclass(select.error, EnvironmentError))
        self.assertFalse(issubclass(select.error, socket.error))
        exc = select.error(errno.EBADF, "Bad file descriptor")
        self.assertEqual(exc.args, (errno.EBADF, "Bad file descriptor"))

    def test_closed_socket_object_is_ebadf(self):
        s = self.tcp()
        s.close()
        self.assertRaisesErrno(errno.EBADF, select.select, [s], [], [], 0)

    def test_number_of_a_closed_socket_is_select_error_ebadf(self):
        s = self.tcp()
        number = s.fileno()
        s.close()
        try:
            select.select([number], [], [], 0)
        except select.error as exc:
            self.assertNotJava(exc)
            self.assertEqual(exc.args[0], errno.EBADF)
        else:
            self.fail("select on a closed file number did not raise")

    def test_returns_callers_objects_in_order(self):
        a = self.connect("ECHO")
        b = self.connect("ECHO")
        wrapped = Wrapper(b)
        r, w, x = select.select([], [a.fileno(), wrapped, a], [], 5.0)
        self.assertEqual(r, [])
        self.assertEqual(len(w), 3)
        self.assertTrue(w[0] == a.fileno() and isinstance(w[0], int))
        self.assertTrue(w[1] is wrapped)
        self.assertTrue(w[2] is a)
        self.assertEqual(x, [])

    def test_any_iterable_and_empty_lists(self):
        a = self.connect("ECHO")
        r, w, x = select.select((), (s for s in [a]), [], 5.0)
        self.assertEqual((r, w, x), ([], [a], []))
        self.assertEqual(select.select([], [], [], 0), ([], [], []))

    def test_long_file_numbers(self):
        a = self.connect("ECHO")
        number = long(a.fileno()) if str is bytes else a.fileno()  # noqa: F821 (py2 only)
        self.assertEqual(select.select([], [number], [], 5.0)[1], [number])

    def test_failed_connect_is_readable_and_writable_not_exceptional(self):
        s = self.tcp()
        s.setblocking(False)
        from netsupport import peer
        code = s.connect_ex(peer("CLOSED"))
        self.assertTrue(code in (errno.EINPROGRESS, errno.ECONNREFUSED), code)
        r, w, x = select.select([s], [s], [s], 5.0)
        self.assertEqual((r, w), ([s], [s]))
        self.assertEqual(x, [])    # Linux reports a failed connect as readable/writable only
        self.assertEqual(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR), errno.ECONNREFUSED)


class PollArgumentTests(NetTestCase):

    def test_register_type_and_value_errors(self):
        p = select.poll()
        self.assertRaises(TypeError, p.register, object())
        self.assertRaises(TypeError, p.register, BadFileno("x"))
        self.assertRaises(ValueError, p.register, -1)
        s = self.connect("ECHO")
        self.assertRaises(OverflowError, p.register, s, -1)
        self.assertRaises(OverflowError, p.register, s, 1 << 16)
        self.assertRaises(OverflowError, p.register, s, 1 << 64)

    def test_modify_unregistered_is_enoent_and_unregister_is_keyerror(self):
        p = select.poll()
        s = self.connect("ECHO")
        try:
            p.modify(s, select.POLLIN)
        except IOError as exc:
            self.assertEqual(exc.errno, errno.ENOENT)
        else:
            self.fail("modify of an unregistered socket did not raise")
        try:
            p.unregister(s)
        except KeyError as exc:
            self.assertEqual(exc.args, (s.fileno(),))
        else:
            self.fail("unregister of an unregistered socket did not raise")
        self.assertRaises(OverflowError, p.modify, s, -1)

    def test_closed_socket_object_is_ebadf(self):
        p = select.poll()
        s = self.tcp()
        s.close()
        self.assertRaisesErrno(errno.EBADF, p.register, s)

    def test_number_without_a_socket_is_reported_invalid(self):
        s = self.tcp()
        number = s.fileno()
        s.close()
        p = select.poll()
        p.register(number, select.POLLIN)
        self.assertEqual(p.poll(0), [(number, select.POLLNVAL)])
        p.unregister(number)
        self.assertEqual(p.poll(0), [])

    def test_timeouts(self):
        p = select.poll()
        self.assertRaises(TypeError, p.poll, "soon")
        self.assertRaises(OverflowError, p.poll, 1 << 31)
        self.assertRaises(OverflowError, p.poll, 1 << 64)
        self.assertEqual(p.poll(0), [])
        self.assertEqual(p.poll(1.5), [])     # milliseconds, truncated
        with Stopwatch() as sw:
            self.assertEqual(p.poll(200), [])
        self.assertTrue(0.15 <= sw.elapsed < 5.0, sw.elapsed)

    def test_default_mask_and_register_again_replaces_it(self):
        s = self.connect("ECHO")
        p = select.poll()
        p.register(s)
        self.assertEqual(p.poll(5000), [(s.fileno(), select.POLLOUT)])
        p.register(s, select.POLLIN)
        self.assertEqual(p.poll(0), [])
        p.modify(s.fileno(), select.POLLOUT | select.POLLWRNORM)
        self.assertEqual(p.poll(0), [(s.fileno(), select.POLLOUT | select.POLLWRNORM)])

    def test_concurrent_poll_is_runtime_error(self):
        s = self.connect("ECHO")
        p = select.poll()
        p.register(s, select.POLLIN)
        t = self.thread(p.poll, 10000)
        deadline = time.time() + 5.0
        raised = False
        while not raised and time.time() < deadline:
            time.sleep(0.05)
            try:
                p.poll(0)
            except RuntimeError:
                raised = True
        s.sendall(b"wake")
        self.assertTrue(raised, "a second poll() on the same object did not raise")
        self.assertEqual(self.join_thread(t), [(s.fileno(), select.POLLIN)])


class EpollArgumentTests(NetTestCase):

    def epoll(self, *args):
        ep = select.epoll(*args)
        self._sockets.append(ep)     # closed at tearDown
        return ep

    def test_constants_have_linux_values(self):
        self.assertEqual((select.EPOLLIN, select.EPOLLPRI, select.EPOLLOUT, select.EPOLLERR,
                          select.EPOLLHUP), (1, 2, 4, 8, 16))
        self.assertEqual((select.EPOLLRDNORM, select.EPOLLRDBAND, select.EPOLLWRNORM,
                          select.EPOLLWRBAND, select.EPOLLMSG),
                         (0x40, 0x80, 0x100, 0x200, 0x400))
        self.assertEqual((select.EPOLLET, select.EPOLLONESHOT), (1 << 31, 1 << 30))
        if hasattr(select, "EPOLLRDHUP"):     # CPython 3 has it, CPython 2.7 does not
            self.assertEqual(select.EPOLLRDHUP, 0x2000)

    def test_constructor_arguments(self):
        self.epoll()
        self.epoll(-1)
        self.epoll(10)
        self.assertRaises(ValueError, select.epoll, 0)
        self.assertRaises(ValueError, select.epoll, -2)
        for bad in ("x", None, (), [1], {}):
            self.assertRaises(TypeError, select.epoll, bad)

    def test_fileno_and_close(self):
        ep = self.epoll()
        s = self.tcp()
        number = ep.fileno()
        self.assertTrue(isinstance(number, int) and number >= 0, number)
        self.assertNotEqual(number, s.fileno())
        self.assertFalse(ep.closed)
        ep.close()
        self.assertTrue(ep.closed)
        ep.close()
        for call in (ep.fileno, lambda: ep.register(s), lambda: ep.modify(s, 1),
                     lambda: ep.unregister(s), lambda: ep.poll(0)):
            self.assertRaises(ValueError, call)

    def test_fromfd_shares_the_set_and_close_closes_it(self):
        ep = self.epoll()
        twin = select.epoll.fromfd(ep.fileno())
        s = self.connect("ECHO")
        twin.register(s, select.EPOLLOUT)
        self.assertEqual(ep.poll(5), [(s.fileno(), select.EPOLLOUT)])
        try:
            ep.register(s)
        except IOError as exc:
            self.assertEqual(exc.errno, errno.EEXIST)
        else:
            self.fail("the set registered through fromfd's object is not shared")
        ep.close()
        self.assertFalse(twin.closed)
        try:
            twin.poll(0)
        except IOError as exc:
            self.assertEqual(exc.errno, errno.EBADF)
        else:
            self.fail("poll on a set closed through another object did not raise EBADF")

    def test_register_errors(self):
        ep = self.epoll()
        s = self.connect("ECHO")
        ep.register(s)
        for again in (s, s.fileno()):
            try:
                ep.register(again)
            except IOError as exc:
                self.assertEqual(exc.errno, errno.EEXIST)
            else:
                self.fail("registering twice did not raise")
        self.assertRaises(TypeError, ep.register, object())
        self.assertRaises(TypeError, ep.register, None)
        self.assertRaises(ValueError, ep.register, -1)
        t = self.tcp()
        self.assertRaises(TypeError, ep.register, t, "in")
        for bad_mask in (-1, EPOLLEXCLUSIVE | select.EPOLLPRI,
                         EPOLLEXCLUSIVE | select.EPOLLONESHOT):
            try:
                ep.register(t, bad_mask)
            except IOError as exc:
                self.assertEqual(exc.errno, errno.EINVAL)
            else:
                self.fail("mask %#x accepted" % (bad_mask & 0xffffffff))
        ep.register(t, EPOLLEXCLUSIVE | select.EPOLLIN)
        try:
            ep.modify(t, select.EPOLLIN)
        except IOError as exc:
            self.assertEqual(exc.errno, errno.EINVAL)
        else:
            self.fail("modify of an EPOLLEXCLUSIVE registration accepted")

    def test_number_without_a_socket_is_ebadf(self):
        ep = self.epoll()
        s = self.tcp()
        number = s.fileno()
        s.close()
        for call in (lambda: ep.register(number), lambda: ep.modify(number, 1)):
            try:
                call()
            except IOError as exc:
                self.assertEqual(exc.errno, errno.EBADF)
            else:
                self.fail("no EBADF for a closed file number")
        self.assertEqual(ep.unregister(number), None)   # CPython ignores EBADF there
        self.assertRaisesErrno(errno.EBADF, ep.register, s)

    def test_unknown_registration_is_enoent(self):
        ep = self.epoll()
        s = self.tcp()
        for call in (lambda: ep.modify(s, select.EPOLLIN), lambda: ep.unregister(s)):
            try:
                call()
            except IOError as exc:
                self.assertEqual(exc.errno, errno.ENOENT)
            else:
                self.fail("no ENOENT for an unregistered socket")
        ep.register(s, 0)
        ep.unregister(s)
        self.assertRaises(IOError, ep.unregister, s)

    def test_poll_arguments(self):
        ep = self.epoll()
        self.assertEqual(ep.poll(0), [])
        self.assertEqual(ep.poll(0.01, 5), [])
        self.assertRaises(TypeError, ep.poll, "soon")
        self.assertRaises(ValueError, ep.poll, 0, 0)
        self.assertRaises(ValueError, ep.poll, 0, -2)
        with Stopwatch() as sw:
            self.assertEqual(ep.poll(0.2), [])
        self.assertTrue(0.15 <= sw.elapsed < 5.0, sw.elapsed)

    def test_default_mask(self):
        ep = self.epoll()
        s = self.connect("ECHO")
        ep.register(s)
        self.assertEqual(ep.poll(5), [(s.fileno(), select.EPOLLOUT)])
        s.sendall(b"hi")
        deadline = time.time() + 5
        events = []
        while time.time() < deadline:
            events = ep.poll(1)
            if events and events[0][1] & select.EPOLLIN:
                break
        self.assertEqual(events, [(s.fileno(), select.EPOLLIN | select.EPOLLOUT)])
        self.assertEqual(EPOLL_DEFAULT, 7)


if __name__ == "__main__":
    unittest.main()
