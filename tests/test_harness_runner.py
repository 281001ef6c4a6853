"""The Jython-side runner (jyrunner.py) and the process watchdog (runs.ModuleRun).

These tests run the runner on small synthetic unittest modules with the current CPython 3 (the
runner is Python 2.7 code that is also valid Python 3), and once more with CPython 2.7 when it
is installed, so harness bugs show up without Jython.
"""

import sys
import textwrap

import pytest

from harness import impls, runs

SAMPLE = textwrap.dedent('''
    import sys
    import unittest

    class Sample(unittest.TestCase):
        def test_pass(self):
            self.assertEqual(1 + 1, 2)

        def test_fail(self):
            self.assertEqual(1, 2, "one is not two")

        def test_error(self):
            raise RuntimeError("boom")

        @unittest.skip("not today")
        def test_skip(self):
            pass

        @unittest.expectedFailure
        def test_xfail(self):
            self.fail("known")

    class BrokenClass(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            raise ValueError("class setup broke")

        def test_never_runs(self):
            pass

    class TearDownBreaks(unittest.TestCase):
        def tearDown(self):
            raise KeyError("teardown")

        def test_fails_then_teardown_errors(self):
            self.fail("first")
''')


def python3_impl():
    return impls.Impl("py3", [sys.executable, "-B"], description="CPython 3 (harness self-test)")


def run_module(tmp_path, source, impl=None, name="jy_sample.py", timeout=60, exit_grace=15,
               env=None):
    path = tmp_path / name
    path.write_text(source)
    run = runs.ModuleRun(str(path), impl or python3_impl(), str(tmp_path / "logs"), timeout,
                         env or {}, exit_grace=exit_grace)
    return run.execute()


def check_sample(run):
    assert run.process_ok(), run.diagnostics()
    assert run.case("Sample.test_pass").outcome == "passed"
    fail = run.case("Sample.test_fail")
    assert fail.outcome == "failed" and "one is not two" in fail.text
    error = run.case("Sample.test_error")
    assert error.outcome == "error" and "RuntimeError: boom" in error.text
    skip = run.case("Sample.test_skip")
    assert skip.outcome == "skipped" and skip.text == "not today"
    assert run.case("Sample.test_xfail").outcome == "xfailed"
    # setUpClass failed: the case is not reported, the error holder is
    assert run.case("BrokenClass.test_never_runs") is None
    outside = run.outside_errors()
    assert len(outside) == 1 and "BrokenClass" in outside[0][0]
    assert "class setup broke" in outside[0][1].text
    # a failure followed by a tearDown error: the worst outcome and both texts
    both = run.case("TearDownBreaks.test_fails_then_teardown_errors")
    assert both.outcome == "error"
    assert "first" in both.text and "teardown" in both.text
    assert run.unexpected_cases({"Sample.test_pass"}) == sorted([
        "Sample.test_fail", "Sample.test_error", "Sample.test_skip", "Sample.test_xfail",
        "TearDownBreaks.test_fails_then_teardown_errors"])
    assert run.done is not None and run.done["ran"] >= 6


def test_runner_reports_every_outcome(tmp_path):
    check_sample(run_module(tmp_path, SAMPLE))


def test_runner_under_cpython27(tmp_path):
    try:
        impl = impls.resolve("cpython2")
    except impls.ImplUnavailable as exc:
        pytest.skip(str(exc))
    run = run_module(tmp_path, SAMPLE, impl=impl)
    assert run.begin["python"].startswith("2.7")
    check_sample(run)


def test_import_error_is_reported(tmp_path):
    run = run_module(tmp_path, "import no_such_module_anywhere\n")
    assert run.import_error and "no_such_module_anywhere" in run.import_error
    assert run.results == {}
    assert "module import failed" in run.diagnostics()


def test_timeout_kills_and_names_the_running_case(tmp_path):
    source = textwrap.dedent('''
        import time, unittest
        class Hang(unittest.TestCase):
            def test_a_quick(self):
                pass
            def test_b_hangs(self):
                time.sleep(600)
    ''')
    run = run_module(tmp_path, source, timeout=3)
    assert run.timed_out and not run.process_ok()
    assert run.case("Hang.test_a_quick").outcome == "passed"
    assert run.case("Hang.test_b_hangs") is None
    assert run.last_started_without_result() == "Hang.test_b_hangs"
    assert run.elapsed < 30
    assert "Hang.test_b_hangs" in run.diagnostics()


def test_process_that_does_not_exit_is_caught(tmp_path):
    source = textwrap.dedent('''
        import threading, time, unittest
        class Lingers(unittest.TestCase):
            def test_starts_non_daemon_thread(self):
                threading.Thread(target=time.sleep, args=(600,)).start()
    ''')
    run = run_module(tmp_path, source, timeout=60, exit_grace=1)
    assert run.case("Lingers.test_starts_non_daemon_thread").outcome == "passed"
    assert run.exit_hang and not run.process_ok()
    assert "did not exit" in run.process_status()
    assert run.elapsed < 30


def test_leak_lines_are_collected(tmp_path):
    source = textwrap.dedent('''
        import sys, unittest
        class Leaky(unittest.TestCase):
            def test_prints_leak(self):
                sys.stderr.write("SEVERE: LEAK: ByteBuf.release() was not called\\n")
    ''')
    run = run_module(tmp_path, source)
    assert run.process_ok()
    assert run.leak_lines == ["SEVERE: LEAK: ByteBuf.release() was not called"]


def test_crash_reports_stderr_tail(tmp_path):
    source = textwrap.dedent('''
        import os, sys, unittest
        class Crash(unittest.TestCase):
            def test_dies(self):
                sys.stderr.write("last words before dying\\n")
                sys.stderr.flush()
                os._exit(3)
    ''')
    run = run_module(tmp_path, source)
    assert run.returncode == 3 and run.done is None
    assert run.case("Crash.test_dies") is None
    diag = run.diagnostics()
    assert "last words before dying" in diag and "Crash.test_dies" in diag


def test_peer_environment_reaches_the_child(tmp_path, monkeypatch):
    source = textwrap.dedent('''
        import os, unittest
        class Env(unittest.TestCase):
            def test_env(self):
                self.assertEqual(os.environ.get("JNS_PEER_ECHO"), "127.0.0.1:1234")
                self.assertEqual(os.environ.get("JNS_TEST_IMPL"), "py3")
                self.assertNotIn("PYTHONPATH", os.environ)
    ''')
    monkeypatch.setenv("PYTHONPATH", "somewhere-else")
    run = run_module(tmp_path, source, env={"JNS_PEER_ECHO": "127.0.0.1:1234"})
    assert run.case("Env.test_env").outcome == "passed", run.case("Env.test_env").text


def test_merge_prefers_the_worst_outcome():
    merged = runs.merge_results([runs.CaseResult("passed", "", 1.0),
                                 runs.CaseResult("failed", "tb", 0.5)])
    assert merged.outcome == "failed" and merged.text == "tb" and merged.duration == 1.5


def test_case_id_shape():
    assert runs.is_case_id("Class.test_x")
    assert not runs.is_case_id("setUpClass (jy_x.Class)")
    assert not runs.is_case_id("<runner>")
    assert not runs.is_case_id("mod.Class.test_x")
