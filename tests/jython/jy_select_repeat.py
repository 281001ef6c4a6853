# -*- coding: utf-8 -*-
"""select.select called again and again with the same lists, as event loops do.

Our select keeps a registration on the sockets between such calls and re-tests only the
sockets that changed (see _socketcore/selectcache.py); these cases check that the answers
are exactly those of a select that looks at everything: every new edge seen, lists mutated
in place or closed sockets noticed, the caller's own objects in list order.  All of them
pass on the cpython2 oracle.  On our implementation they also count the watchers left on
the sockets (the oracle has none, so there only the answers are checked).
"""

import errno
import gc
import select
import socket
import threading
import time
import unittest

from netsupport import NetTestCase, IO_TIMEOUT, recv_exact


def watcher_count(sock):
    """How many selectors watch `sock` (None where the implementation has no such thing)."""
    watchers = getattr(getattr(sock, "_state", None), "watchers", None)
    return None if watchers is None else len(watchers)


class RepeatedSelectTests(NetTestCase):

    def pairs(self, count):
        """`count` connected (client, server-side) pairs over loopback, in matching order."""
        srv = self.listener(backlog=count)
        clients = [self.tcp() for _ in range(count)]
        for c in clients:
            c.connect(srv.getsockname())
        accepted = {}
        for _ in range(count):
            s, _ = srv.accept()
            self.track(s)
            accepted[s.getpeername()] = s
        return clients, [accepted[c.getsockname()] for c in clients]

    def settle(self, rlist, expected, wlist=None, xlist=None):
        """Call select with the same lists until the readable list is `expected` (or the
        guard time passes); return the last answer."""
        wlist = [] if wlist is None else wlist
        xlist = [] if xlist is None else xlist
        deadline = time.time() + IO_TIMEOUT
        while True:
            result = select.select(rlist, wlist, xlist, 0.05)
            if result[0] == expected or time.time() > deadline:
                return result

    def assertSameObjects(self, got, expected):
        self.assertEqual(len(got), len(expected), (got, expected))
        for g, e in zip(got, expected):
            self.assertTrue(g is e, (got, expected))

    def test_every_new_edge_is_seen_with_the_same_list(self):
        clients, servers = self.pairs(40)
        rlist = servers
        for _ in range(5):
            self.assertEqual(list(select.select(rlist, [], [], 0)), [[], [], []])
        for step, chosen in enumerate([[3], [17, 5], [39, 0, 22], [8]]):
            for i in chosen:
                clients[i].sendall(b"%d" % step)
            expected = [servers[i] for i in sorted(chosen)]
            result = self.settle(rlist, expected)
            self.assertSameObjects(result[0], expected)
            # levels: still readable on every call until read
            for _ in range(3):
                self.assertSameObjects(select.select(rlist, [], [], 0)[0], expected)
            for i in chosen:
                self.assertEqual(recv_exact(servers[i], len(b"%d" % step)), b"%d" % step)
            self.assertEqual(select.select(rlist, [], [], 0)[0], [])

    def test_blocking_call_with_the_same_lists_wakes_on_data(self):
        clients, servers = self.pairs(20)
        for _ in range(3):
            select.select(servers, [], [], 0)
        for i in (4, 13):
            t = self.thread(lambda c: (time.sleep(0.2), c.sendall(b"w")), clients[i])
            r, w, x = select.select(servers, [], [])
            self.join_thread(t)
            self.assertSameObjects(r, [servers[i]])
            self.assertEqual(recv_exact(servers[i], 1), b"w")
        r, w, x = select.select(servers, [], [], 0.2)
        self.assertEqual((r, w, x), ([], [], []))

    def test_eof_and_reset_are_seen_with_the_same_list(self):
        clients, servers = self.pairs(10)
        for _ in range(3):
            select.select(servers, [], [], 0)
        clients[6].close()
        result = self.settle(servers, [servers[6]])
        self.assertSameObjects(result[0], [servers[6]])
        self.assertEqual(servers[6].recv(10), b"")

    def test_list_mutated_in_place_is_noticed(self):
        clients, servers = self.pairs(12)
        rlist = servers[:6]
        clients[8].sendall(b"x")
        clients[2].sendall(b"y")
        self.settle(servers, [servers[2], servers[8]])
        for _ in range(3):
            self.assertSameObjects(select.select(rlist, [], [], 0)[0], [servers[2]])
        rlist.append(servers[8])
        self.assertSameObjects(select.select(rlist, [], [], 0)[0], [servers[2], servers[8]])
        self.assertSameObjects(select.select(rlist, [], [], 0)[0], [servers[2], servers[8]])
        rlist[2] = servers[11]
        for _ in range(2):
            self.assertSameObjects(select.select(rlist, [], [], 0)[0], [servers[8]])
        rlist.insert(0, servers[2])
        for _ in range(2):
            self.assertSameObjects(select.select(rlist, [], [], 0)[0], [servers[2], servers[8]])
        del rlist[:]
        self.assertEqual(list(select.select(rlist, [], [], 0)), [[], [], []])

    def test_equal_new_lists_tuples_and_numbers_give_the_callers_objects(self):
        clients, servers = self.pairs(8)
        clients[5].sendall(b"z")
        self.settle(servers, [servers[5]])
        numbers = [s.fileno() for s in servers]
        for _ in range(3):
            self.assertSameObjects(select.select(list(servers), [], [], 0)[0], [servers[5]])
        for _ in range(3):
            r = select.select(tuple(servers), [], [], 0)[0]
            self.assertSameObjects(r, [servers[5]])
            self.assertTrue(isinstance(r, list))
        for _ in range(3):
            fresh = list(numbers)
            r = select.select(fresh, [], [], 0)[0]
            self.assertEqual(r, [numbers[5]])
            self.assertTrue(r[0] is fresh[5])
        longs = [long(n) for n in numbers]
        for _ in range(2):
            r = select.select(longs, [], [], 0)[0]
            self.assertEqual(r, [numbers[5]])
            self.assertTrue(r[0] is longs[5])

    def test_objects_with_fileno_are_asked_every_time_and_never_compared(self):
        class Wrapper(object):
            def __init__(self, sock):
                self.sock = sock

            def fileno(self):
                return self.sock.fileno()

            def __eq__(self, other):
                raise AssertionError("select compared the objects it was given")

            __ne__ = __eq__
            __hash__ = object.__hash__

        clients, servers = self.pairs(4)
        clients[1].sendall(b"w")
        self.settle(servers, [servers[1]])
        for _ in range(3):
            fresh = [Wrapper(s) for s in servers]
            self.assertSameObjects(select.select(fresh, [], [], 0)[0], [fresh[1]])
        same = [Wrapper(s) for s in servers]
        for _ in range(3):
            self.assertSameObjects(select.select(same, [], [], 0)[0], [same[1]])
        same[3].sock = servers[1]      # its fileno() now names the ready socket
        for _ in range(2):
            self.assertSameObjects(select.select(same, [], [], 0)[0], [same[1], same[3]])

    def test_duplicates_and_all_three_lists(self):
        clients, servers = self.pairs(6)
        clients[1].sendall(b"d")
        self.settle(servers, [servers[1]])
        rlist = [servers[1], servers[0], servers[1]]
        wlist = [servers[3], servers[3], servers[4]]
        xlist = [servers[1], servers[2]]
        for _ in range(4):
            r, w, x = select.select(rlist, wlist, xlist, 0)
            self.assertSameObjects(r, [servers[1], servers[1]])
            self.assertSameObjects(w, [servers[3], servers[3], servers[4]])
            self.assertEqual(x, [])

    def test_closed_socket_in_repeated_lists_is_ebadf(self):
        clients, servers = self.pairs(6)
        for _ in range(3):
            select.select(servers, [], [], 0)
        servers[3].close()
        for _ in range(2):
            try:
                select.select(servers, [], [], 0)
            except socket.error as exc:
                self.assertSocketError(exc, errno.EBADF)
            else:
                self.fail("select over a closed socket did not raise")

    def test_closed_duplicate_in_repeated_lists_is_ebadf(self):
        clients, servers = self.pairs(4)
        dup = self.track(servers[2].dup())
        rlist = [servers[0], dup, servers[3]]
        clients[2].sendall(b"q")
        self.settle(rlist, [dup])
        for _ in range(3):
            self.assertSameObjects(select.select(rlist, [], [], 0)[0], [dup])
        dup.close()          # servers[2] still holds the connection open
        for _ in range(2):
            try:
                select.select(rlist, [], [], 0)
            except socket.error as exc:
                self.assertSocketError(exc, errno.EBADF)
            else:
                self.fail("select over a closed duplicate did not raise")
        self.assertSameObjects(select.select([servers[2]], [], [], 0)[0], [servers[2]])

    def test_number_taken_by_a_new_socket(self):
        clients, servers = self.pairs(5)
        numbers = [s.fileno() for s in servers]
        for _ in range(3):
            self.assertEqual(select.select(numbers, [], [], 0)[0], [])
        gone = numbers[2]
        servers[2].close()
        try:
            select.select(numbers, [], [], 0)
        except select.error as exc:
            self.assertEqual(exc.args[0], errno.EBADF)
        else:
            self.fail("select over a closed number did not raise")
        # new sockets take the lowest free numbers: open until one takes `gone`
        fresh = None
        for _ in range(50):
            c = self.tcp()
            if c.fileno() == gone:
                fresh = c
                break
        self.assertTrue(fresh is not None, "no new socket took number %d" % gone)
        srv = self.listener()
        fresh.connect(srv.getsockname())
        peer_side, _ = srv.accept()
        self.track(peer_side)
        peer_side.sendall(b"n")
        result = self.settle(numbers, [gone])
        self.assertEqual(result[0], [gone])
        self.assertEqual(select.select(numbers, [], [], 0)[0], [gone])

    def test_udp_sockets_in_repeated_lists(self):
        a = self.track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        b = self.track(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        rlist = [a, b]
        for _ in range(3):
            self.assertEqual(select.select(rlist, [], [], 0)[0], [])
        a.sendto(b"dgram", b.getsockname())
        result = self.settle(rlist, [b])
        self.assertSameObjects(result[0], [b])
        self.assertEqual(b.recvfrom(100)[0], b"dgram")
        self.assertEqual(select.select(rlist, [], [], 0)[0], [])
        a.close()
        try:
            select.select(rlist, [], [], 0)
        except socket.error as exc:
            self.assertSocketError(exc, errno.EBADF)
        else:
            self.fail("select over a closed UDP socket did not raise")

    def test_changing_lists_leave_no_watchers_behind(self):
        clients, servers = self.pairs(30)
        for round in range(60):
            subset = servers[round % 7::3]
            for _ in range(round % 3 + 1):       # each subset once, twice or three times
                self.assertEqual(select.select(subset, [], [], 0)[0], [])
        counts = [watcher_count(s) for s in servers]
        if counts[0] is not None:
            # at most the one registration of this thread's last lists
            self.assertTrue(max(counts) <= 1, counts)
        select.select([], [], [], 0)
        counts = [watcher_count(s) for s in servers]
        if counts[0] is not None:
            self.assertEqual(max(counts), 0, counts)

    def test_a_finished_threads_watchers_go_away(self):
        clients, servers = self.pairs(6)

        def loop():
            for _ in range(5):
                select.select(servers, [], [], 0)
        t = threading.Thread(target=loop)
        t.start()
        t.join(IO_TIMEOUT)
        del t
        # data on each socket is an edge, which lets it drop a watcher whose selector is
        # gone; this thread never selects on them, so none should be left
        deadline = time.time() + IO_TIMEOUT
        while True:
            gc.collect()
            for c, s in zip(clients, servers):
                c.sendall(b"e")
                self.assertEqual(recv_exact(s, 1), b"e")
            counts = [watcher_count(s) for s in servers]
            if counts[0] is None or max(counts) == 0 or time.time() > deadline:
                break
            time.sleep(0.05)
        if counts[0] is not None:
            self.assertEqual(max(counts), 0, counts)

if __name__ == "__main__":
    unittest.main()
