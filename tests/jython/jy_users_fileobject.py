# -*- coding: utf-8 -*-
"""Unbuffered file objects (``makefile('rb', 0)``, what httplib makes for every response)
take exactly one line per readline and leave everything after it on the socket, however the
bytes arrive, through a series of file objects on one connection (echo peer)."""

import socket
import threading
import unittest

from netsupport import IO_TIMEOUT, peer


class UnbufferedReadlineTests(unittest.TestCase):
    def setUp(self):
        self.sock = socket.create_connection(peer("ECHO"), IO_TIMEOUT)
        self.addCleanup(self.sock.close)

    def test_successive_file_objects_share_the_stream(self):
        self.sock.sendall(b"a\nbb\nccc\n" + b"x" * 20000 + b"\nrest")
        self.sock.shutdown(socket.SHUT_WR)
        f1 = self.sock.makefile("rb", 0)
        self.assertEqual(f1.readline(), b"a\n")
        f1.close()
        f2 = self.sock.makefile("rb", 0)
        self.assertEqual(f2.readline(1), b"b")
        self.assertEqual(f2.readline(), b"b\n")
        f2.close()
        self.assertEqual(self.sock.recv(2), b"cc")
        f3 = self.sock.makefile("rb", 0)
        self.assertEqual(f3.readline(), b"c\n")
        self.assertEqual(f3.readline(), b"x" * 20000 + b"\n")
        self.assertEqual(f3.readline(), b"rest")
        self.assertEqual(f3.readline(), b"")
        f3.close()

    def test_line_arriving_in_pieces(self):
        self.sock.sendall(b"par")

        def later():
            self.sock.sendall(b"t")
            self.sock.sendall(b"ial\nnext")
            self.sock.shutdown(socket.SHUT_WR)
        timer = threading.Timer(0.2, later)
        timer.start()
        try:
            f = self.sock.makefile("rb", 0)
            self.assertEqual(f.readline(), b"partial\n")
            f.close()
            self.assertEqual(self.sock.recv(100), b"next")
        finally:
            timer.join(IO_TIMEOUT)

    def test_readlines_and_iteration(self):
        self.sock.sendall(b"one\ntwo\nthree\n")
        self.sock.shutdown(socket.SHUT_WR)
        f = self.sock.makefile("rb", 0)
        self.assertEqual(f.readline(), b"one\n")
        self.assertEqual(list(f), [b"two\n", b"three\n"])
        self.assertEqual(f.readlines(), [])
        f.close()

    def test_nonblocking_readline_without_data(self):
        self.sock.setblocking(False)
        f = self.sock.makefile("rb", 0)
        with self.assertRaises(socket.error) as cm:
            f.readline()
        self.assertEqual(cm.exception.args[0], 11)   # EAGAIN
        f.close()


if __name__ == "__main__":
    unittest.main()
