"""Static discovery of unittest cases in jy_*.py modules (tests/harness/discovery.py)."""

import glob
import os

from harness import discovery

HERE = os.path.dirname(os.path.abspath(__file__))

PY3_COMPATIBLE = '''
import unittest
from netsupport import NetTestCase

class Helper(object):
    def test_not_a_case(self):
        pass

class Mixin(object):
    def test_from_mixin(self):
        pass

class Base(unittest.TestCase):
    def setUp(self):
        pass
    def test_base(self):
        pass

class Child(Mixin, Base):
    def test_child(self):
        pass
    def helper_test(self):
        pass

class Direct(NetTestCase):
    @unittest.skip("later")
    def test_skipped(self):
        pass
    def test_b(self):
        def test_nested():
            pass

class NoCases(unittest.TestCase):
    pass

if __name__ == "__main__":
    unittest.main()
'''

PY2_ONLY = PY3_COMPATIBLE.replace("    def test_b(self):\n",
                                  "    def test_b(self):\n        print 'py2 statement'\n")


def as_dict(found):
    return {name: [m for m, _ in methods] for name, _, methods in found}


def test_ast_discovery_with_inheritance():
    found = as_dict(discovery.discover(PY3_COMPATIBLE))
    assert found == {
        "Base": ["test_base"],
        "Child": ["test_child", "test_from_mixin", "test_base"],
        "Direct": ["test_skipped", "test_b"],
        "NoCases": [],
    }
    # a mixin's tests run only through the test case classes that use it
    assert "Mixin" not in found and "Helper" not in found


def test_mixin_methods_are_inherited():
    source = '''
import unittest
class Mixin(object):
    def test_from_mixin(self):
        pass
class Case(Mixin, unittest.TestCase):
    def test_own(self):
        pass
'''
    assert as_dict(discovery.discover(source)) == {"Case": ["test_own", "test_from_mixin"]}


def test_line_fallback_for_python2_syntax():
    classes, parser = discovery.parse_classes(PY2_ONLY)
    assert parser == "lines"
    assert as_dict(discovery.discover(PY2_ONLY)) == as_dict(discovery.discover(PY3_COMPATIBLE))


def test_line_parser_multiline_bases():
    source = ("import unittest\n"
              "class Case(object,\n"
              "           unittest.TestCase):\n"
              "    x = 'print 1'\n"
              "    def test_one(self):\n"
              "        exec 'pass'\n")
    classes, parser = discovery.parse_classes(source)
    assert parser == "lines"
    assert as_dict(discovery.discover(source)) == {"Case": ["test_one"]}


def test_line_numbers_point_at_definitions():
    found = discovery.discover(PY3_COMPATIBLE)
    lines = PY3_COMPATIBLE.splitlines()
    for name, lineno, methods in found:
        assert lines[lineno - 1].startswith("class %s" % name)
        for method, mline in methods:
            assert ("def %s(" % method) in lines[mline - 1]


def test_both_parsers_agree_on_the_real_modules():
    paths = sorted(glob.glob(os.path.join(HERE, "jython", "jy_*.py")))
    assert paths, "no jy_*.py modules found"
    for path in paths:
        with open(path, encoding="utf-8") as f:
            source = f.read()
        by_ast = discovery._parse_ast(source)
        by_lines = discovery._parse_lines(source)
        assert [(c.name, c.methods) for c in by_ast] == \
            [(c.name, c.methods) for c in by_lines], path
        assert discovery.discover(source), "%s has no test case classes" % path
