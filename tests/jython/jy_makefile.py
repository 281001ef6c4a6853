# -*- coding: utf-8 -*-
"""socket.makefile: buffered read/readline/iteration/write/flush over TCP.

Behaviour is CPython 2.7's on Linux: these cases must pass on the cpython2 oracle.
"""

import socket
import unittest

from netsupport import NetTestCase, greeting, pattern, recv_exact


class MakefileTests(NetTestCase):

    def test_readline_lines_then_eof(self):
        s = self.connect("GREETER")
        f = s.makefile("rb")
        lines = greeting().splitlines(True)
        for line in lines:
            self.assertEqual(f.readline(), line)
        self.assertEqual(f.readline(), b"")
        self.assertEqual(f.readline(), b"")
        f.close()

    def test_read_all(self):
        s = self.connect("GREETER")
        f = s.makefile("rb")
        self.assertEqual(f.read(), greeting())
        self.assertEqual(f.read(), b"")
        f.close()

    def test_read_n_returns_exactly_n(self):
        s = self.connect("GREETER")
        f = s.makefile("rb")
        g = greeting()
        self.assertEqual(f.read(5), g[:5])
        self.assertEqual(f.read(7), g[5:12])
        self.assertEqual(f.read(100000), g[12:])
        f.close()

    def test_readline_with_limit(self):
        s = self.connect("GREETER")
        f = s.makefile("rb")
        first = greeting().splitlines(True)[0]
        self.assertEqual(f.readline(4), first[:4])
        self.assertEqual(f.readline(), first[4:])
        f.close()

    def test_iterate_lines(self):
        s = self.connect("GREETER")
        f = s.makefile("rb")
        self.assertEqual(list(f), greeting().splitlines(True))
        f.close()

    def test_readlines(self):
        s = self.connect("GREETER")
        f = s.makefile("rb")
        self.assertEqual(f.readlines(), greeting().splitlines(True))
        f.close()

    def test_write_flush_readline_roundtrip(self):
        s = self.connect("ECHO")
        w = s.makefile("wb")
        r = s.makefile("rb")
        w.write(b"first line\n")
        w.write(b"second line\n")
        w.flush()
        self.assertEqual(r.readline(), b"first line\n")
        self.assertEqual(r.readline(), b"second line\n")
        w.close()
        r.close()

    def test_unbuffered_write_needs_no_flush(self):
        s = self.connect("ECHO")
        w = s.makefile("wb", 0)
        w.write(b"now\n")
        self.assertEqual(recv_exact(s, 4), b"now\n")
        w.close()

    def test_long_line_through_echo(self):
        s = self.connect("ECHO")
        line = pattern(100000).replace(b"\n", b"N") + b"\n"
        w = s.makefile("wb")
        r = s.makefile("rb")
        writer = self.thread(lambda: (w.write(line), w.flush()))
        self.assertEqual(r.readline(), line)
        self.join_thread(writer)
        w.close()
        r.close()

    def test_closing_file_keeps_socket_open(self):
        s = self.connect("ECHO")
        f = s.makefile("rb")
        f.close()
        s.sendall(b"after")
        self.assertEqual(recv_exact(s, 5), b"after")

    def test_file_survives_socket_close(self):
        # CPython 2.7 (httplib relies on it): the file object keeps the connection open
        s = self.connect("ECHO")
        w = s.makefile("wb")
        r = s.makefile("rb")
        s.close()
        w.write(b"still here\n")
        w.flush()
        self.assertEqual(r.readline(), b"still here\n")
        w.close()
        r.close()

    def test_file_read_timeout(self):
        s = self.connect("ECHO", timeout=0.3)
        f = s.makefile("rb")
        self.assertTimesOut(f.read, 1)
        f.close()

    def test_readline_across_many_small_sends(self):
        s = self.connect("ECHO")
        r = s.makefile("rb")
        for piece in (b"a", b"bc", b"def", b"\n", b"next"):
            s.sendall(piece)
        self.assertEqual(r.readline(), b"abcdef\n")
        s.shutdown(socket.SHUT_WR)
        self.assertEqual(r.read(), b"next")
        r.close()


if __name__ == "__main__":
    unittest.main()
