"""Echo load generator for figure 5 (CPython 3, its own process).

    python3 loadgen.py PORT CLIENTS SECONDS

Opens CLIENTS connections to 127.0.0.1:PORT, waits (untimed) until each has had one echo,
then keeps one 64-byte message in flight on each (send, wait for the full echo, send again)
for SECONDS, checks every echo, and prints
"<messages> <elapsed seconds>" before closing every connection.
"""
import selectors
import socket
import sys
import time

MESSAGE = b'm' * 64


def main():
    port, clients, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    socks = [socket.create_connection(('127.0.0.1', port), timeout=60) for _ in range(clients)]
    sel = selectors.DefaultSelector()
    pending = {}
    for sock in socks:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sel.register(sock, selectors.EVENT_READ)
        pending[sock] = 0
    for sock in socks:
        sock.send(MESSAGE)
    # Not timed: one echo on every connection first (the server accepts them all).
    waiting = set(socks)
    give_up = time.time() + 60.0
    while waiting:
        if time.time() > give_up:
            raise SystemExit('%d connections had no echo within 60 s' % len(waiting))
        for key, _ in sel.select(1.0):
            sock = key.fileobj
            data = sock.recv(4096)
            if not data:
                raise SystemExit('server closed a connection')
            pending[sock] += len(data)
            if pending[sock] == len(MESSAGE):
                pending[sock] = 0
                waiting.discard(sock)
                sock.send(MESSAGE)
    count = 0
    started = time.time()
    end = started + seconds
    while time.time() < end:
        for key, _ in sel.select(1.0):
            sock = key.fileobj
            data = sock.recv(4096)
            if not data:
                raise SystemExit('server closed a connection')
            if data.strip(b'm'):
                raise SystemExit('corrupt echo')
            got = pending[sock] + len(data)
            while got >= len(MESSAGE):
                got -= len(MESSAGE)
                count += 1
                sock.send(MESSAGE)
            pending[sock] = got
    elapsed = time.time() - started
    sys.stdout.write('%d %f\n' % (count, elapsed))
    sys.stdout.flush()
    for sock in socks:
        sock.close()


if __name__ == '__main__':
    main()
