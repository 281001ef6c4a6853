# -*- coding: utf-8 -*-
"""Many connections: accepted sockets that user code never touches must not hold up others.

One process opens 1,000 connections to its own listener, accepts them all and leaves the
accepted ends alone while the clients write into them; another connection must still work
in both directions, and then every untouched socket still holds exactly what was sent.
"""

import socket

from netsupport import NetTestCase, peer, recv_exact

COUNT = 1000
PER_CLIENT = 16 * 1024


class UntouchedAcceptedSocketsTests(NetTestCase):

    def test_thousand_untouched_accepted_sockets(self):
        server = self.listener(backlog=128)
        clients, accepted = [], []
        for i in range(COUNT):
            c = self.tcp()
            c.connect(server.getsockname())
            clients.append(c)
            accepted.append(self.track(server.accept()[0]))
        payload = b"u" * PER_CLIENT
        for c in clients:
            c.sendall(payload)

        # another connection, to a CPython peer and to our own listener, works both ways
        echo = self.connect("ECHO")
        echo.sendall(b"still alive")
        self.assertEqual(recv_exact(echo, 11), b"still alive")
        late = self.tcp()
        late.connect(server.getsockname())
        late_accepted = self.track(server.accept()[0])
        late.sendall(b"ping")
        self.assertEqual(recv_exact(late_accepted, 4), b"ping")
        late_accepted.sendall(b"pong")
        self.assertEqual(recv_exact(late, 4), b"pong")

        # nothing was lost while nobody read
        for i in (0, COUNT // 2, COUNT - 1):
            self.assertEqual(recv_exact(accepted[i], PER_CLIENT), payload)
        for i, a in enumerate(accepted):
            if i not in (0, COUNT // 2, COUNT - 1):
                self.assertEqual(recv_exact(a, PER_CLIENT), payload)
