"""CPython 3 peers for bulk transfers with every byte checked (see peers.py for the others).

``JNS_PEER_SOURCE``
    Source: the client sends one line ``<nbytes> <seed>\\n``; the peer answers with the line
    ``<sha256 hex of pattern(nbytes)>\\n`` and then sends ``pattern(nbytes)`` in writes whose
    sizes are drawn by ``random.Random(seed)`` between 1 byte and 256 KiB, and closes.
    The client thus knows the digest before the data and sees arbitrary segmentation.

``JNS_PEER_SINK``
    Sink: reads until the client's EOF with receive sizes drawn at random, answers
    ``<count> <sha256 hex>\\n`` of everything read and closes.
"""

import hashlib
import random

from .peers import _Server, _read_line, pattern

MAX_WRITE = 256 * 1024
_PERIOD = 251   # pattern(n) repeats every 251 bytes


def _pattern_window(size):
    """pattern() bytes long enough to cut any slice of up to `size` bytes at any phase."""
    return pattern(size + _PERIOD)


def pattern_sha256(nbytes):
    """sha256 hex digest of pattern(nbytes), computed in 1 MiB steps."""
    step = (1024 * 1024 // _PERIOD) * _PERIOD
    block = pattern(step)
    digest = hashlib.sha256()
    whole, rest = divmod(nbytes, step)
    for _ in range(whole):
        digest.update(block)
    digest.update(block[:rest])
    return digest.hexdigest()


class SourceServer(_Server):
    name = "source"

    def handle(self, conn, addr):
        fields = _read_line(conn).split()
        nbytes, seed = int(fields[0]), int(fields[1])
        conn.sendall(("%s\n" % pattern_sha256(nbytes)).encode("ascii"))
        window = _pattern_window(MAX_WRITE)
        chooser = random.Random(seed)
        sent = 0
        while sent < nbytes:
            size = min(nbytes - sent, chooser.randint(1, MAX_WRITE))
            phase = sent % _PERIOD
            conn.sendall(window[phase:phase + size])
            sent += size


class SinkServer(_Server):
    name = "sink"

    def handle(self, conn, addr):
        chooser = random.Random()
        digest = hashlib.sha256()
        count = 0
        while True:
            data = conn.recv(chooser.randint(1, MAX_WRITE))
            if not data:
                break
            digest.update(data)
            count += len(data)
        conn.sendall(("%d %s\n" % (count, digest.hexdigest())).encode("ascii"))


ENV_NAMES = ("JNS_PEER_SOURCE", "JNS_PEER_SINK")


class BulkPeers(object):
    """The source and sink servers of one session."""

    def __init__(self):
        self.source = SourceServer()
        self.sink = SinkServer()

    def env(self):
        return {"JNS_PEER_SOURCE": self.source.env_value(), "JNS_PEER_SINK": self.sink.env_value()}

    def errors(self):
        return self.source.errors + self.sink.errors

    def stop(self):
        self.source.stop()
        self.sink.stop()
