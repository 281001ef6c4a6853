"""A script that used sockets exits promptly after its last line (CPython does).

Runs a small Python 2.7 script on the selected implementation (``--jy-impl``; ``bin/jython`` by
default): it talks to the echo peer, accepts a connection from itself, calls select, then
prints a marker as its last line.  We time from the marker to the process's exit and subtract
the same interval for a baseline script that uses no sockets.  The difference must stay under
one second (Netty's default ``shutdownGracefully()`` quiet period alone is two seconds).
"""

import os
import re
import signal
import subprocess
import textwrap
import time

import pytest

MARKER = "JNS-LAST-LINE"
LIMIT = 1.0
PROCESS_TIMEOUT = 120     # seconds until the marker line
EXIT_WAIT = 20            # seconds from the marker line until we call it a hang

SOCKET_SCRIPT = textwrap.dedent('''
    import os, select, socket, sys
    host, port = os.environ["JNS_PEER_ECHO"].rsplit(":", 1)
    s = socket.create_connection((host, int(port)), 10)
    s.sendall(b"x")
    assert s.recv(1) == b"x"
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = socket.create_connection(srv.getsockname(), 10)
    a, _ = srv.accept()
    a.sendall(b"y")
    assert c.recv(1) == b"y"
    assert select.select([s, c], [s], [], 1)[1] == [s]
    if sys.argv[1] == "close":
        for sock in (s, c, a, srv):
            sock.close()
    sys.stdout.write("%s\\n")
    sys.stdout.flush()
''' % MARKER)

BASELINE_SCRIPT = textwrap.dedent('''
    import sys
    sys.stdout.write("%s\\n")
    sys.stdout.flush()
''' % MARKER)


def time_to_exit(impl, script_path, args, env, log_path):
    """(seconds from the marker line to process exit, total seconds, output).

    The output goes to ``log_path``, polled every 10 ms for the marker.  A process still alive
    EXIT_WAIT seconds after the marker fails the test; a JVM first gets SIGQUIT so that the
    failure shows its thread dump (the threads that keep it alive).
    """
    start = time.monotonic()
    marked = None
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(impl.command + [str(script_path)] + args, env=env,
                                stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while proc.poll() is None:
                now = time.monotonic()
                if marked is None and MARKER.encode() in log_path.read_bytes():
                    marked = now
                if now - (marked or start) > (EXIT_WAIT if marked else PROCESS_TIMEOUT):
                    break
                time.sleep(0.01)
            ended = time.monotonic()
            hung = proc.poll() is None
            if hung and impl.java:
                os.killpg(proc.pid, signal.SIGQUIT)     # thread dump into the log
                time.sleep(2)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = log_path.read_bytes().decode("utf-8", "replace")
    if marked is None and MARKER in output:
        marked = ended          # the marker and the exit fell into the same poll interval
    if hung:
        # Java threads (VM-internal ones have no "#N") that are not daemons keep a JVM alive
        threads = [line for line in output.splitlines()
                   if line.startswith('"') and re.search(r'" #\d+ ', line)
                   and " daemon " not in line and not line.startswith('"DestroyJavaVM"')]
        pytest.fail("%s did not exit within %ss %s; non-daemon threads:\n%s\n(full output "
                    "in %s)" % (script_path.name, EXIT_WAIT if marked else PROCESS_TIMEOUT,
                                "after its last line" if marked else "(no marker line)",
                                "\n".join(threads) or "(no thread dump)", log_path))
    assert marked is not None, "no marker line; exit status %s, output:\n%s" % (
        proc.returncode, output[-3000:])
    assert proc.returncode == 0, "exit status %s, output:\n%s" % (proc.returncode,
                                                                   output[-3000:])
    return ended - marked, ended - start, output


@pytest.mark.parametrize("mode", ["close", "leave-open"])
def test_process_exits_within_a_second_of_its_last_line(jy_impl, jns_peers, tmp_path, mode):
    env = jy_impl.child_env(jns_peers.env())
    script = tmp_path / "uses_sockets.py"
    script.write_text(SOCKET_SCRIPT)
    baseline = tmp_path / "baseline.py"
    baseline.write_text(BASELINE_SCRIPT)

    base_tail, base_total, _ = time_to_exit(jy_impl, baseline, [], env,
                                            tmp_path / "baseline.log")
    tail, total, output = time_to_exit(jy_impl, script, [mode], env, tmp_path / "script.log")
    assert "LEAK:" not in output, output
    assert tail - base_tail < LIMIT, (
        "%s: exit took %.2fs after the last line (baseline script %.2fs; whole runs %.2fs vs "
        "%.2fs)" % (jy_impl.name, tail, base_tail, total, base_total))
