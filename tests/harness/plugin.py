"""pytest plugin: collect ``tests/jython/jy_*.py`` unittest modules and run them on Jython.

Each ``jy_*.py`` file becomes a collector whose items are its unittest cases, found statically
(``discovery.py``), e.g. ``tests/jython/jy_tcp_client.py::ClientTests::test_recv_eof``, plus
one ``__process__`` item per module that checks the child process itself.  The first item of a
module to run starts ONE child process for the whole module (``runs.ModuleRun``); every item
then reports its own case:

* passed -> passed;  failed/error -> failed, showing the traceback from the child;
* skipped -> pytest skip (never counted as passed);  expected failure -> xfail;
* not reported by the child (crash, hang, import error, setUpClass error) -> failed, with the
  process diagnostics (status, the case that was running, stderr/stdout tails).

``__process__`` fails when the process timed out, did not exit after its last case, exited
non-zero, reported a case the static collection did not list, had errors outside any case, or
printed a Netty ``LEAK:`` line, and (mode ``ours``) when ``socket`` did not come from our
``Lib/``.  A ``LEAK:`` line also fails every case of the module and the whole session.

TLS engines (issue 5): with ``ours``, a module that mentions ``ssl`` runs on the JDK's engine
(``JNS_TLS_ENGINE=jdk``) and, as the extra collector ``<module>::openssl``, a second time in
its own process on OpenSSL (``JNS_TLS_ENGINE=openssl``: netty-tcnative from
``build/lib-openssl``, which ``./antw openssl`` / ``./antw test`` fetch; skipped with the
reason when it is missing).  Both runs set ``JNS_TEST_TLS_ENGINE``; the child reports
``ssl.OPENSSL_VERSION`` and ``__process__`` fails unless it names the engine asked for, so a
silent fallback to the JDK's engine fails the run.  ``--jy-tls-engines`` (env
``JNS_TEST_TLS_ENGINES``, default ``jdk,openssl``) picks the runs.

Options: ``--jy-impl`` (``ours``, ``stock``, ``cpython2``; env ``JNS_TEST_IMPL``),
``--jy-timeout`` (seconds per module; env ``JNS_TEST_TIMEOUT``, default 300) and
``--jy-log-dir`` (default ``build/test-logs``; a subdirectory per implementation).
"""

import fnmatch
import glob
import os
import re

import pytest

from . import discovery, impls, peers, runs

MODULE_GLOB = "jy_*.py"
PROCESS_ITEM = "__process__"
DEFAULT_TIMEOUT = 300.0
TLS_ENGINES = ("jdk", "openssl")
# what ssl.OPENSSL_VERSION must contain on each engine
TLS_ENGINE_MARKS = {"jdk": "JDK", "openssl": "BoringSSL"}
OPENSSL_LIB = os.path.join("build", "lib-openssl")


def uses_tls(source):
    """A module that mentions ssl (ssl, SMTP_SSL, IMAP4_SSL...) runs on each TLS engine."""
    return re.search(r"ssl", source, re.IGNORECASE) is not None


def openssl_available():
    """None when netty-tcnative is in build/lib-openssl, else why not."""
    if glob.glob(os.path.join(impls.REPO, OPENSSL_LIB, "netty-tcnative-*.jar")):
        return None
    return "%s has no netty-tcnative jars: run ./antw openssl" % OPENSSL_LIB


def tls_engine_env(engine):
    return {"JNS_TLS_ENGINE": engine, "JNS_TEST_TLS_ENGINE": engine}


class JyFailure(Exception):
    """A failure whose report is a ready-made text (a traceback from the child process)."""


# -- options and session state ------------------------------------------------------------------
def pytest_addoption(parser):
    group = parser.getgroup("jython", "Jython-side tests (tests/jython/jy_*.py)")
    group.addoption("--jy-impl", choices=impls.IMPL_NAMES,
                    default=os.environ.get("JNS_TEST_IMPL") or "ours",
                    help="implementation that runs the jy_*.py modules: ours (bin/jython, "
                         "default), stock (stock Jython 2.7.4), cpython2 (the CPython 2.7 "
                         "oracle); env JNS_TEST_IMPL")
    group.addoption("--jy-timeout", type=float,
                    default=float(os.environ.get("JNS_TEST_TIMEOUT") or DEFAULT_TIMEOUT),
                    help="seconds one jy_*.py module may run (default %(default)s); "
                         "env JNS_TEST_TIMEOUT")
    group.addoption("--jy-log-dir", default=os.path.join("build", "test-logs"),
                    help="where child process logs and reports go (relative to the repo root; "
                         "default %(default)s)")
    group.addoption("--jy-tls-engines",
                    default=os.environ.get("JNS_TEST_TLS_ENGINES") or ",".join(TLS_ENGINES),
                    help="with --jy-impl=ours, the TLS engines modules that use ssl run on, "
                         "each in its own process: jdk, openssl (default %(default)s); "
                         "env JNS_TEST_TLS_ENGINES")


class _State(object):
    """Per-session state, kept on the config object."""

    def __init__(self, config):
        self.config = config
        self.impl_name = config.getoption("--jy-impl")
        self._impl = None
        self._impl_error = None
        self.leaks = {}     # node id of the run's owner (module or engine run) -> LEAK lines
        log_dir = config.getoption("--jy-log-dir")
        if not os.path.isabs(log_dir):
            log_dir = os.path.join(impls.REPO, log_dir)
        self.log_dir = os.path.join(log_dir, self.impl_name)
        engines = [e.strip() for e in config.getoption("--jy-tls-engines").split(",")
                   if e.strip()]
        for engine in engines:
            if engine not in TLS_ENGINES:
                raise pytest.UsageError("--jy-tls-engines: unknown engine %r (choose from %s)"
                                        % (engine, ", ".join(TLS_ENGINES)))
        if not engines:
            raise pytest.UsageError("--jy-tls-engines: name at least one engine")
        self.tls_engines = engines if self.impl_name == "ours" else []

    def impl(self):
        """The selected Impl; raises ImplUnavailable (remembered) when it cannot be found."""
        if self._impl is None and self._impl_error is None:
            try:
                self._impl = impls.resolve(self.impl_name)
            except impls.ImplUnavailable as exc:
                self._impl_error = exc
        if self._impl_error is not None:
            raise self._impl_error
        return self._impl


_STATE_KEY = pytest.StashKey()


def state(config):
    return config.stash[_STATE_KEY]


def pytest_configure(config):
    config.stash[_STATE_KEY] = _State(config)


def pytest_report_header(config):
    st = state(config)
    try:
        impl = st.impl().description
    except impls.ImplUnavailable as exc:
        impl = "UNAVAILABLE (%s)" % exc
    return ["jython harness: --jy-impl=%s: %s" % (st.impl_name, impl),
            "jython harness: module timeout %ss, logs in %s"
            % (config.getoption("--jy-timeout"), os.path.relpath(st.log_dir, impls.REPO))]


def pytest_sessionfinish(session, exitstatus):
    st = state(session.config)
    if st.leaks and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    peers.stop_peers()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    st = state(config)
    if not st.leaks:
        return
    terminalreporter.section("Netty LEAK reports (the session fails)", red=True)
    for nodeid, lines in sorted(st.leaks.items()):
        terminalreporter.write_line("%s: %d LEAK line(s), first: %s"
                                    % (nodeid, len(lines), lines[0]))


# -- collection ---------------------------------------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collected = yield
    if fnmatch.fnmatch(file_path.name, MODULE_GLOB) and file_path.parent.name == "jython":
        # a jy_*.py named on the command line would also be imported by pytest's Python
        # collector, as Python 3: drop that one
        collected = [node for node in collected if not isinstance(node, pytest.Module)]
        collected.append(JyModule.from_parent(parent, path=file_path))
    return collected


class _RunOwner(object):
    """A node that owns one child process run of a module: the module itself, or one of its
    TLS engine runs."""

    tls_engine = None      # engine asked for (JNS_TLS_ENGINE), None: not set

    def run_env(self):
        env = dict(peers.get_peers().env())
        if self.tls_engine is not None:
            env.update(tls_engine_env(self.tls_engine))
        return env

    def run_log_dir(self, st):
        return st.log_dir

    def get_run(self):
        """Run the module (once per session and owner) and return its runs.ModuleRun."""
        if self._run is None:
            st = state(self.config)
            impl = st.impl()        # ImplUnavailable -> the item errors with the reason
            run = runs.ModuleRun(str(self.path), impl, self.run_log_dir(st),
                                 self.config.getoption("--jy-timeout"), self.run_env())
            self._run = run.execute()
            if run.leak_lines:
                st.leaks[self.nodeid] = run.leak_lines
        return self._run


class JyModule(_RunOwner, pytest.File):
    """One jy_*.py module: its test case classes, then the ``__process__`` item, then (for a
    module that uses ssl) one collector per further TLS engine."""

    def collect(self):
        source = self.path.read_text(encoding="utf-8", errors="replace")
        self.cases = discovery.discover(source)
        self.expected_ids = set()
        self._run = None
        engines = state(self.config).tls_engines if uses_tls(source) else []
        self.tls_engine = engines[0] if engines else None
        for class_name, lineno, methods in self.cases:
            self.expected_ids.update("%s.%s" % (class_name, m) for m, _ in methods)
            if methods:
                yield JyClass.from_parent(self, name=class_name, lineno=lineno, methods=methods)
        yield JyProcessItem.from_parent(self, name=PROCESS_ITEM)
        for engine in engines[1:]:
            yield JyEngineRun.from_parent(self, name=engine, engine=engine)


class JyEngineRun(_RunOwner, pytest.Collector):
    """The module's cases again, in a process of their own on another TLS engine."""

    def __init__(self, *, engine, **kwargs):
        super().__init__(**kwargs)
        self.tls_engine = engine
        self._run = None

    @property
    def cases(self):
        return self.parent.cases

    @property
    def expected_ids(self):
        return self.parent.expected_ids

    def run_log_dir(self, st):
        return os.path.join(st.log_dir, self.tls_engine)

    def get_run(self):
        if self.tls_engine == "openssl":
            missing = openssl_available()
            if missing:
                pytest.skip("OpenSSL engine not available: " + missing)
        return super().get_run()

    def collect(self):
        for class_name, lineno, methods in self.cases:
            if methods:
                yield JyClass.from_parent(self, name=class_name, lineno=lineno, methods=methods)
        yield JyProcessItem.from_parent(self, name=PROCESS_ITEM)

    def reportinfo(self):
        return self.path, 0, "%s on the %s TLS engine" % (self.path.name, self.tls_engine)


class JyClass(pytest.Collector):
    def __init__(self, *, lineno, methods, **kwargs):
        super().__init__(**kwargs)
        self.lineno = lineno
        self.methods = methods

    def collect(self):
        for method, lineno in self.methods:
            yield JyCase.from_parent(self, name=method, lineno=lineno)

    def reportinfo(self):
        return self.path, self.lineno - 1, self.name


class _JyItem(pytest.Item):
    def module_node(self):
        """The node that owns this item's run: the module, or one of its TLS engine runs."""
        node = self.parent
        while not isinstance(node, _RunOwner):
            node = node.parent
        return node

    def get_run(self):
        try:
            return self.module_node().get_run()
        except impls.ImplUnavailable as exc:
            raise JyFailure("implementation %r unavailable: %s"
                            % (state(self.config).impl_name, exc))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, JyFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)


class JyCase(_JyItem):
    """One unittest case of a jy_*.py module."""

    def __init__(self, *, lineno, **kwargs):
        super().__init__(**kwargs)
        self.lineno = lineno
        self.case_id = "%s.%s" % (self.parent.name, self.name)

    def reportinfo(self):
        return self.path, self.lineno - 1, "%s::%s" % (self.parent.name, self.name)

    def runtest(self):
        run = self.get_run()
        result = run.case(self.case_id)
        if result is None:
            raise JyFailure("case %s was not reported by the %s process\n%s"
                            % (self.case_id, run.impl.name, run.diagnostics()))
        outcome = result.outcome
        if outcome in ("failed", "error"):
            raise JyFailure("%s [%s on %s]\n%s" % (self.case_id, outcome, run.impl.name,
                                                   result.text))
        if outcome == "xpassed":
            raise JyFailure("%s: unexpected success (marked expectedFailure)" % self.case_id)
        if run.leak_lines:
            raise JyFailure("%s %s, but the process reported Netty leaks:\n%s"
                            % (self.case_id, outcome, "\n".join(run.leak_lines[:10])))
        if outcome == "skipped":
            pytest.skip(result.text or "skipped")
        if outcome == "xfailed":
            pytest.xfail(result.text.strip().splitlines()[-1] if result.text.strip()
                         else "expected failure")
        if outcome != "passed":
            raise JyFailure("%s: unknown outcome %r" % (self.case_id, outcome))


class JyProcessItem(_JyItem):
    """Checks of the module's child process as a whole."""

    def reportinfo(self):
        return self.path, 0, "%s (child process of the module)" % PROCESS_ITEM

    def runtest(self):
        run = self.get_run()
        module = self.module_node()
        problems = []
        if not run.process_ok():
            problems.append(run.process_status())
        if run.import_error:
            problems.append("the module could not be imported")
        unexpected = run.unexpected_cases(module.expected_ids)
        if unexpected:
            problems.append("cases reported by the runner but missing from the static "
                            "collection (fix discovery or the module): %s" % ", ".join(unexpected))
        if run.outside_errors():
            problems.append("errors outside any case: %s"
                            % ", ".join(cid for cid, _ in run.outside_errors()))
        if run.leak_lines:
            problems.append("Netty reported %d LEAK line(s):\n%s"
                            % (len(run.leak_lines), "\n".join(run.leak_lines[:20])))
        engine = module.tls_engine
        if engine is not None and run.begin:
            reported = run.begin.get("tls_engine")
            if not reported or TLS_ENGINE_MARKS[engine] not in reported:
                problems.append("TLS engine %r was asked for, but ssl.OPENSSL_VERSION is %r"
                                % (engine, reported))
        if run.impl.name == "ours" and run.done is not None:
            socket_file = os.path.realpath(os.path.join(impls.REPO,
                                                        run.begin.get("socket_file", "")))
            lib = os.path.join(os.path.realpath(impls.REPO), "Lib") + os.sep
            if not socket_file.startswith(lib):
                problems.append("socket was not imported from our Lib/: %r"
                                % run.begin.get("socket_file"))
        if problems:
            raise JyFailure("%s: %s\n\n%s" % (os.path.basename(str(self.path)),
                                              "\n".join(problems), run.diagnostics()))


# -- fixtures for the pure pytest tests -----------------------------------------------------------
@pytest.fixture(scope="session")
def jns_peers():
    """The session's CPython 3 peers (``harness.peers.Peers``)."""
    return peers.get_peers()


@pytest.fixture(scope="session")
def jy_impl(pytestconfig):
    """The selected implementation (``harness.impls.Impl``); fails when it is unavailable."""
    try:
        return state(pytestconfig).impl()
    except impls.ImplUnavailable as exc:
        pytest.fail("implementation %r unavailable: %s" % (state(pytestconfig).impl_name, exc))
