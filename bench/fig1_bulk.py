"""Figure 1: bulk TCP throughput over loopback, MB/s (10**6 bytes per second).

recv: the peer's `source` sends without pause; we call recv(N) for the measuring time.
sendall: we sendall() N-byte chunks into the peer's `sink`, then an end mark; the clock
stops when the sink reports how many bytes it read (so queued bytes count only once they
arrived).  An end mark, not shutdown(SHUT_WR): stock Jython sends no FIN.
"""
from __future__ import print_function

import common


def bulk_recv(size):
    batch = max(1, 65536 // size)   # look at the clock about once per 64 KiB

    def run(peer, seconds):
        sock = common.connect(peer['source'])
        try:
            total = 0
            started = common.now()
            end = started + seconds
            while True:
                for _ in range(batch):
                    total += len(sock.recv(size))
                if common.now() >= end:
                    break
            return common.rate(total, started) / 1e6
        finally:
            sock.close()
    return run


def bulk_sendall(size):
    chunk = common.BLOCK[:size]
    batch = max(1, 65536 // size)

    def run(peer, seconds):
        sock = common.connect(peer['sink'])
        try:
            sent = 0
            started = common.now()
            end = started + seconds
            while True:
                for _ in range(batch):
                    sock.sendall(chunk)
                sent += batch * size
                if common.now() >= end:
                    break
            sock.sendall(b'!')
            reply = b''
            while not reply.endswith(b'\n'):
                data = sock.recv(64)
                if not data:
                    break
                reply += data
            if int(reply) != sent:
                raise RuntimeError('sink got %s bytes of %d' % (reply.strip(), sent))
            return common.rate(sent, started) / 1e6
        finally:
            sock.close()
    return run


ROWS = [
    ('bulk recv(65536), MB/s', bulk_recv(65536)),
    ('bulk recv(4096), MB/s', bulk_recv(4096)),
    ('bulk sendall 64 KiB chunks, MB/s', bulk_sendall(65536)),
    ('bulk sendall 1 KiB chunks, MB/s', bulk_sendall(1024)),
]

if __name__ == '__main__':
    common.main(__import__(__name__))
