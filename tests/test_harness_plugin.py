"""End-to-end check of the pytest plugin on synthetic jy_*.py modules.

Runs a separate pytest (``-p harness.plugin``) over a temporary tree, with the CPython 2.7
oracle as the implementation (skipped when CPython 2.7 is not installed), and reads its JUnit
XML report: each unittest case is its own item with its own outcome, a case the static
collection cannot see fails ``__process__``, and a ``LEAK:`` line fails the module's cases and
the whole session.
"""

import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from harness import impls

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))

MODULES = {
    "jy_selftest.py": '''
        import unittest

        class Cases(unittest.TestCase):
            def test_ok(self):
                self.assertEqual(2 + 2, 4)

            def test_bad(self):
                self.assertEqual("left", "right")

            @unittest.skip("skipped on purpose")
            def test_skipped(self):
                pass

        # made at run time: invisible to the static collection
        Hidden = type("Hidden", (unittest.TestCase,), {"test_dynamic": lambda self: None})
    ''',
    "jy_leaky.py": '''
        import sys
        import unittest

        class Leaky(unittest.TestCase):
            def test_passes_but_leaks(self):
                sys.stderr.write("SEVERE: LEAK: ByteBuf.release() was not called (fake)\\n")
    ''',
}


@pytest.fixture(scope="module")
def selftest_run(tmp_path_factory):
    try:
        impls.resolve("cpython2")
    except impls.ImplUnavailable as exc:
        pytest.skip("needs CPython 2.7: %s" % exc)
    root = tmp_path_factory.mktemp("plugin-selftest")
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "jython").mkdir()
    for name, source in MODULES.items():
        (root / "jython" / name).write_text(textwrap.dedent(source))
    env = dict(os.environ)
    env["PYTHONPATH"] = TESTS_DIR
    env.pop("JNS_TEST_IMPL", None)
    report = root / "report.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "harness.plugin", "-p", "no:cacheprovider",
         "--jy-impl=cpython2", "--jy-log-dir=%s" % (root / "logs"), "--junitxml=%s" % report,
         "-q", "-rfE", str(root / "jython")],
        cwd=str(root), env=env, capture_output=True, text=True, timeout=300)
    outcomes = {}
    for case in ET.parse(str(report)).getroot().iter("testcase"):
        key = "%s::%s" % (case.get("classname").rsplit(".", 1)[-1], case.get("name"))
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[key] = (kinds[0] if kinds else "passed",
                         "".join((child.get("message") or "") + (child.text or "")
                                 for child in case))
    return proc, outcomes


def test_each_case_is_an_item_with_its_outcome(selftest_run):
    proc, outcomes = selftest_run
    assert outcomes["Cases::test_ok"][0] == "passed", proc.stdout
    kind, text = outcomes["Cases::test_bad"]
    assert kind == "failure" and "'left' != 'right'" in text
    kind, text = outcomes["Cases::test_skipped"]
    assert kind == "skipped" and "skipped on purpose" in text


def test_case_missing_from_static_collection_fails_the_module(selftest_run):
    proc, outcomes = selftest_run
    kind, text = outcomes["jy_selftest::__process__"]
    assert kind == "failure"
    assert "Hidden.test_dynamic" in text


def test_leak_fails_the_cases_and_the_session(selftest_run):
    proc, outcomes = selftest_run
    kind, text = outcomes["Leaky::test_passes_but_leaks"]
    assert kind == "failure" and "LEAK:" in text
    assert outcomes["jy_leaky::__process__"][0] == "failure"
    assert proc.returncode == 1
    assert "Netty LEAK reports" in proc.stdout
