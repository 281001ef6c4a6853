"""Embedding and process lifecycle, as users of an embedded or scripted Jython meet them.

* ``PythonInterpreter`` in one JVM: interpreters (each with its own ``PySystemState``, hence
  its own copy of our modules) use sockets, are ``cleanup()``/``close()``d, new ones work
  again; two at once are independent; the Netty event-loop threads end when the interpreter
  that started them is closed, and none is left behind; a socket left open by the embedded
  code is closed by the interpreter's cleanup (the other end sees EOF).
* A script that leaves sockets open exits promptly after its last line, with nothing on
  stderr (no stack trace from the shutdown).
* Where the JVM cannot create threads (injected: the event-loop thread factory throws
  OutOfMemoryError, as Java does at a thread limit), ``import socket`` works and each socket
  operation raises socket.error(ENOMEM) at once (no connect that never completes); once
  threads can be made again, sockets work.  Ours only (it injects into our runtime).

Both run on the selected implementation (``--jy-impl``); embedding needs a JVM, so the
CPython 2.7 oracle reports it as skipped.
"""

import textwrap

import pytest

from test_exit_time import BASELINE_SCRIPT, MARKER, time_to_exit

EXIT_BOUND = 5.0      # seconds; a correctness bound (the target is 0.5 s)

EMBED_SCRIPT = textwrap.dedent('''
    import os, time
    from java.lang import Thread
    from java.net import InetAddress, ServerSocket
    from org.python.core import PyStringMap, PySystemState
    from org.python.util import PythonInterpreter

    CODE = """
    import os, select, socket
    assert socket.__file__.startswith(os.environ["JNS_EXPECT_LIB"]), socket.__file__
    host, port = os.environ["JNS_PEER_ECHO"].rsplit(":", 1)
    s = socket.create_connection((host, int(port)), 10)
    s.sendall(b"ping")
    assert s.recv(4) == b"ping"
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = socket.create_connection(srv.getsockname(), 10)
    a, _ = srv.accept()
    a.sendall(b"x")
    assert c.recv(1) == b"x"
    assert select.select([c], [], [], 0) == ([], [], [])
    for x in (s, a, c, srv):
        x.close()
    leftover = socket.create_connection(("127.0.0.1", WATCH_PORT), 10)   # left open
    leftover.sendall(b"hi")
    ok = True
    """

    def netty_threads():
        return sorted(str(t.getName()) for t in Thread.getAllStackTraces().keySet()
                      if t.isAlive() and "jython-netty-sockets" in t.getName())

    def settle(limit=10.0):
        """The event-loop threads still alive once they had `limit` seconds to end."""
        end = time.time() + limit
        while netty_threads() and time.time() < end:
            time.sleep(0.05)
        return netty_threads()

    watch = ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))
    watch.setSoTimeout(20000)

    def run(interp):
        interp.exec(CODE.replace("WATCH_PORT", str(watch.getLocalPort())))
        assert interp.get("ok") is not None
        conn = watch.accept()
        conn.setSoTimeout(20000)
        stream = conn.getInputStream()
        assert (stream.read(), stream.read()) == (ord("h"), ord("i"))
        return conn, stream

    def closed_by_peer(conn_stream):
        conn, stream = conn_stream
        try:
            return stream.read() == -1
        finally:
            conn.close()

    def new_interp():
        return PythonInterpreter(PyStringMap(), PySystemState())

    print("threads before: %d" % len(netty_threads()))
    for rnd in range(3):
        interp = new_interp()
        conn = run(interp)
        print("round %d threads while open: %d" % (rnd, len(netty_threads())))
        interp.cleanup()
        interp.close()
        print("round %d leftover closed: %s" % (rnd, closed_by_peer(conn)))
        print("round %d threads after close: %d" % (rnd, len(settle())))
    a, b = new_interp(), new_interp()
    conn_a, conn_b = run(a), run(b)
    a.cleanup()
    a.close()
    print("a closed, leftover closed: %s" % closed_by_peer(conn_a))
    conn_b2 = run(b)
    print("b works after a closed: True")
    b.cleanup()
    b.close()
    print("b leftovers closed: %s %s" % (closed_by_peer(conn_b), closed_by_peer(conn_b2)))
    print("threads at the end: %d" % len(settle()))
    watch.close()
''')

EXPECTED_EMBED = (["threads before: 0"]
                  + sum([["round %d threads while open: 2" % r,
                          "round %d leftover closed: True" % r,
                          "round %d threads after close: 0" % r] for r in range(3)], [])
                  + ["a closed, leftover closed: True", "b works after a closed: True",
                     "b leftovers closed: True True", "threads at the end: 0"])

LEAVE_OPEN_SCRIPT = textwrap.dedent('''
    import os, socket, sys
    host, port = os.environ["JNS_PEER_ECHO"].rsplit(":", 1)
    conn = socket.create_connection((host, int(port)), 10)
    conn.sendall(b"abc")
    assert conn.recv(3) == b"abc"
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    c = socket.create_connection(srv.getsockname(), 10)
    a, _ = srv.accept()
    c.sendall(b"unread data left in the pipe")
    sys.stdout.write("%s\\n")
    sys.stdout.flush()
''' % MARKER)


def test_embedded_interpreters_use_and_release_sockets(jy_impl, jns_peers, tmp_path):
    if not jy_impl.java:
        pytest.skip("PythonInterpreter embedding needs a JVM (%s is not one)" % jy_impl.name)
    import subprocess
    from harness import impls
    env = jy_impl.child_env(jns_peers.env())
    env["JNS_EXPECT_LIB"] = (impls.REPO + "/Lib/") if jy_impl.name == "ours" else "/"
    script = tmp_path / "embed.py"
    script.write_text(EMBED_SCRIPT)
    proc = subprocess.run(jy_impl.command + [str(script)], env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    lines = proc.stdout.splitlines()
    assert (proc.returncode, lines) == (0, EXPECTED_EMBED), (
        "exit %s\nstdout:\n%s\nstderr:\n%s" % (proc.returncode, proc.stdout, proc.stderr[-4000:]))
    assert proc.stderr.strip() == "", proc.stderr[-4000:]


def test_exit_with_open_sockets_is_prompt_and_quiet(jy_impl, jns_peers, tmp_path):
    env = jy_impl.child_env(jns_peers.env())
    script = tmp_path / "leave_open.py"
    script.write_text(LEAVE_OPEN_SCRIPT)
    baseline = tmp_path / "baseline.py"
    baseline.write_text(BASELINE_SCRIPT)
    base_tail, _, _ = time_to_exit(jy_impl, baseline, [], env, tmp_path / "baseline.log")
    tail, _, output = time_to_exit(jy_impl, script, [], env, tmp_path / "script.log")
    print("exit after the last line: %.3f s (baseline script %.3f s, difference %.3f s)"
          % (tail, base_tail, tail - base_tail))
    assert output.strip() == MARKER, "the process printed more than its marker:\n" + output
    assert tail - base_tail < EXIT_BOUND, "exit took %.2f s after the last line" % tail


NO_THREADS_SCRIPT = textwrap.dedent('''
    import os, socket
    from java.lang import OutOfMemoryError
    from java.util.concurrent import ThreadFactory
    from _socketcore import netty

    class NoThreads(ThreadFactory):
        def newThread(self, runnable):
            raise OutOfMemoryError("unable to create native thread: possibly out of memory")

    real = netty.DefaultThreadFactory
    netty.DefaultThreadFactory = lambda *args: NoThreads()
    host, port = os.environ["JNS_PEER_ECHO"].rsplit(":", 1)

    def listen():
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
    for what, op in (("connect", lambda: socket.create_connection((host, int(port)))),
                     ("listen", listen),
                     ("connect again", lambda: socket.create_connection((host, int(port))))):
        try:
            op()
            print("%s: no error" % what)
        except socket.error as e:
            print("%s: socket.error %s %s" % (what, e.errno, "event-loop threads" in e.strerror))
    netty.DefaultThreadFactory = real
    s = socket.create_connection((host, int(port)), 10)
    s.sendall(b"ok")
    print("afterwards: %s" % s.recv(2))
    s.close()
''')


def test_no_threads_first_socket_operation_raises(jy_impl, jns_peers, tmp_path):
    if jy_impl.name != "ours":
        pytest.skip("injects a thread failure into our runtime (%s)" % jy_impl.name)
    import subprocess
    script = tmp_path / "no_threads.py"
    script.write_text(NO_THREADS_SCRIPT)
    proc = subprocess.run(jy_impl.command + [str(script)], env=jy_impl.child_env(jns_peers.env()),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert (proc.returncode, proc.stdout.splitlines()) == (0, [
        "connect: socket.error 12 True", "listen: socket.error 12 True",
        "connect again: socket.error 12 True", "afterwards: ok"]), proc.stdout + proc.stderr
    assert "Exception" not in proc.stderr and "Error" not in proc.stderr, proc.stderr


OUTER_AFTER_INNER_SCRIPT = textwrap.dedent('''
    import socket
    from org.python.util import PythonInterpreter
    from org.python.core import PyStringMap, PySystemState
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.getsockname()[1]
    for round in range(2):
        inner = PythonInterpreter(PyStringMap(), PySystemState())
        inner.exec("import socket\\n"
                   "s = socket.create_connection(('127.0.0.1', %d))\\n"
                   "s.sendall('from inner')\\n"
                   "s.close()\\n"
                   "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\\n"
                   "u.close()\\n"
                   "a, b = socket.socketpair()\\n"
                   "a.close(); b.close()\\n" % port)
        # the thread now last ran the inner interpreter: our sockets must still be ours
        conn, _ = server.accept()
        print("%s %s %s" % (round, type(conn) is socket.socket, conn.recv(64)))
        conn.close()
        inner.cleanup()
        inner.close()
    # UDP and AF_UNIX load on first use (both interpreters made them): still the outer's
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pair = socket.socketpair()
    print("%s %s" % (isinstance(udp, socket.socket),
                     all(isinstance(s, socket.socket) for s in pair)))
''')


def test_outer_interpreter_keeps_its_sockets_after_an_embedded_one_ran(jy_impl, tmp_path):
    if not jy_impl.java:
        pytest.skip("PythonInterpreter embedding needs a JVM (%s is not one)" % jy_impl.name)
    import subprocess
    script = tmp_path / "outer.py"
    script.write_text(OUTER_AFTER_INNER_SCRIPT)
    proc = subprocess.run(jy_impl.command + [str(script)], env=jy_impl.child_env({}),
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert (proc.returncode, proc.stdout.splitlines()) == (
        0, ["0 True from inner", "1 True from inner", "True True"]), (
        "exit %s\nstdout:\n%s\nstderr:\n%s" % (proc.returncode, proc.stdout, proc.stderr[-4000:]))
