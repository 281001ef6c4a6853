"""Helpers shared by the benchmark figures (Python 2.7 / Jython 2.7 / Python 3 source).

A figure module (`fig*.py`) defines ROWS: an ordered list of (row name, function).  Each
function takes (peer, seconds) -- `peer` is the dict of ports the CPython 3 peer service
(`peer.py`) printed, `seconds` the measuring time -- and returns one number (the row's unit
is in its name).  `main()` runs a figure standalone, starting its own peer when none is given.
"""
from __future__ import print_function

import json
import os
import socket
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
HOST = '127.0.0.1'
BLOCK = b'x' * 65536     # payload for bulk transfers


class NotAvailable(Exception):
    """This implementation lacks what the row measures (the message says so: "n/a (...)")."""


def now():
    """Wall-clock seconds (the same clock on every implementation)."""
    return time.time()


def peer_python():
    """The CPython 3 that runs peers and load generators."""
    return os.environ.get('BENCH_PEER_PYTHON', 'python3')


def start_peer():
    """Start `peer.py` in its own process; returns (process, ports dict)."""
    proc = subprocess.Popen([peer_python(), os.path.join(BENCH_DIR, 'peer.py')],
                            stdout=subprocess.PIPE)
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError('peer.py did not start')
    return proc, json.loads(line.decode('ascii'))


def connect(port, timeout=None):
    """A blocking TCP connection to the peer's `port`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect((HOST, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock, size):
    """Read exactly `size` bytes (EOFError if the peer closes first)."""
    chunks, got = [], 0
    while got < size:
        data = sock.recv(size - got)
        if not data:
            raise EOFError('peer closed after %d of %d bytes' % (got, size))
        chunks.append(data)
        got += len(data)
    return b''.join(chunks)


def rate(count, started):
    """count per second since `started`."""
    return count / max(now() - started, 1e-9)


def run_rows(module, seconds=1.0, peer=None):
    """Run every row of a figure module once, printing one line per row."""
    proc = None
    if peer is None:
        proc, peer = start_peer()
    try:
        for name, func in module.ROWS:
            try:
                value = func(peer, seconds)
                print('%-45s %12.1f' % (name, value))
            except NotAvailable as exc:
                print('%-45s %s' % (name, exc))
            except Exception as exc:
                print('%-45s error: %s' % (name, exc))
            sys.stdout.flush()
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()


def main(module):
    """Standalone entry of a figure: `<python> bench/figN_x.py [seconds]`."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    peer = None
    if os.environ.get('BENCH_PEER'):
        peer = json.loads(os.environ['BENCH_PEER'])
    run_rows(module, seconds, peer)
