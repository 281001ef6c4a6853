#!/usr/bin/env python3
"""Run Jython's and CPython 2.7's regression tests for socket/select on our Lib/ and compare.

Jython's tests come from the Jython installer's Lib/test (extracted by `ant` into
build/jython-test/Lib/test) and run by plain name (`test_socket`). CPython 2.7's pristine
ones run as `cpython:test_socket`: they are taken from a local CPython 2.7 (JNS_PYTHON2,
pyenv, or python2.7 on PATH) and laid over a copy of Jython's Lib/test (for test_support);
without a CPython 2.7 they are reported as not available and do not count.
Each module runs in its own Jython process (test_socket binds the fixed port 50100, so
modules run one at a time and concurrent runs wait on a lock) through a small driver that:

  - prints socket.__file__ and select.__file__, proving which implementation ran;
  - runs the module's test_main() verbosely, recording every test case as it starts and
    ends in a results file, so a hang or a crash still leaves the finished cases known;
  - forces garbage collection at the end so Netty's leak detector (paranoid, via
    JNS_LEAK_DETECTION) reports any ByteBuf leak as a `LEAK:` line.

Outcomes follow the behaviour observed, not unittest's verdict:
  ok, unexpected success                 -> pass
  FAIL, ERROR, expected failure, not run -> fail
  skipped                                -> skip
and are compared with tests/regrtest-expected/<module>.txt (ids not listed must pass). Any
difference, a hang (per-module timeout), a crash or a LEAK line fails the run. Tests
whose outcome differs are first run once more, alone in a fresh process (as CPython's
regrtest -w does): a test's leftover socket can fail the next test's bind. Those that then
behave as expected are named in the report, not failed. A module-level fixed `PORT`
(test_socket's 50100) is replaced by a pair of ports found free at the start of each run,
since a previous run's TIME_WAIT connections (or a run in another checkout) can hold it.

On our Lib/ (not with --stock) the driver replaces test_support.bind_port's stock-Jython
branch (a listen() on a throw-away socket, to learn a port from sockets that bind late)
with CPython's way, bind to port 0 and ask: our bind() is immediate.

Usage: tests/regrtest.py [--module test_x ...] [--update-expected] [--stock]
                         [--jython-cmd CMD] [--timeout SECONDS]
"""
import argparse
import fcntl
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_LIB = ROOT / "build" / "jython-test" / "Lib"
WORK = ROOT / "build" / "regrtest"
EXPECTED = ROOT / "tests" / "regrtest-expected"   # one <module>.txt per module
CPYTHON_PREFIX = "cpython:"
CPYTHON_TEST_LIB = ROOT / "build" / "cpython27-test" / "Lib"

DEFAULT_MODULES = [
    # Jython's own
    "test_socket", "test_select", "test_select_new", "test_socket_jy", "test_timeout",
    "test_asyncore", "test_asynchat", "test_socketserver", "test_telnetlib",
    # CPython 2.7's pristine ones (where a local CPython 2.7 provides them)
    "cpython:test_socket", "cpython:test_select", "cpython:test_poll", "cpython:test_epoll",
    "cpython:test_asyncore", "cpython:test_asynchat", "cpython:test_socketserver",
    # ssl, and the protocol clients that use it (issue 5)
    "test_ssl", "test_ssl_jy", "test_httplib", "test_smtplib", "test_ftplib", "test_poplib",
    "test_urllib2_localnet", "cpython:test_ssl",
]
OUTCOMES = ("pass", "fail", "skip", "flaky")  # flaky: pass or fail both accepted (timing races in the test)
RAW_TO_OUTCOME = {
    "ok": "pass", "unexpected success": "pass",
    "FAIL": "fail", "ERROR": "fail", "expected failure": "fail",
    "not run": "fail", "hung": "fail",
    "skipped": "skip",
}

# Tests that connect to hosts off this machine or need the Internet's DNS: never run here
# (reported as skipped). 'network' is enabled for test_support.requires() so that
# test_timeout runs at all; a module added to the list must be checked for such tests.
NOT_RUN = {
    "test_socket.IDNATest.testGetAddrInfoIDNAHostname":
        "not run here: needs the Internet's DNS (resolves an IDNA .com name)",
    "test_socket.TCPClientTimeoutTest.testConnectTimeout":
        "not run here: connects to 192.0.2.42 (off this machine)",
    "test_socket.TCPClientTimeoutTest.testConnectDefaultTimeout":
        "not run here: connects to 192.0.2.42 (off this machine)",
    "test_timeout.TimeoutTestCase.testConnectTimeout":
        "not run here: connects to 10.0.0.0 (off this machine)",
    "test_timeout.TimeoutTestCase.testRecvTimeout":
        "not run here: connects to www.python.org (off this machine)",
    "cpython:test_socket.GeneralModuleTests.test_sendall_interrupted":
        "not run here: relies on signal.alarm interrupting a blocked sendall, which the JVM "
        "cannot do (the test would block forever)",
    "cpython:test_socket.GeneralModuleTests.test_sendall_interrupted_with_timeout":
        "not run here: relies on signal.alarm interrupting a blocked sendall, which the JVM "
        "cannot do (the test would block forever)",
}
RESOURCES = ["network", "subprocess", "cpu", "decimal"]
# Modules whose 'network' resource means public hosts (pythontest.net, www.python.org):
# run without it, so that those tests skip through their own resource check.
WITHOUT_NETWORK = {"test_ssl", "test_ssl_jy", "test_httplib", "test_smtplib", "test_ftplib",
                   "test_poplib", "test_urllib2_localnet", "cpython:test_ssl"}
# Tests that Jython's module skips on Jython because stock Jython's ssl failed them: on our
# Lib/ they run (the driver makes a skipIf with exactly this reason a no-op).
UNSKIP = {
    "test_httplib": ["FIXME: Failing test on Jython (causes other exceptions if not skipped)",
                     "FIXME: Jython does not raise proper SSL error"],
}
# Data files a CPython 2.7 module needs from its own Lib/test (Jython's are older copies).
CPYTHON_DATA = {"test_ssl": ["*.pem", "capath", "revocation.crl"]}
# The JDK's default security policy disables TLS 1.0 and 1.1 (jdk.tls.disabledAlgorithms),
# as a system OpenSSL 3 does; the ssl tests use PROTOCOL_TLSv1 throughout, so the regression
# JVMs get the JDK's own list without those two (a test-only java.security override).
TLS_DISABLED_FALLBACK = ("SSLv3, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, "
                         "EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH")


def tls_disabled_algorithms():
    """The JDK's jdk.tls.disabledAlgorithms (from its conf/security/java.security) without
    TLSv1 and TLSv1.1."""
    java = os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"]) / "bin" / "java"
    java = java if java and java.exists() else shutil.which("java")
    conf = Path(os.path.realpath(str(java))).parent.parent / "conf" / "security" / \
        "java.security" if java else None
    value = TLS_DISABLED_FALLBACK
    if conf is not None and conf.exists():
        text = conf.read_text(encoding="latin-1").replace("\\\n", "")
        found = re.search(r"^jdk\.tls\.disabledAlgorithms=(.*)$", text, re.M)
        if found:
            value = found.group(1)
    kept = [a.strip() for a in value.split(",") if a.strip() not in ("TLSv1", "TLSv1.1")]
    return ", ".join(a for a in kept if a)

# Runs inside Jython 2.7 (Python 2 syntax). argv: results-file module test-lib-dir config-json
DRIVER = r'''
import sys, os, json, time, traceback, types

results_path, module_name, test_lib, config_path = sys.argv[1:5]
config = json.load(open(config_path))
out = open(results_path, "a", 0)

def text(f):
    if isinstance(f, str):
        return f.decode("utf-8", "replace")
    return unicode(f)

def record(*fields):
    line = "\t".join(text(f).replace("\t", " ").replace("\n", " ").replace("\r", " ")
                     for f in fields)
    out.write(line.encode("utf-8") + "\n")
    out.flush()

sys.path.append(test_lib)
import socket, select
print "socket.__file__ = %s" % socket.__file__
print "select.__file__ = %s" % select.__file__
sys.stdout.flush()
record("IMPL", socket.__file__, select.__file__)

import unittest
from test import test_support
test_support.verbose = True
if config.get("immediate_bind"):
    # test_support.bind_port has a branch for stock Jython, whose sockets bind late: it
    # listen()s on a throw-away socket to learn a port (impossible for UDP) and collects
    # garbage each time.  Our bind() is immediate, as CPython's: bind to port 0 and ask.
    def bind_port(sock, host=test_support.HOST):
        sock.bind((host, 0))
        return sock.getsockname()[1]
    test_support.bind_port = bind_port
test_support.use_resources = list(config["resources"])
not_run = config["not_run"]
id_prefix = config.get("id_prefix", "")
only = set(config.get("only") or [])

def test_id(test):
    if hasattr(test, "_testMethodName"):
        tid = test.id()
    else:  # unittest's holder for setUpClass/setUpModule errors: "setUpClass (test.x.C)"
        desc = str(test)
        tid = desc[desc.find("(") + 1:desc.rfind(")")] if "(" in desc else desc
    return id_prefix + (tid[len("test."):] if tid.startswith("test.") else tid)

def fixture(test):
    return "" if hasattr(test, "_testMethodName") else str(test).split(" ")[0] + ": "

def summary(err):
    lines = traceback.format_exception_only(err[0], err[1])
    return (lines[-1].strip() if lines else repr(err[1]))[:300]

class RecordingResult(unittest.TextTestResult):
    def startTest(self, test):
        record("START", test_id(test))
        super(RecordingResult, self).startTest(test)
    def addSuccess(self, test):
        super(RecordingResult, self).addSuccess(test)
        record("END", test_id(test), "ok", "")
    def addFailure(self, test, err):
        super(RecordingResult, self).addFailure(test, err)
        record("END", test_id(test), "FAIL", fixture(test) + summary(err))
    def addError(self, test, err):
        super(RecordingResult, self).addError(test, err)
        record("END", test_id(test), "ERROR", fixture(test) + summary(err))
    def addSkip(self, test, reason):
        super(RecordingResult, self).addSkip(test, reason)
        record("END", test_id(test), "skipped", reason)
    def addExpectedFailure(self, test, err):
        super(RecordingResult, self).addExpectedFailure(test, err)
        record("END", test_id(test), "expected failure", summary(err))
    def addUnexpectedSuccess(self, test):
        super(RecordingResult, self).addUnexpectedSuccess(test)
        record("END", test_id(test), "unexpected success", "")

def cases(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            for c in cases(t):
                yield c
        else:
            yield t

def run_suite(suite, *args):
    if only:   # a rerun of some tests: keep just those (class fixtures still run)
        suite = unittest.TestSuite([c for c in cases(suite) if test_id(c) in only])
    for case in cases(suite):
        tid = test_id(case)
        record("PLAN", tid)
        if tid in not_run:
            def skipped():
                pass
            skipped.__unittest_skip__ = True
            skipped.__unittest_skip_why__ = not_run[tid]
            setattr(case, case._testMethodName, skipped)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2,
                                     resultclass=RecordingResult)
    runner.run(suite)
    sys.stdout.flush()

test_support._run_suite = run_suite

def module_level(kind, reason):
    record("PLAN", id_prefix + module_name)
    record("END", id_prefix + module_name, kind, reason)

unskip = set(config.get("unskip") or [])
if unskip:
    real_skip_if = unittest.skipIf
    def skip_if(condition, reason):
        if reason in unskip:
            return lambda item: item
        return real_skip_if(condition, reason)
    unittest.skipIf = skip_if

def free_port_pair():
    """A port P such that P and P+1 are free for TCP and UDP on every address right now."""
    import socket as probe_socket
    for attempt in range(50):
        probe = probe_socket.socket()
        probe.bind(("127.0.0.1", 0))
        base = probe.getsockname()[1]
        probe.close()
        held = []
        try:
            for port in (base, base + 1):
                for kind in (probe_socket.SOCK_STREAM, probe_socket.SOCK_DGRAM):
                    held.append(probe_socket.socket(probe_socket.AF_INET, kind))
                    held[-1].bind(("0.0.0.0", port))
            return base
        except (probe_socket.error, OverflowError):
            pass
        finally:
            for sock in held:
                sock.close()
    return None

def unfix_port(module):
    # A module-level fixed PORT (test_socket's 50100, copied into class bodies as
    # `PORT = PORT`) is held for a minute by the TIME_WAIT connections of a previous run
    # (the rerun below comes seconds later) or by a run in another checkout: use a pair
    # that is free now.
    fixed = getattr(module, "PORT", None)
    if not isinstance(fixed, int) or isinstance(fixed, bool):
        return
    base = free_port_pair()
    if base is None:
        return
    module.PORT = base
    for value in list(vars(module).values()):
        if isinstance(value, (type, types.ClassType)) and value.__dict__.get("PORT") == fixed:
            value.PORT = base
    print "%s: fixed PORT %d replaced by free port %d" % (module_name, fixed, base)

try:
    module = __import__("test." + module_name, fromlist=["*"])
    unfix_port(module)
    if hasattr(module, "test_main"):
        module.test_main()
    else:
        run_suite(unittest.defaultTestLoader.loadTestsFromModule(module))
except (test_support.ResourceDenied, unittest.SkipTest), e:
    module_level("skipped", "module skipped: %s" % e)
except BaseException, e:
    traceback.print_exc()
    module_level("ERROR", "module: " + summary(sys.exc_info()))

# Leaks are reported only after the buffers are collected, when a later allocation
# polls the detector: collect, then allocate once through each Netty on the path.
from java.lang import System, Thread
for _ in range(3):
    System.gc()
    System.runFinalization()
    Thread.sleep(100)
for pkg in ("io.netty.buffer", "org.python.netty.buffer"):
    try:
        alloc = __import__(pkg, fromlist=["PooledByteBufAllocator"]).PooledByteBufAllocator
    except ImportError:
        continue
    for _ in range(2):
        alloc.DEFAULT.directBuffer(16).release()
        alloc.DEFAULT.heapBuffer(16).release()
    Thread.sleep(100)

# Threads that tests left behind (a client waiting for a server that failed to start)
# would keep the JVM alive: name them, then exit through System.exit, which still runs
# Jython's shutdown closers.
me = Thread.currentThread()
others = [t for t in Thread.getAllStackTraces().keySet()
          if not t.isDaemon() and t != me and t.getName() != "DestroyJavaVM"]
give_up = time.time() + 3   # some end by themselves (Netty's globalEventExecutor after 1 s)
for t in others:
    t.join(max(1, int((give_up - time.time()) * 1000)))
lingering = sorted(t.getName() for t in others if t.isAlive())
if lingering:
    print "driver: %d non-daemon threads still running: %s" % (len(lingering), ", ".join(lingering))
    record("LINGER", ", ".join(lingering))
record("DONE")
sys.stdout.flush()
if lingering:
    os._exit(0)
'''


class ModuleResult(object):
    """What one module's Jython process did."""

    def __init__(self, name):
        self.name = name
        self.planned = []       # test ids in run order
        self.raw = {}           # test id -> (raw unittest outcome, reason)
        self.impl = None        # (socket.__file__, select.__file__)
        self.status = "ok"      # ok | hung | crashed | exit-hang
        self.problem = ""       # what went wrong, for status != ok
        self.leaks = 0
        self.seconds = 0.0
        self.returncode = None
        self.log = None
        self.lingering = ""     # non-daemon threads left running when the tests ended

    def outcomes(self):
        """test id -> (pass|fail|skip, reason, raw)."""
        return {tid: (RAW_TO_OUTCOME[raw], reason, raw) for tid, (raw, reason) in self.raw.items()}


WORSE = ["ok", "unexpected success", "skipped", "expected failure", "FAIL", "ERROR",
         "not run", "hung"]


def parse_results(path, result):
    """Reads the driver's records into result; returns (finished, id of a test left running)."""
    started = None
    done = False
    if not path.exists():
        return False, None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split("\t")
        kind = fields[0]
        if kind == "IMPL" and len(fields) >= 3:
            result.impl = (fields[1], fields[2])
        elif kind == "PLAN" and len(fields) >= 2:
            if fields[1] not in result.planned:
                result.planned.append(fields[1])
        elif kind == "START" and len(fields) >= 2:
            started = fields[1]
        elif kind == "END" and len(fields) >= 4:
            tid, raw, reason = fields[1], fields[2], fields[3]
            if tid not in result.planned:
                result.planned.append(tid)
            old = result.raw.get(tid)
            # A test can be reported twice (a failure, then a tearDown error): keep the worse.
            if old is None or WORSE.index(raw) > WORSE.index(old[0]):
                result.raw[tid] = (raw, reason)
            if tid == started:
                started = None
        elif kind == "LINGER" and len(fields) >= 2:
            result.lingering = fields[1]
        elif kind == "DONE":
            done = True
    return done, started


def run_module(name, args, jython_cmd, env, timeout, only=None):
    """Run one regression module in its own Jython process, for at most timeout seconds;
    returns a ModuleResult. With only (test ids), just those tests run."""
    result = ModuleResult(name)
    WORK.mkdir(parents=True, exist_ok=True)
    test_lib, module, prefix = TEST_LIB, name, ""
    if name.startswith(CPYTHON_PREFIX):
        test_lib, module, prefix = CPYTHON_TEST_LIB, name[len(CPYTHON_PREFIX):], CPYTHON_PREFIX
    stem = name.replace(":", "-") + (".rerun" if only else "")
    results_file = WORK / (stem + ".results")
    log_file = WORK / (stem + ".log")
    config_file = WORK / (stem + ".config.json")
    driver = WORK / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    resources = [r for r in RESOURCES if not (r == "network" and name in WITHOUT_NETWORK)]
    config_file.write_text(json.dumps({"resources": resources, "not_run": NOT_RUN,
                                       "only": sorted(only or []), "id_prefix": prefix,
                                       "immediate_bind": not args.stock,
                                       "unskip": [] if args.stock else UNSKIP.get(name, [])}))
    if results_file.exists():
        results_file.unlink()
    cwd = Path(tempfile.mkdtemp(prefix=stem + ".", dir=str(WORK)))
    result.log = log_file

    cmd = jython_cmd + [str(driver), str(results_file), module, str(test_lib), str(config_file)]
    print("=== %s: %s" % (name, " ".join(shlex.quote(c) for c in cmd)), flush=True)
    started = time.monotonic()
    with open(log_file, "w", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(cmd, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)

        def pump():
            for raw in iter(proc.stdout.readline, b""):
                line = raw.decode("utf-8", "replace")
                log.write(line)
                if "LEAK:" in line:
                    result.leaks += 1
                if not args.quiet:
                    sys.stdout.write("  " + line)
                    sys.stdout.flush()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        deadline = started + timeout
        exit_deadline = None
        while proc.poll() is None:
            now = time.monotonic()
            if exit_deadline is None and results_file.exists() and \
                    results_file.read_text(errors="replace").rstrip().endswith("DONE"):
                exit_deadline = now + 60    # finished: it should exit promptly
            if now > deadline or (exit_deadline is not None and now > exit_deadline):
                if exit_deadline is not None and now > exit_deadline:
                    result.status, result.problem = "exit-hang", \
                        "tests finished but the process did not exit within 60 s"
                else:
                    result.status = "hung"
                stop(proc)
                break
            time.sleep(0.2)
        proc.wait()
        reader.join(10)
    result.seconds = time.monotonic() - started
    result.returncode = proc.returncode
    shutil.rmtree(str(cwd), ignore_errors=True)

    done, running = parse_results(results_file, result)
    if result.status == "hung":
        result.problem = "timed out after %d s%s; thread dump in %s" % (
            timeout, " in " + running if running else "", rel(log_file))
    elif not done and result.status == "ok":
        result.status = "crashed"
        result.problem = "process ended (exit %s) before finishing%s; see %s" % (
            proc.returncode, " (in %s)" % running if running else "", rel(log_file))
    for tid in result.planned:
        if tid not in result.raw:
            if tid == running:
                result.raw[tid] = ("hung", "still running when the module " +
                                   ("timed out" if result.status == "hung" else "ended"))
            else:
                result.raw[tid] = ("not run", "module %s before this test" %
                                   ("timed out" if result.status == "hung" else "ended"))
    if not result.planned:
        result.planned.append(name)
        result.raw[name] = ("not run", result.problem or "no test ran")
    return result


def rerun_unexpected(result, expected, args, jython_cmd, env, timeout):
    """Run once more, alone in a fresh process, the tests of result whose outcome was not
    the expected one; a test that then gives its expected outcome takes that result and is
    returned in the list of (test id, first outcome) so that the report names it.

    Jython's test_socket binds one fixed port in every test, so a test can fail because an
    earlier test's socket still held the port; a real regression fails both runs.
    """
    wrong = [d[1] for d in compare([result], expected)]
    if not wrong or result.status != "ok" or result.name in wrong:
        return []
    print("regrtest: %s: running %d unexpected result%s again: %s" % (
        result.name, len(wrong), "s" * (len(wrong) != 1), " ".join(wrong)), flush=True)
    again = run_module(result.name, args, jython_cmd, env, timeout, only=wrong)
    recovered = []
    if again.status == "ok" and again.leaks == 0:
        settled = {d[1] for d in compare([again], expected)}
        for tid in wrong:
            if tid in again.raw and tid not in settled:
                recovered.append((tid, result.raw[tid]))
                result.raw[tid] = again.raw[tid]
    result.leaks += again.leaks
    return recovered


def stop(proc):
    """Thread dump (SIGQUIT to the JVM) into the log, then kill the process group."""
    try:
        os.kill(proc.pid, signal.SIGQUIT)
        time.sleep(3)
    except ProcessLookupError:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# --- expected results -----------------------------------------------------------------

def read_expected(path):
    """Returns (header lines, {test id: (outcome, reason)}) from one file, or from every
    <module>.txt of a directory (header then empty); raises ValueError on bad lines."""
    if path.is_dir():
        entries = {}
        for one in sorted(path.glob("*.txt")):
            _, more = read_expected(one)
            twice = set(entries) & set(more)
            if twice:
                raise ValueError("%s: listed twice: %s" % (one.name, ", ".join(sorted(twice))))
            entries.update(more)
        return [], entries
    header, entries, seen_entry = [], {}, False
    if not path.exists():
        return header, entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if not seen_entry:
                header.append(line)
            continue
        seen_entry = True
        parts = stripped.split(None, 2)
        if len(parts) < 2 or parts[1] not in OUTCOMES:
            raise ValueError("%s:%d: want 'module.Class.test  pass|fail|skip|flaky  reason'"
                             % (path.name, number))
        tid, outcome = parts[0], parts[1]
        reason = parts[2].strip() if len(parts) > 2 else ""
        if outcome != "pass" and not reason:
            raise ValueError("%s:%d: a %s needs a reason" % (path.name, number, outcome))
        if tid in entries:
            raise ValueError("%s:%d: %s listed twice" % (path.name, number, tid))
        entries[tid] = (outcome, reason)
    while header and not header[-1].strip():
        header.pop()
    return header, entries


def rel(path):
    """path relative to the repository when inside it, for messages."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def module_of(tid):
    return tid.split(".", 1)[0]


def expected_file(directory, module):
    return directory / (module.replace(":", "-") + ".txt")


def write_expected(path, header, old, results):
    """Rewrite the expectations: modules run now get their current non-pass results (keeping
    existing reasons for unchanged outcomes); other modules' entries stay as they were.
    For a directory, only the files of the modules run now are written."""
    ran = {r.name for r in results if r.status == "ok"}
    entries = {tid: e for tid, e in old.items() if module_of(tid) not in ran}
    for r in results:
        if r.name not in ran:
            print("regrtest: %s %s: its expected entries are left unchanged" % (r.name, r.status))
            continue
        for tid, (outcome, reason, raw) in r.outcomes().items():
            if tid in old and old[tid][0] == "flaky" and outcome in ("pass", "fail"):
                entries[tid] = old[tid]
                continue
            if outcome == "pass":
                continue
            if tid in old and old[tid][0] == outcome:
                reason = old[tid][1]
            elif outcome == "fail":
                reason = "TODO (%s%s)" % (raw, ": " + reason if reason else "")
            elif not reason:
                reason = "TODO"
            entries[tid] = (outcome, reason)
    if path.is_dir():
        for module in sorted(ran):
            mine = {t: e for t, e in entries.items() if module_of(t) == module}
            head = ["# Expected outcomes of %s on our Lib/ (format: README.md here)." % module]
            write_entries(expected_file(path, module), head, mine)
        return
    write_entries(path, header, entries)


def write_entries(path, header, entries):
    width = max([len(t) for t in entries] + [0])
    lines = list(header) + ([""] if header else [])
    previous = None
    for tid in sorted(entries):
        if previous is not None and module_of(tid) != previous:
            lines.append("")
        previous = module_of(tid)
        outcome, reason = entries[tid]
        lines.append(("%-*s  %-4s  %s" % (width, tid, outcome, reason)).rstrip())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("regrtest: wrote %d entries to %s" % (len(entries), rel(path)))


# --- expired test certificates --------------------------------------------------------

PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----\r?\n.*?-----END \1-----\r?\n?", re.S)


def openssl(args, data=None):
    proc = subprocess.run(["openssl"] + args, input=data or "", capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def refresh_certificates(test_dir, key_dir):
    """Re-sign the expired certificates of Jython's Lib/test whose private key is there.

    Those certificates expired years ago. Each one keeps its subject, key and extensions
    and gets a ten-year validity from today: self-signed ones are signed by their own key,
    the others by their issuer found among the same files; an issuer whose key is not
    shipped (pycacert.pem) is itself re-made with a new key. Certificates without a key
    in the directory (kept only for parsing tests) are left alone.
    test_ssl's test_crl_check needs revocation.crl, an empty CRL signed by pycacert.pem,
    which Jython's Lib/test lacks: when it is missing, pycacert.pem is re-made (new key)
    with the certificates it signed, and the CRL is written signed by the new key.
    """
    if openssl(["version"]) is None:
        print("regrtest: openssl not found: expired test certificates are not refreshed")
        return
    files = {p: p.read_text(encoding="latin-1") for p in sorted(test_dir.glob("*.pem"))}
    keys = {}    # public key PEM -> private key PEM
    certs = []   # dicts: path, pem, subject, issuer, serial, pubkey, expired
    for path, text in files.items():
        for m in PEM_BLOCK.finditer(text):
            block, kind = m.group(0), m.group(1)
            if kind.endswith("PRIVATE KEY") and "ENCRYPTED" not in block:
                pub = openssl(["pkey", "-pubout"], block)
                if pub:
                    keys[pub] = block
            elif kind == "CERTIFICATE":
                info = openssl(["x509", "-noout", "-subject", "-issuer", "-serial",
                                "-nameopt", "RFC2253"], block)
                pub = openssl(["x509", "-noout", "-pubkey"], block)
                if not info or not pub:
                    continue
                fields = dict(l.split("=", 1) for l in info.splitlines() if "=" in l)
                expired = openssl(["x509", "-noout", "-checkend", "86400"], block) is None
                certs.append({"path": path, "pem": block, "subject": fields.get("subject"),
                              "issuer": fields.get("issuer"), "serial": fields.get("serial"),
                              "pubkey": pub, "expired": expired})
    key_dir.mkdir(parents=True, exist_ok=True)

    def tmp(name, content):
        p = key_dir / name
        p.write_text(content, encoding="latin-1")
        return str(p)

    renewed = {}   # subject -> (cert PEM, key PEM) of refreshed issuers

    def x509(pem, extra):
        return pem and openssl(["x509", "-days", "3650", "-sha256"] + extra, pem)

    def resign(cert):
        key = keys.get(cert["pubkey"])
        if cert["subject"] == cert["issuer"]:
            if key is None:
                key = openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
            new = x509(cert["pem"], ["-signkey", tmp("key.pem", key)])
            renewed[cert["subject"]] = (new, key)
            return new
        issuer = renewed.get(cert["issuer"])
        if issuer is None:
            ca = next((c for c in certs if c["subject"] == cert["issuer"]
                       and c["subject"] == c["issuer"]), None)
            if ca is None:
                return None
            replace(ca, resign(ca))
            issuer = renewed[cert["issuer"]]
        # openssl signs only a self-signed certificate with -CA: self-sign it first.
        own = x509(cert["pem"], ["-signkey", tmp("key.pem", key)])
        return x509(own, ["-CA", tmp("ca.pem", issuer[0]), "-CAkey", tmp("cakey.pem", issuer[1]),
                          "-set_serial", "0x" + cert["serial"]])

    def replace(cert, new):
        if new and cert["pem"] != new:
            files[cert["path"]] = files[cert["path"]].replace(cert["pem"], new)
            cert["pem"] = new
            changed.add(cert["path"].name)

    changed = set()
    crl_path = test_dir / "revocation.crl"
    crl_ca = next((c for c in certs if c["path"].name == "pycacert.pem"
                   and c["subject"] == c["issuer"]), None)
    crl_ca = crl_ca if not crl_path.exists() else None
    # Self-signed first, so that refreshed issuers are there for the others.
    for cert in sorted(certs, key=lambda c: c["subject"] != c["issuer"]):
        stale = cert["expired"] or (crl_ca is not None and cert is not crl_ca
                                    and cert["issuer"] == crl_ca["subject"])
        if stale and cert["pubkey"] in keys and cert["pem"] in files[cert["path"]]:
            replace(cert, resign(cert))
    if crl_ca is not None and crl_ca["subject"] in renewed:
        ca_pem, ca_key = renewed[crl_ca["subject"]]
        tmp("index.txt", "")
        config = tmp("ca.cnf", "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = %s\n"
                     "default_md = sha256\n" % (key_dir / "index.txt"))
        crl = openssl(["ca", "-gencrl", "-crldays", "3650", "-config", config, "-keyfile",
                       tmp("cakey.pem", ca_key), "-cert", tmp("ca.pem", ca_pem)])
        if crl:
            crl_path.write_text(crl, encoding="latin-1")
            changed.add(crl_path.name)
    for path, text in files.items():
        if path.name in changed:
            path.write_text(text, encoding="latin-1")
    for p in list(key_dir.glob("*.pem")) + list(key_dir.glob("*.txt*")) + \
            list(key_dir.glob("*.cnf")):
        p.unlink()
    if changed:
        print("regrtest: re-signed expired test certificates in %s" % ", ".join(sorted(changed)))


# --- report ---------------------------------------------------------------------------

def compare(results, expected):
    """Returns a list of (module, test id, expected, actual, reason) differences."""
    diffs = []
    for r in results:
        for tid in r.planned:
            outcome, reason, raw = r.outcomes()[tid]
            want = expected.get(tid, ("pass", ""))[0]
            if want == "flaky" and outcome in ("pass", "fail"):
                continue
            if outcome != want:
                diffs.append((r.name, tid, want, outcome, "%s%s" % (raw, ": " + reason if reason else "")))
    return diffs


def report(results, diffs, compared):
    unexpected = {}
    for d in diffs:
        unexpected[d[0]] = unexpected.get(d[0], 0) + 1
    print()
    print("%-18s %6s %6s %6s %6s %10s %8s  %s" % ("module", "tests", "pass", "fail", "skip",
                                                 "unexpected", "seconds", "status"))
    totals = [0, 0, 0, 0, 0]
    for r in results:
        counts = {"pass": 0, "fail": 0, "skip": 0}
        for outcome, _, _ in r.outcomes().values():
            counts[outcome] += 1
        status = r.status + (", %d LEAK" % r.leaks if r.leaks else "")
        row = [len(r.planned), counts["pass"], counts["fail"], counts["skip"],
               unexpected.get(r.name, 0)]
        totals = [a + b for a, b in zip(totals, row)]
        print("%-18s %6d %6d %6d %6d %10s %8.1f  %s" % (
            r.name, row[0], row[1], row[2], row[3], row[4] if compared else "-", r.seconds, status))
    print("%-18s %6d %6d %6d %6d %10s" % ("total", totals[0], totals[1], totals[2], totals[3],
                                         totals[4] if compared else "-"))
    print()
    for r in results:
        raw = {}
        for kind, _ in r.raw.values():
            raw[kind] = raw.get(kind, 0) + 1
        print("%s: %s; ran %s" % (r.name, ", ".join("%s %d" % kv for kv in sorted(raw.items())),
                                  r.impl[0] if r.impl else "(implementation unknown)"))
        if r.problem:
            print("  %s: %s" % (r.status.upper(), r.problem))
        if r.lingering:
            print("  note: non-daemon threads left running (ended with os._exit): %s"
                  % r.lingering)
    if diffs:
        print()
        print("unexpected results (expected -> got):")
        for module, tid, want, got, detail in diffs:
            print("  %-60s %s -> %s  (%s)" % (tid, want, got, detail[:160]))
    return totals


def cpython27_test_dir():
    """CPython 2.7's own Lib/test directory, or (None, why not)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from harness.impls import ImplUnavailable, resolve
        try:
            python2 = resolve("cpython2").command[0]
        except ImplUnavailable as e:
            return None, str(e)
    finally:
        sys.path.pop(0)
    out = subprocess.run([python2, "-c", "import os, test; print(os.path.dirname(test.__file__))"],
                         capture_output=True, text=True)
    found = Path(out.stdout.strip()) if out.returncode == 0 else None
    if found is None or not (found / "test_support.py").exists():
        return None, "%s has no Lib/test" % python2
    return found, ""


def prepare_cpython_lib(names, source):
    """build/cpython27-test/Lib/test: Jython's Lib/test (linked, for test_support and data)
    with CPython 2.7's pristine copies of the modules `names` (and of their CPYTHON_DATA)
    laid over it."""
    target = CPYTHON_TEST_LIB / "test"
    shutil.rmtree(str(target), ignore_errors=True)
    target.mkdir(parents=True)
    overlay = {n + ".py" for n in names}
    for n in names:
        for pattern in CPYTHON_DATA.get(n, []):
            overlay.update(p.name for p in source.glob(pattern))
    for entry in (TEST_LIB / "test").iterdir():
        if entry.name not in overlay and not entry.name.endswith(("$py.class", ".pyc")):
            (target / entry.name).symlink_to(entry)
    for name in overlay:
        if (source / name).is_dir():
            shutil.copytree(str(source / name), str(target / name))
        else:
            shutil.copyfile(str(source / name), str(target / name))


class RunLock(object):
    """One regression run at a time on this checkout (Jython's tests bind a fixed port)."""

    def __enter__(self):
        WORK.mkdir(parents=True, exist_ok=True)
        self.file = open(str(WORK / ".lock"), "w")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("regrtest: another run holds %s; waiting" % rel(WORK / ".lock"), flush=True)
            fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.file.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", action="append", metavar="NAME",
                        help="a Lib/test module to run (repeatable; default: %s)"
                        % " ".join(DEFAULT_MODULES))
    parser.add_argument("--update-expected", action="store_true",
                        help="rewrite the expected-results file from this run")
    parser.add_argument("--stock", action="store_true",
                        help="run stock Jython's own socket modules (our Lib/ off the path); "
                             "reports figures, compares only with --expected")
    parser.add_argument("--jython-cmd", help="command that runs Jython (default: bin/jython)")
    parser.add_argument("--expected", type=Path,
                        help="expected-results directory (one <module>.txt each) or file "
                             "(default: tests/regrtest-expected/, none with --stock)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per module (900)")
    parser.add_argument("--total-timeout", type=float, default=2700,
                        help="seconds for all modules together (2700, within CI's 90 minutes)")
    parser.add_argument("--quiet", action="store_true", help="keep Jython's output in the logs only")
    args = parser.parse_args(argv)
    with RunLock():
        return run(args, parser)


def run(args, parser):
    modules = args.module or DEFAULT_MODULES
    expected_path = args.expected or (None if args.stock else EXPECTED)
    if args.update_expected and expected_path is None:
        parser.error("--update-expected with --stock needs --expected FILE")
    if not (TEST_LIB / "test" / "regrtest.py").exists():
        print("regrtest: %s missing: run ./antw extract-tests (or ./antw regrtest)"
              % rel(TEST_LIB), file=sys.stderr)
        return 2
    cpython_modules = [m[len(CPYTHON_PREFIX):] for m in modules if m.startswith(CPYTHON_PREFIX)]
    unavailable = []
    if cpython_modules:
        source, why = cpython27_test_dir()
        if source is None:
            unavailable = [CPYTHON_PREFIX + m for m in cpython_modules]
            print("regrtest: not available here (%s): %s" % (why, " ".join(unavailable)))
            modules = [m for m in modules if m not in unavailable]
        else:
            missing = [m for m in cpython_modules if not (source / (m + ".py")).exists()]
            if missing:
                print("regrtest: no module %s in %s" % (" ".join(missing), source), file=sys.stderr)
                return 2
            prepare_cpython_lib(cpython_modules, source)
    for m in modules:
        if not m.startswith(CPYTHON_PREFIX) and not (TEST_LIB / "test" / (m + ".py")).exists():
            print("regrtest: no module %s in %s" % (m, rel(TEST_LIB)), file=sys.stderr)
            return 2
    try:
        header, expected = read_expected(expected_path) if expected_path else ([], {})
    except ValueError as e:
        print("regrtest: %s" % e, file=sys.stderr)
        return 2

    jython_cmd = shlex.split(args.jython_cmd) if args.jython_cmd else [str(ROOT / "bin" / "jython")]
    env = dict(os.environ)
    env["JNS_LEAK_DETECTION"] = "paranoid"
    WORK.mkdir(parents=True, exist_ok=True)
    security = WORK / "java.security"
    security.write_text("jdk.tls.disabledAlgorithms=%s\n" % tls_disabled_algorithms())
    env["JAVA_OPTS"] = ("%s -Djava.security.properties=%s" % (
        env.get("JAVA_OPTS", ""), security)).strip()
    env.pop("JNS_STOCK", None)
    if args.stock:
        env["JNS_STOCK"] = "1"

    refresh_certificates(TEST_LIB / "test", WORK / "keys")
    began = time.monotonic()
    results = []
    recovered = []   # (module, test id, (raw, reason) of the first run)
    for name in modules:
        remaining = args.total_timeout - (time.monotonic() - began)
        result = run_module(name, args, jython_cmd, env, min(args.timeout, max(30, remaining)))
        results.append(result)
        if expected_path and not args.update_expected:
            remaining = args.total_timeout - (time.monotonic() - began)
            recovered += [(name,) + r for r in rerun_unexpected(
                result, expected, args, jython_cmd, env, min(args.timeout, max(30, remaining)))]

    ours = str(ROOT / "Lib") + os.sep
    wrong_impl = [r.name for r in results if not args.jython_cmd and r.impl and
                  (r.impl[0].startswith(ours) == args.stock)]
    diffs = compare(results, expected) if expected_path else []
    totals = report(results, diffs, expected_path is not None)
    stale = [t for t in expected if module_of(t) in {r.name for r in results if r.status == "ok"}
             and not any(t in r.raw for r in results)]
    if unavailable:
        print("\nnot available on this machine (no CPython 2.7), not counted: %s"
              % " ".join(unavailable))
    if recovered:
        print("\ngave the expected outcome only when run again alone (first run's result):")
        for module, tid, (raw, reason) in recovered:
            print("  %-60s %s%s" % (tid, raw, (": " + reason)[:120] if reason else ""))
    if stale and not args.update_expected:
        print("\nexpected entries for tests that did not run (stale): %s" % ", ".join(stale))

    failures = []
    if diffs and not args.update_expected:
        failures.append("%d unexpected result%s" % (len(diffs), "s" * (len(diffs) != 1)))
    for r in results:
        if r.status != "ok":
            failures.append("%s %s" % (r.name, r.status))
        if r.leaks and not args.stock:
            failures.append("%s: %d LEAK report%s" % (r.name, r.leaks, "s" * (r.leaks != 1)))
    for name in wrong_impl:
        failures.append("%s ran %s socket module" % (name, "our" if args.stock else "stock Jython's"))
    if args.update_expected:
        write_expected(expected_path, header, expected, results)

    print()
    print("regrtest: %d modules in %.0f s, %s" % (len(results), time.monotonic() - began,
                                                 "FAILED: " + "; ".join(failures) if failures else "OK"))
    print("regrtest: %d passed, %d failed, %d skipped" % (totals[1], totals[2], totals[3]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
