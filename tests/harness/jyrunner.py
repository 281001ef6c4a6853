# -*- coding: utf-8 -*-
"""Run one ``tests/jython/jy_*.py`` unittest module and report every case as JSON lines.

Python 2.7 code: it runs under our Jython (``bin/jython``), stock Jython and CPython 2.7 (the
oracle).  The pytest plugin (``tests/harness/plugin.py``) starts it as

    <interpreter> tests/harness/jyrunner.py <path/to/jy_module.py> <results.jsonl>

and reads ``results.jsonl``: one JSON object per line, written and flushed as the run goes, so
that a crash or a hang still leaves the results of the cases that finished.  Events:

``{"event": "begin", "python": ..., "platform": ..., "socket_file": ...}``
    plus ``"tls_engine": ssl.OPENSSL_VERSION`` when ``JNS_TEST_TLS_ENGINE`` is set (the plugin
    checks that the engine asked for is the one that ran: no silent fallback)
``{"event": "start", "id": "Class.test_name"}``     before each case runs
``{"event": "result", "id": ..., "outcome": ..., "text": ..., "duration": ...}``
    outcome is one of passed, failed, error, skipped, xfailed, xpassed; ``text`` holds the
    traceback (failed, error) or the reason (skipped).  A case may get more than one result
    (e.g. the test fails and then tearDown raises); the plugin keeps the worst.  Errors raised
    outside any case (setUpClass, setUpModule, ...) have ids that are not ``Class.test``.
``{"event": "import_error", "text": ...}``           the module could not be imported
``{"event": "done", "ran": n, "gc": ...}``          all cases ran and the final GC pass is over

At the end it forces garbage collection (Jython only) and allocates a few Netty buffers, so
that Netty's leak detector (paranoid under the harness) logs ``LEAK:`` for any ByteBuf that was
never released; the plugin fails the module when such a line shows up in the process output.
"""

import json
import os
import sys
import time
import traceback
import unittest

sys.dont_write_bytecode = True


class JsonLinesResult(unittest.TestResult):
    """A TestResult that writes each event to a JSON-lines file as it happens."""

    def __init__(self, out, module_name):
        unittest.TestResult.__init__(self)
        self.out = out
        self.module_name = module_name
        self._started = {}

    def emit(self, **event):
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def case_id(self, test):
        test_id = test.id()
        prefix = self.module_name + "."
        if test_id.startswith(prefix):
            test_id = test_id[len(prefix):]
        return test_id

    def _result(self, test, outcome, text=""):
        test_id = self.case_id(test)
        started = self._started.get(test_id)
        duration = time.time() - started if started else 0.0
        self.emit(event="result", id=test_id, outcome=outcome, text=text, duration=duration)

    def startTest(self, test):
        unittest.TestResult.startTest(self, test)
        test_id = self.case_id(test)
        self._started[test_id] = time.time()
        self.emit(event="start", id=test_id)
        # a marker in the process output helps to read the log of a crashed run
        sys.stderr.write("[jyrunner] start %s\n" % test_id)
        sys.stderr.flush()

    def addSuccess(self, test):
        unittest.TestResult.addSuccess(self, test)
        self._result(test, "passed")

    def addFailure(self, test, err):
        unittest.TestResult.addFailure(self, test, err)
        self._result(test, "failed", self.failures[-1][1])

    def addError(self, test, err):
        unittest.TestResult.addError(self, test, err)
        self._result(test, "error", self.errors[-1][1])

    def addSkip(self, test, reason):
        unittest.TestResult.addSkip(self, test, reason)
        self._result(test, "skipped", str(reason))

    def addExpectedFailure(self, test, err):
        unittest.TestResult.addExpectedFailure(self, test, err)
        self._result(test, "xfailed", self.expectedFailures[-1][1])

    def addUnexpectedSuccess(self, test):
        unittest.TestResult.addUnexpectedSuccess(self, test)
        self._result(test, "xpassed", "unexpected success")


def _java_class(name):
    """Load a Java class by name (Jython only); None when it is not on the class path."""
    from java.lang import Class, Thread, ClassLoader
    loaders = [Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader()]
    for loader in loaders:
        if loader is None:
            continue
        try:
            return Class.forName(name, True, loader)
        except:  # noqa: E722 - Java's ClassNotFoundException is no Python exception
            pass
    return None


def force_gc_and_poll_leaks():
    """Run the GC a few times and allocate buffers so Netty reports leaked ByteBufs."""
    if not sys.platform.startswith("java"):
        return "not jython"
    from java.lang import System
    allocators = []
    for package in ("io.netty.buffer", "org.python.netty.buffer"):
        for cls_name in ("PooledByteBufAllocator", "UnpooledByteBufAllocator"):
            cls = _java_class(package + "." + cls_name)
            if cls is not None:
                try:
                    allocators.append(cls.getField("DEFAULT").get(None))
                except:  # noqa: E722 - Java exceptions too
                    pass
    for _ in range(3):
        System.gc()
        time.sleep(0.2)
        for alloc in allocators:
            for size in (64, 1024):
                alloc.directBuffer(size).release()
                alloc.heapBuffer(size).release()
    return "%d allocators" % len(allocators)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: jyrunner.py MODULE_PATH RESULTS_PATH\n")
        return 2
    module_path = os.path.abspath(argv[1])
    module_dir = os.path.dirname(module_path)
    module_name = os.path.splitext(os.path.basename(module_path))[0]
    here = os.path.dirname(os.path.abspath(__file__))
    # the harness directory holds CPython 3 code: never import from it
    sys.path[:] = [p for p in sys.path
                   if os.path.abspath(p or os.curdir) != here]
    sys.path.insert(0, module_dir)

    out = open(argv[2], "a")
    result = JsonLinesResult(out, module_name)
    try:
        import socket
        socket_file = getattr(socket, "__file__", "")
    except:  # noqa: E722
        socket_file = "import failed: " + traceback.format_exc()
    begin = dict(python=sys.version, platform=sys.platform,
                 executable=sys.executable or "", socket_file=socket_file)
    if os.environ.get("JNS_TEST_TLS_ENGINE"):
        try:
            import ssl
            begin["tls_engine"] = ssl.OPENSSL_VERSION
        except:  # noqa: E722
            begin["tls_engine"] = "import ssl failed: " + traceback.format_exc()
    result.emit(event="begin", **begin)

    try:
        module = __import__(module_name)
    except:  # noqa: E722 - on Jython a bare except also catches Java exceptions
        result.emit(event="import_error", text=traceback.format_exc())
        module = None

    if module is not None:
        suite = unittest.defaultTestLoader.loadTestsFromModule(module)
        try:
            suite.run(result)
        except:  # noqa: E722
            result.emit(event="result", id="<runner>", outcome="error",
                        text=traceback.format_exc(), duration=0.0)

    try:
        gc_info = force_gc_and_poll_leaks()
    except:  # noqa: E722
        gc_info = "gc pass failed: " + traceback.format_exc()
    result.emit(event="done", ran=result.testsRun, gc=gc_info)
    out.close()
    sys.stdout.flush()
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
