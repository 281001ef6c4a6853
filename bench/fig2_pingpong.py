"""Figure 2: ping-pong round trips per second against the peer's `echo` (one connection,
one message in flight), 1 byte and 1 KiB, in blocking mode and with settimeout(5.0)."""
from __future__ import print_function

import common


def pingpong(size, timeout):
    message = common.BLOCK[:size]

    def run(peer, seconds):
        sock = common.connect(peer['echo'], timeout)
        try:
            count = 0
            started = common.now()
            end = started + seconds
            while True:
                for _ in range(16):
                    sock.sendall(message)
                    common.recv_exactly(sock, size)
                count += 16
                if common.now() >= end:
                    break
            return common.rate(count, started)
        finally:
            sock.close()
    return run


ROWS = [
    ('ping-pong 1 B blocking, round trips/s', pingpong(1, None)),
    ('ping-pong 1 B settimeout, round trips/s', pingpong(1, 5.0)),
    ('ping-pong 1 KiB blocking, round trips/s', pingpong(1024, None)),
    ('ping-pong 1 KiB settimeout, round trips/s', pingpong(1024, 5.0)),
]

if __name__ == '__main__':
    common.main(__import__(__name__))
