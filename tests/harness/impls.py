"""The Python 2.7 implementations the Jython-side tests can run on.

``ours``      ``bin/jython`` (the repo's launcher: Jython with our ``Lib/`` first on sys.path),
              run with ``JNS_LEAK_DETECTION=paranoid``.  The default.
``stock``     stock Jython 2.7.4 with its own socket module:
              ``java -cp jython-standalone-2.7.4.jar org.python.util.jython`` (the jar from
              ``build/lib/``, else ``$JNS_JYTHON_JAR``, else the local Maven repository).
``cpython2``  CPython 2.7, the oracle: every Jython-side test must pass there.  Found as
              ``$JNS_PYTHON2``, else ``$(pyenv root)/versions/2.7.*/bin/python2.7``, else
              ``python2.7`` on PATH.

Select one with ``pytest --jy-impl=NAME`` or the environment variable ``JNS_TEST_IMPL``.
"""

import glob
import os
import shutil
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMPL_NAMES = ("ours", "stock", "cpython2")
JYTHON_JAR = "jython-standalone-2.7.4.jar"


class ImplUnavailable(Exception):
    """The selected implementation cannot be found on this machine."""


class Impl(object):
    def __init__(self, name, command, env=None, java=False, description=""):
        self.name = name
        self.command = list(command)     # argv prefix; the script and its args follow
        self.env = dict(env or {})
        self.java = java                 # a JVM: SIGQUIT gives a thread dump
        self.description = description or " ".join(self.command)

    def child_env(self, extra=None):
        """The environment for a child process of this implementation."""
        env = dict(os.environ)
        for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONINSPECT"):
            env.pop(name, None)
        if self.name != "ours":
            env.pop("JYTHONPATH", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["JNS_TEST_IMPL"] = self.name
        env.update(self.env)
        env.update(extra or {})
        return env

    def __repr__(self):
        return "Impl(%s: %s)" % (self.name, self.description)


def _java():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    java = shutil.which("java")
    if not java:
        raise ImplUnavailable("no java found (JAVA_HOME unset and no java on PATH)")
    return java


def _ours():
    launcher = os.path.join(REPO, "bin", "jython")
    if not os.path.isfile(launcher) or not os.access(launcher, os.X_OK):
        raise ImplUnavailable("bin/jython is missing or not executable: build the project first")
    return Impl("ours", [launcher], env={"JNS_LEAK_DETECTION": "paranoid"}, java=True,
                description="bin/jython (JNS_LEAK_DETECTION=paranoid)")


def find_jython_jar():
    candidates = [os.environ.get("JNS_JYTHON_JAR", ""),
                  os.path.join(REPO, "build", "lib", JYTHON_JAR),
                  os.path.join(os.path.expanduser("~"), ".m2", "repository", "org", "python",
                               "jython-standalone", "2.7.4", JYTHON_JAR)]
    for path in candidates:
        if path and os.path.isfile(path):
            return path
    raise ImplUnavailable("%s not found (looked in build/lib/, $JNS_JYTHON_JAR and the local "
                          "Maven repository)" % JYTHON_JAR)


def _stock():
    jar = find_jython_jar()
    return Impl("stock",
                [_java(), "-Dio.netty.leakDetection.level=paranoid",
                 "-Dorg.python.netty.leakDetection.level=paranoid",
                 "-cp", jar, "org.python.util.jython"],
                java=True, description="stock Jython (%s)" % jar)


def _pyenv_pythons():
    roots = []
    if os.environ.get("PYENV_ROOT"):
        roots.append(os.environ["PYENV_ROOT"])
    if shutil.which("pyenv"):
        try:
            out = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=20)
            if out.returncode == 0 and out.stdout.strip():
                roots.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    roots.append(os.path.join(os.path.expanduser("~"), ".pyenv"))
    found = []
    for root in roots:
        found.extend(sorted(glob.glob(os.path.join(root, "versions", "2.7*", "bin",
                                                   "python2.7")), reverse=True))
    return found


def _is_python27(path):
    try:
        out = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2] == (2, 7))"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def _cpython2():
    candidates = []
    if os.environ.get("JNS_PYTHON2"):
        candidates.append(os.environ["JNS_PYTHON2"])
    candidates.extend(_pyenv_pythons())
    if shutil.which("python2.7"):
        candidates.append(shutil.which("python2.7"))
    for path in candidates:
        if _is_python27(path):
            return Impl("cpython2", [path, "-E", "-B"], description="CPython 2.7 (%s)" % path)
    raise ImplUnavailable("no CPython 2.7 found: set JNS_PYTHON2, or install 2.7 with pyenv, "
                          "or put python2.7 on PATH")


_FACTORIES = {"ours": _ours, "stock": _stock, "cpython2": _cpython2}


def resolve(name):
    """The Impl called ``name``; raises ImplUnavailable (or ValueError for a bad name)."""
    if name not in _FACTORIES:
        raise ValueError("unknown implementation %r (choose from %s)"
                         % (name, ", ".join(IMPL_NAMES)))
    return _FACTORIES[name]()
