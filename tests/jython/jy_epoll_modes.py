# -*- coding: utf-8 -*-
"""epoll's three modes over real sockets: level-triggered, edge-triggered (EPOLLET) and
one-shot (EPOLLONESHOT), plus maxevents fairness and registration from another thread,
as on Linux (these cases pass on the cpython2 oracle).
"""

import select
import socket
import time
import unittest

from netsupport import NetTestCase, Stopwatch, recv_exact

IN, OUT = select.EPOLLIN, select.EPOLLOUT


class EpollModeTests(NetTestCase):

    def setUp(self):
        NetTestCase.setUp(self)
        self.ep = self.track(select.epoll())

    def pair(self):
        """(client, accepted), connected over loopback in this process."""
        srv = self.listener()
        client = self.tcp()
        client.connect(srv.getsockname())
        accepted, _ = srv.accept()
        self.track(accepted)
        accepted.settimeout(10.0)
        srv.close()
        return client, accepted

    def wait_events(self, timeout=5.0):
        """The first non-empty poll result within `timeout` seconds."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            events = self.ep.poll(0.5)
            if events:
                return events
        self.fail("no event within %ss" % timeout)

    def send_and_settle(self, sender, data):
        sender.sendall(data)
        time.sleep(0.2)     # let the bytes arrive before testing a "no report" outcome

    def test_level_triggered_reports_while_ready(self):
        client, server = self.pair()
        self.ep.register(server, IN)
        self.assertEqual(self.ep.poll(0), [])
        self.send_and_settle(client, b"level")
        fd = server.fileno()
        self.assertEqual(self.wait_events(), [(fd, IN)])
        self.assertEqual(self.ep.poll(0), [(fd, IN)])
        self.assertEqual(server.recv(2), b"le")
        self.assertEqual(self.ep.poll(0), [(fd, IN)])
        self.assertEqual(recv_exact(server, 3), b"vel")
        self.assertEqual(self.ep.poll(0), [])

    def test_edge_triggered_reports_each_edge_once(self):
        client, server = self.pair()
        self.ep.register(server, IN | select.EPOLLET)
        fd = server.fileno()
        self.send_and_settle(client, b"one")
        self.assertEqual(self.wait_events(), [(fd, IN)])
        self.assertEqual(self.ep.poll(0.2), [])          # unread data is no new edge
        self.assertEqual(server.recv(1), b"o")
        self.assertEqual(self.ep.poll(0), [])            # nor is a partial read
        self.send_and_settle(client, b"two")
        self.assertEqual(self.wait_events(), [(fd, IN)])  # new data is
        self.assertEqual(self.ep.poll(0), [])
        self.assertEqual(recv_exact(server, 5), b"netwo")

    def test_edge_triggered_registration_reports_current_state_once(self):
        client, server = self.pair()
        self.ep.register(server, IN | OUT | select.EPOLLET)
        fd = server.fileno()
        self.assertEqual(self.wait_events(), [(fd, OUT)])
        self.assertEqual(self.ep.poll(0.2), [])
        self.send_and_settle(client, b"x")
        # an input edge reports everything that is true, output included
        self.assertEqual(self.wait_events(), [(fd, IN | OUT)])
        self.assertEqual(self.ep.poll(0), [])
        self.ep.modify(server, IN | OUT | select.EPOLLET)   # modify counts as an edge
        self.assertEqual(self.ep.poll(0), [(fd, IN | OUT)])
        self.assertEqual(server.recv(1), b"x")

    def test_edge_triggered_eof_is_an_edge(self):
        client, server = self.pair()
        self.ep.register(server, IN | select.EPOLLET)
        self.assertEqual(self.ep.poll(0), [])
        client.shutdown(socket.SHUT_WR)
        self.assertEqual(self.wait_events(), [(server.fileno(), IN)])
        self.assertEqual(self.ep.poll(0.2), [])
        self.assertEqual(server.recv(10), b"")

    def test_oneshot_disables_until_modify(self):
        client, server = self.pair()
        self.ep.register(server, IN | select.EPOLLONESHOT)
        fd = server.fileno()
        self.send_and_settle(client, b"a")
        self.assertEqual(self.wait_events(), [(fd, IN)])
        self.assertEqual(self.ep.poll(0), [])
        self.send_and_settle(client, b"b")
        self.assertEqual(self.ep.poll(0.2), [])          # even a new edge: disabled
        client.shutdown(socket.SHUT_WR)
        time.sleep(0.2)
        self.assertEqual(self.ep.poll(0), [])
        self.ep.modify(server, IN | select.EPOLLONESHOT)
        self.assertEqual(self.ep.poll(0), [(fd, IN)])
        self.assertEqual(self.ep.poll(0), [])
        self.assertEqual(recv_exact(server, 2), b"ab")

    def test_errors_and_hang_up_are_reported_without_asking(self):
        client, server = self.pair()
        self.ep.register(server, 0)
        self.assertEqual(self.ep.poll(0), [])
        server.shutdown(socket.SHUT_WR)
        client.shutdown(socket.SHUT_WR)
        self.assertEqual(self.wait_events(), [(server.fileno(), select.EPOLLHUP)])

    def test_unregistered_socket_is_not_reported(self):
        client, server = self.pair()
        self.ep.register(server, IN)
        self.send_and_settle(client, b"x")
        self.assertEqual(self.wait_events(), [(server.fileno(), IN)])
        self.ep.unregister(server)
        self.assertEqual(self.ep.poll(0), [])
        self.ep.register(server, IN)
        self.assertEqual(self.ep.poll(0), [(server.fileno(), IN)])

    def test_maxevents_rotates_so_no_socket_starves(self):
        sockets = [self.connect("ECHO") for _ in range(5)]
        for s in sockets:
            self.ep.register(s, OUT)
        everyone = set(s.fileno() for s in sockets)
        first = self.ep.poll(1, 2)
        second = self.ep.poll(1, 2)
        third = self.ep.poll(1, 2)
        for events in (first, second, third):
            self.assertEqual(len(events), 2, events)
        self.assertEqual(set(fd for fd, _ in first) & set(fd for fd, _ in second), set())
        reported = set(fd for fd, _ in first + second + third)
        self.assertEqual(reported, everyone)

    def test_register_from_another_thread_wakes_a_waiting_poll(self):
        client, server = self.pair()
        client.sendall(b"ready")
        time.sleep(0.2)
        t = self.thread(self.ep.poll, 20)
        time.sleep(0.3)
        with Stopwatch() as sw:
            self.ep.register(server, IN)
            events = self.join_thread(t)
        self.assertEqual(events, [(server.fileno(), IN)])
        self.assertTrue(sw.elapsed < 10.0, sw.elapsed)

    def test_data_wakes_a_waiting_poll(self):
        client, server = self.pair()
        self.ep.register(server, IN)
        t = self.thread(self.ep.poll, 20)
        time.sleep(0.3)
        client.sendall(b"wake")
        self.assertEqual(self.join_thread(t), [(server.fileno(), IN)])

    def test_many_registered_one_ready(self):
        sockets = [self.connect("ECHO") for _ in range(40)]
        for s in sockets:
            self.ep.register(s, IN)
        chosen = sockets[17]
        chosen.sendall(b"me")
        self.assertEqual(self.wait_events(), [(chosen.fileno(), IN)])
        self.assertEqual(recv_exact(chosen, 2), b"me")
        self.assertEqual(self.ep.poll(0), [])


if __name__ == "__main__":
    unittest.main()
