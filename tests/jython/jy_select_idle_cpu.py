# -*- coding: utf-8 -*-
"""A process blocked in select, poll and epoll uses no measurable CPU: no busy waiting.

This is a correctness check, not a benchmark: three threads block for 5 s (select, poll
and epoll on sockets that never become ready) while the process's CPU time (user + system,
from /proc/self/stat, which for Jython is the whole JVM) grows by less than 0.5 s.  A
busy-waiting implementation burns about one core per waiting thread.  Passes on the
cpython2 oracle.
"""

import select
import time
import unittest

from netsupport import NetTestCase

BLOCK_SECONDS = 5.0
CPU_LIMIT = 0.5
CLOCK_TICKS = 100.0    # USER_HZ on Linux


def process_cpu_seconds():
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after "pid (comm)": state is field 3, utime 14 and stime 15 (1-based)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class IdleCpuTests(NetTestCase):

    def test_blocked_select_poll_and_epoll_use_no_cpu(self):
        quiet = self.connect("ECHO")          # connected, nothing ever arrives
        srv = self.listener()                 # listening, nobody connects
        p = select.poll()
        p.register(quiet, select.POLLIN)
        p.register(srv, select.POLLIN)
        ep = self.track(select.epoll())
        ep.register(quiet, select.EPOLLIN)
        ep.register(srv, select.EPOLLIN | select.EPOLLET)
        waits = [
            lambda seconds: select.select([quiet, srv], [], [quiet], seconds),
            lambda seconds: p.poll(int(seconds * 1000)),
            lambda seconds: ep.poll(seconds),
        ]
        for wait in waits:        # warm up: load classes, let the JIT see the code
            for _ in range(20):
                self.assertEqual(list(wait(0.01)), [] if wait is not waits[0] else [[], [], []])
        time.sleep(1.0)
        started = time.time()
        before = process_cpu_seconds()
        threads = [self.thread(wait, BLOCK_SECONDS) for wait in waits]
        results = [self.join_thread(t, BLOCK_SECONDS + 30) for t in threads]
        used = process_cpu_seconds() - before
        elapsed = time.time() - started
        self.assertEqual([list(r) for r in results], [[[], [], []], [], []])
        self.assertTrue(elapsed >= BLOCK_SECONDS - 0.1, "returned after %.2fs" % elapsed)
        self.assertTrue(used < CPU_LIMIT,
                        "%.2f s of CPU while blocked for %.1f s" % (used, elapsed))


if __name__ == "__main__":
    unittest.main()
