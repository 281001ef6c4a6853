# -*- coding: utf-8 -*-
"""Bulk TCP transfers with every byte checked by SHA-256, in each socket mode.

A CPython 3 source sends pattern(n) in randomly sized writes after announcing its digest; a
CPython 3 sink reports the count and digest of what it read.  Our side receives and sends
with random chunk sizes in blocking, timeout and non-blocking (select-driven) mode, so that
no byte may be lost, duplicated or re-ordered whatever the segmentation.  The size is 1 GiB
(JNS_BULK_MB overrides it, e.g. for a quick local run).
"""

import errno
import hashlib
import os
import random
import select
import socket
import time

from netsupport import NetTestCase, peer, read_line, parse_count_sha

BULK = int(os.environ.get("JNS_BULK_MB", "1024")) * 1024 * 1024
MAX_CHUNK = 256 * 1024
PERIOD = 251
WAIT = 60.0       # no single step of a transfer may stall this long


def pattern_window(size):
    block = bytes(bytearray(range(PERIOD)))
    reps = (size + PERIOD) // PERIOD + 1
    return block * reps


WINDOW = pattern_window(MAX_CHUNK)


def would_block(exc):
    return exc.args and exc.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK)


class Receiver(object):
    """recv with random sizes into a digest, in one of three modes."""

    def __init__(self, sock, mode, seed):
        self.sock, self.mode = sock, mode
        self.chooser = random.Random(seed)
        self.digest = hashlib.sha256()
        self.count = 0

    def run(self):
        while True:
            data = self.recv(self.chooser.randint(1, MAX_CHUNK))
            if not data:
                return self.count, self.digest.hexdigest()
            self.digest.update(data)
            self.count += len(data)

    def recv(self, size):
        if self.mode != "nonblocking":
            return self.sock.recv(size)
        while True:
            readable, _, _ = select.select([self.sock], [], [], WAIT)
            if not readable:
                raise AssertionError("not readable for %s s after %d bytes" % (WAIT, self.count))
            try:
                return self.sock.recv(size)
            except socket.error as e:
                if not would_block(e):
                    raise


class Sender(object):
    """pattern(total) sent in random chunk sizes, in one of three modes."""

    def __init__(self, sock, mode, seed):
        self.sock, self.mode = sock, mode
        self.chooser = random.Random(seed)

    def run(self, total):
        sent = 0
        while sent < total:
            size = min(total - sent, self.chooser.randint(1, MAX_CHUNK))
            phase = sent % PERIOD
            chunk = WINDOW[phase:phase + size]
            if self.mode == "nonblocking":
                self.send_nonblocking(chunk)
            elif self.chooser.random() < 0.5:
                self.sock.sendall(chunk)
            else:   # send() may take part of it in timeout mode: send the rest too
                done = 0
                while done < len(chunk):
                    n = self.sock.send(chunk[done:])
                    if n <= 0:
                        raise AssertionError("send returned %r" % n)
                    done += n
            sent += size

    def send_nonblocking(self, chunk):
        done = 0
        while done < len(chunk):
            _, writable, _ = select.select([], [self.sock], [], WAIT)
            if not writable:
                raise AssertionError("not writable for %s s" % WAIT)
            try:
                n = self.sock.send(chunk[done:])
            except socket.error as e:
                if would_block(e):
                    continue
                raise
            if n <= 0:
                raise AssertionError("send returned %r for %d bytes" % (n, len(chunk) - done))
            done += n


class BulkTransferTests(NetTestCase):

    def open(self, name, mode):
        s = self.connect(name, timeout=WAIT)
        if mode == "blocking":
            s.settimeout(None)
        elif mode == "nonblocking":
            s.setblocking(False)
        return s

    def receive_from_source(self, mode, seed):
        s = self.connect("SOURCE", timeout=WAIT)
        s.sendall(b"%d %d\n" % (BULK, seed))
        expected = read_line(s).strip()
        if mode == "blocking":
            s.settimeout(None)
        elif mode == "nonblocking":
            s.setblocking(False)
        count, digest = Receiver(s, mode, seed).run()
        self.assertEqual((count, digest), (BULK, expected))

    def send_to_sink(self, mode, seed):
        s = self.open("SINK", mode)
        Sender(s, mode, seed).run(BULK)
        s.settimeout(WAIT)
        s.shutdown(socket.SHUT_WR)
        answer = parse_count_sha(read_line(s))
        self.assertEqual(answer, (BULK, pattern_sha256(BULK)))

    def test_slow_reader_memory_stays_flat(self):
        # The source could push the whole GiB at once; a reader taking 64 KiB every 50 ms
        # must make it wait (receive buffering bounded), not hold it in memory.
        s = self.connect("SOURCE", timeout=WAIT)
        s.sendall(b"%d %d\n" % (BULK, 7))
        read_line(s)
        got = 0
        while got < 1024 * 1024:
            got += len(s.recv(65536))
        before = resident_bytes()
        deadline = time.time() + 3.0
        while time.time() < deadline:
            got += len(s.recv(65536))
            time.sleep(0.05)
        grown = resident_bytes() - before
        self.assertTrue(got < BULK // 4, got)
        self.assertTrue(grown < 100 * 1024 * 1024, "resident memory grew by %d bytes" % grown)

    def test_receive_blocking(self):
        self.receive_from_source("blocking", 1)

    def test_receive_timeout(self):
        self.receive_from_source("timeout", 2)

    def test_receive_nonblocking_select(self):
        self.receive_from_source("nonblocking", 3)

    def test_send_blocking(self):
        self.send_to_sink("blocking", 4)

    def test_send_timeout(self):
        self.send_to_sink("timeout", 5)

    def test_send_nonblocking_select(self):
        self.send_to_sink("nonblocking", 6)


_digests = {}


def resident_bytes():
    """This process's resident set size (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def pattern_sha256(total):
    """sha256 hex of pattern(total), computed once per size."""
    if total not in _digests:
        step = (1024 * 1024 // PERIOD) * PERIOD
        block = WINDOW[:step] if len(WINDOW) >= step else pattern_window(step)[:step]
        digest = hashlib.sha256()
        whole, rest = divmod(total, step)
        for _ in range(whole):
            digest.update(block)
        digest.update(block[:rest])
        _digests[total] = digest.hexdigest()
    return _digests[total]
