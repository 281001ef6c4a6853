"""AF_UNIX without Netty's native transport: the Java-channel fallback and the drop-in path.

Runs a small Python 2.7 script on ``bin/jython`` with the native transport turned off
(``JNS_NATIVE_TRANSPORT=0``) and on the Netty bundled in jython-standalone
(``JNS_NETTY=bundled``, which has no native transport): filesystem-path stream sockets,
half-close and ``socketpair()`` work; abstract names and SOCK_DGRAM raise socket.error with
the errno and a message saying why (never a Java exception).  A third run checks that the
default setup does load the native transport.
"""

import os
import subprocess
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JYTHON = os.path.join(ROOT, "bin", "jython")

FALLBACK_SCRIPT = textwrap.dedent('''
    import errno, os, shutil, socket, tempfile
    from _socketcore import nativeunix
    assert not nativeunix.available(), nativeunix.WHY_NOT
    d = tempfile.mkdtemp()
    try:
        path = os.path.join(d, "s")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(30)
        c.connect(path)
        a, _ = srv.accept()
        a.settimeout(30)
        c.sendall(b"hello")
        c.shutdown(socket.SHUT_WR)
        assert a.recv(10) == b"hello"
        assert a.recv(10) == b""
        a.sendall(b"reply")          # half-close: we can still answer
        a.close()
        assert c.recv(10) == b"reply"
        x, y = socket.socketpair()
        x.sendall(b"pair")
        assert y.recv(10) == b"pair"
        for s in (srv, c, x, y):
            s.close()

        def expect(code, func, *args):
            try:
                func(*args)
            except socket.error as exc:
                assert exc.errno == code, (func, exc)
                assert "native transport" in exc.strerror, exc
                return
            raise AssertionError("no error from %r" % (func,))
        expect(errno.EOPNOTSUPP, socket.socket(socket.AF_UNIX).bind, "\\0jns-fallback")
        expect(errno.EOPNOTSUPP, socket.socket(socket.AF_UNIX).connect, "\\0jns-fallback")
        expect(errno.EOPNOTSUPP, socket.socket(socket.AF_UNIX).bind, "")
        expect(errno.ESOCKTNOSUPPORT, socket.socket, socket.AF_UNIX, socket.SOCK_DGRAM)
        expect(errno.ESOCKTNOSUPPORT, socket.socketpair, socket.AF_UNIX, socket.SOCK_DGRAM)
    finally:
        shutil.rmtree(d)
    print("FALLBACK-OK")
''')

NATIVE_SCRIPT = textwrap.dedent('''
    from _socketcore import nativeunix
    assert nativeunix.available(), nativeunix.WHY_NOT
    print("NATIVE-OK")
''')


def run_script(tmp_path, script, env_extra):
    path = tmp_path / "script.py"
    path.write_text(script)
    env = dict(os.environ)
    env.update(env_extra)
    env["JNS_LEAK_DETECTION"] = "paranoid"
    proc = subprocess.run([JYTHON, str(path)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=300, universal_newlines=True)
    return proc


def ours_only(request):
    impl = request.config.getoption("--jy-impl", default=None) or os.environ.get(
        "JNS_TEST_IMPL", "ours")
    if impl != "ours":
        pytest.skip("runs bin/jython on our Lib/ only")


@pytest.mark.parametrize("setup", [{"JNS_NATIVE_TRANSPORT": "0"}, {"JNS_NETTY": "bundled"}],
                         ids=["native-off", "bundled-netty"])
def test_fallback(request, tmp_path, setup):
    ours_only(request)
    proc = run_script(tmp_path, FALLBACK_SCRIPT, setup)
    assert proc.returncode == 0 and "FALLBACK-OK" in proc.stdout, proc.stderr[-3000:]
    assert "LEAK:" not in proc.stderr


def test_native_loads_by_default(request, tmp_path):
    ours_only(request)
    proc = run_script(tmp_path, NATIVE_SCRIPT, {})
    assert proc.returncode == 0 and "NATIVE-OK" in proc.stdout, proc.stderr[-3000:]
