"""Static discovery of the unittest cases in a ``jy_*.py`` module (Python 2.7 source).

The modules are never imported by CPython 3.  We parse them with ``ast`` when their source is
also valid Python 3 (the house style: ``except E as e``, ``b''`` literals, no print
statement), and fall back to a line-based scan otherwise.  Both produce the same model:

* top-level classes, their base names and the ``test*`` methods they define, in source order;
* a class is a test case class when one of its bases is named ``...TestCase`` or is a test
  case class of the same file;
* a class's cases are its own ``test*`` methods plus those it inherits from classes of the same
  file (methods inherited from other modules cannot be seen; the runner reports them and the
  plugin fails the module, so nothing disappears silently).

``unittest`` itself runs the cases in alphabetical order; we keep source order for display.
"""

import ast
import re

TEST_PREFIX = "test"


class ClassInfo(object):
    def __init__(self, name, bases, methods, lineno):
        self.name = name
        self.bases = bases          # dotted names as written
        self.methods = methods      # [(name, lineno)] defined in the class body
        self.lineno = lineno

    def __repr__(self):
        return "ClassInfo(%r, %r, %r)" % (self.name, self.bases, self.methods)


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return inner + "." + node.attr if inner else node.attr
    return ""


def _parse_ast(source):
    tree = ast.parse(source)
    classes = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        methods = []
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    item.name.startswith(TEST_PREFIX):
                methods.append((item.name, item.lineno))
        classes.append(ClassInfo(node.name, [_dotted(b) for b in node.bases], methods,
                                 node.lineno))
    return classes


_CLASS_RE = re.compile(r"^class\s+([A-Za-z_]\w*)\s*(\(|:)")
_DEF_RE = re.compile(r"^(\s+)def\s+([A-Za-z_]\w*)\s*\(")


def _parse_lines(source):
    """Line-based fallback for sources that Python 3 cannot parse."""
    classes = []
    current = None
    body_indent = None
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        i += 1
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace():
            current = None
            m = _CLASS_RE.match(line)
            if m:
                header = line[m.end(1):]
                start = i
                # bases may continue over several lines: read up to the closing "):"
                while m.group(2) == "(" and not re.search(r"\)\s*:", header) and i < len(lines):
                    header += " " + lines[i].strip()
                    i += 1
                bases = []
                bm = re.match(r"\s*\((.*)\)\s*:", header)
                if bm:
                    bases = [b.strip() for b in bm.group(1).split(",") if b.strip()]
                current = ClassInfo(m.group(1), bases, [], start)
                classes.append(current)
                body_indent = None
            continue
        if current is None:
            continue
        indent = len(line) - len(line.lstrip())
        if body_indent is None:
            body_indent = indent
        m = _DEF_RE.match(line)
        if m and len(m.group(1)) == body_indent and m.group(2).startswith(TEST_PREFIX):
            current.methods.append((m.group(2), i))
    return classes


def parse_classes(source):
    """All top-level classes of ``source``: (list of ClassInfo, parser used)."""
    try:
        return _parse_ast(source), "ast"
    except SyntaxError:
        return _parse_lines(source), "lines"


def discover(source):
    """The test cases of a module: ``[(class_name, lineno, [(method, lineno), ...])]``.

    Only test case classes are listed; classes without cases are listed with an empty list
    (unittest runs nothing for them either).
    """
    classes, _ = parse_classes(source)
    by_name = {c.name: c for c in classes}
    memo = {}

    def is_test_class(name, seen=()):
        if name in memo:
            return memo[name]
        info = by_name.get(name)
        result = False
        if info is not None and name not in seen:
            for base in info.bases:
                short = base.rsplit(".", 1)[-1]
                if short.endswith("TestCase") and short not in by_name:
                    result = True
                elif short in by_name and is_test_class(short, seen + (name,)):
                    result = True
        memo[name] = result
        return result

    def all_methods(name, seen=()):
        info = by_name.get(name)
        if info is None or name in seen:
            return []
        methods = list(info.methods)
        known = {m for m, _ in methods}
        for base in info.bases:
            short = base.rsplit(".", 1)[-1]
            for m, line in all_methods(short, seen + (name,)):
                if m not in known:
                    known.add(m)
                    methods.append((m, line))
        return methods

    found = []
    for info in classes:
        if is_test_class(info.name):
            found.append((info.name, info.lineno, all_methods(info.name)))
    return found
