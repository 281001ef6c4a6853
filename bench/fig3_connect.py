"""Figure 3: connection cycles per second.

connect+accept+close: both ends in the measured process (a listener, a client), so the
connect, accept and close paths of the implementation all count: connect, accept, close
the accepted socket, close the client.
connect+close to the peer: connect to the peer's `echo` and close (the peer accepts).
"""
from __future__ import print_function

import socket

import common


def connect_accept_close(peer, seconds):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((common.HOST, 0))
    server.listen(128)
    address = server.getsockname()
    try:
        count = 0
        started = common.now()
        end = started + seconds
        while True:
            client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            client.connect(address)
            conn, _ = server.accept()
            conn.close()
            client.close()
            count += 1
            if common.now() >= end:
                break
        return common.rate(count, started)
    finally:
        server.close()


def connect_close(peer, seconds):
    count = 0
    started = common.now()
    end = started + seconds
    while True:
        client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        client.connect((common.HOST, peer['echo']))
        client.close()
        count += 1
        if common.now() >= end:
            break
    return common.rate(count, started)


ROWS = [
    ('connect+accept+close, cycles/s', connect_accept_close),
    ('connect+close to peer, cycles/s', connect_close),
]

if __name__ == '__main__':
    common.main(__import__(__name__))
