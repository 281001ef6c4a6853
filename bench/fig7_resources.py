"""Figure 7: resources, each measured in a fresh process of the implementation.

    <python> fig7_resources.py probe [IDLE_SECONDS]   (BENCH_PEER names the peer's ports)
        prints one JSON line: OS threads before `import socket` and after opening 100
        connections, resident memory (MB) then, and the CPU time (ms) the whole process used
        while one thread sat blocked in recv() with a timeout, then in select(), for
        IDLE_SECONDS (default 5) each.
    <python> fig7_resources.py exit
        one connection, one round trip, close; prints the wall-clock time of the close.  The
        driver subtracts it from the moment the process has exited.
    <python> fig7_resources.py bare | imports
        nothing, or `import socket, select, ssl` (ssl when it imports): the driver takes the
        difference of the two process run times.

Everything is read from /proc/self, so the figures mean the same for the JVM and CPython.
"""
from __future__ import print_function

import json
import os
import sys
import time

_TICKS_PER_SECOND = 100.0   # Linux reports utime/stime in USER_HZ, which is 100


def proc_status(field):
    """An integer field of /proc/self/status (Threads, VmRSS in kB)."""
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return -1


def cpu_ms():
    """CPU time (user + system) of the whole process so far, in milliseconds."""
    with open('/proc/self/stat') as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND * 1000.0


def probe(idle):
    threads_before = proc_status('Threads')
    import socket
    import select
    import common
    peer = json.loads(os.environ['BENCH_PEER'])
    socks = [common.connect(peer['hold']) for _ in range(100)]
    time.sleep(0.5)   # let any lazily started threads come up before counting
    result = {'threads_before': threads_before, 'threads': proc_status('Threads'),
              'rss_mb': proc_status('VmRSS') / 1024.0}
    sock = socks[0]
    sock.settimeout(idle)
    before = cpu_ms()
    try:
        sock.recv(1)
        raise RuntimeError('the idle recv got data')
    except socket.timeout:
        pass
    result['idle_recv_cpu_ms'] = cpu_ms() - before
    before = cpu_ms()
    readable, _, _ = select.select(socks, [], [], idle)
    if readable:
        raise RuntimeError('the idle select reported data')
    result['idle_select_cpu_ms'] = cpu_ms() - before
    for sock in socks:
        sock.close()
    print(json.dumps(result))


def exit_after_close():
    import common
    peer = json.loads(os.environ['BENCH_PEER'])
    sock = common.connect(peer['echo'])
    sock.sendall(b'!')
    common.recv_exactly(sock, 1)
    sock.close()
    print('%.6f' % common.now())
    sys.stdout.flush()


def imports():
    import socket
    import select
    try:
        import ssl
    except ImportError:
        print('no ssl')


def main():
    mode = sys.argv[1]
    if mode == 'probe':
        probe(float(sys.argv[2]) if len(sys.argv) > 2 else 5.0)
    elif mode == 'exit':
        exit_after_close()
    elif mode == 'imports':
        imports()
    elif mode != 'bare':
        raise SystemExit('unknown mode %r' % mode)


if __name__ == '__main__':
    main()
