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

Options: ``--jy-impl`` (``ours``, ``stock``, ``cpython2``; env ``JNS_TEST_IMPL``),
``--jy-timeout`` (seconds per module; env ``JNS_TEST_TIMEOUT``, default 300) and
``--jy-log-dir`` (default ``build/test-logs``; a subdirectory per implementation).
"""

import fnmatch
import os

import pytest

from . import discovery, impls, peers, runs

MODULE_GLOB = "jy_*.py"
PROCESS_ITEM = "__process__"
DEFAULT_TIMEOUT = 300.0


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


class _State(object):
    """Per-session state, kept on the config object."""

    def __init__(self, config):
        self.config = config
        self.impl_name = config.getoption("--jy-impl")
        self._impl = None
        self._impl_error = None
        self.leaks = {}     # module path -> LEAK lines
        log_dir = config.getoption("--jy-log-dir")
        if not os.path.isabs(log_dir):
            log_dir = os.path.join(impls.REPO, log_dir)
        self.log_dir = os.path.join(log_dir, self.impl_name)

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
    for path, lines in sorted(st.leaks.items()):
        terminalreporter.write_line("%s: %d LEAK line(s), first: %s"
                                    % (os.path.relpath(path, impls.REPO), len(lines), lines[0]))


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


class JyModule(pytest.File):
    """One jy_*.py module: its test case classes, then the ``__process__`` item."""

    def collect(self):
        source = self.path.read_text(encoding="utf-8", errors="replace")
        self.cases = discovery.discover(source)
        self.expected_ids = set()
        self._run = None
        for class_name, lineno, methods in self.cases:
            self.expected_ids.update("%s.%s" % (class_name, m) for m, _ in methods)
            if methods:
                yield JyClass.from_parent(self, name=class_name, lineno=lineno, methods=methods)
        yield JyProcessItem.from_parent(self, name=PROCESS_ITEM)

    def get_run(self):
        """Run the module (once per session) and return its runs.ModuleRun."""
        if self._run is None:
            st = state(self.config)
            impl = st.impl()        # ImplUnavailable -> the item errors with the reason
            extra_env = peers.get_peers().env()
            run = runs.ModuleRun(str(self.path), impl, st.log_dir,
                                 self.config.getoption("--jy-timeout"), extra_env)
            self._run = run.execute()
            if run.leak_lines:
                st.leaks[str(self.path)] = run.leak_lines
        return self._run


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
        return self.getparent(JyModule)

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
