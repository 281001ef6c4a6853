"""Fetch the Python 2.7 wheels the user-library tests need and unpack them for Jython.

Run with CPython 3 (the test venv's python, which has pip)::

    build/venv/bin/python tests/py27_site.py

It downloads the pinned wheels of ``tests/py27-requirements.txt`` for Python 2.7 with pip's
``download`` command (pure-Python wheels only, no dependency resolution: the file pins them
all) into ``build/py27-wheels/`` and unpacks them into ``build/py27-site/``, a directory the
Jython-side tests (``tests/jython/users_support.py``) put on ``sys.path``.  Nothing here is
committed.  When it is done it writes ``build/py27-site/.installed``; a failure (e.g. no
network) leaves no marker and exits non-zero, and the tests that need the wheels then fail
with a message that names this script.
"""

import os
import shutil
import subprocess
import sys
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIREMENTS = os.path.join(REPO, "tests", "py27-requirements.txt")
WHEELS = os.path.join(REPO, "build", "py27-wheels")
SITE = os.path.join(REPO, "build", "py27-site")
MARKER = os.path.join(SITE, ".installed")


def requirements():
    """The pinned requirement lines (comments and blank lines dropped)."""
    with open(REQUIREMENTS) as f:
        return [line.split("#", 1)[0].strip() for line in f
                if line.split("#", 1)[0].strip()]


def download(reqs):
    """pip download the wheels for Python 2.7 into WHEELS; raises CalledProcessError."""
    os.makedirs(WHEELS, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet",
                    "--disable-pip-version-check", "--python-version", "2.7",
                    "--only-binary=:all:", "--no-deps", "-d", WHEELS] + reqs, check=True)


def wanted_wheels(reqs):
    """The wheel files in WHEELS that match the pinned name==version lines."""
    found = []
    names = os.listdir(WHEELS)
    for req in reqs:
        name, version = req.split("==")
        prefix = "%s-%s-" % (name.replace("-", "_"), version)
        match = [n for n in names if n.endswith(".whl") and n.lower().startswith(prefix.lower())]
        if not match:
            raise SystemExit("py27_site: no wheel for %s in %s" % (req, WHEELS))
        found.append(os.path.join(WHEELS, match[0]))
    return found


def unpack(wheels):
    """Unpack the wheels into a fresh SITE (pure-Python wheels: the archive root is purelib)."""
    shutil.rmtree(SITE, ignore_errors=True)
    os.makedirs(SITE)
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(SITE)


def main():
    reqs = requirements()
    if os.path.exists(MARKER):
        os.remove(MARKER)       # a failed update must not leave the old wheels looking current
    try:
        download(reqs)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write("py27_site: pip download failed (exit %d): no network or index? The "
                         "tests that need requests/urllib3 will fail.\n" % exc.returncode)
        return 1
    unpack(wanted_wheels(reqs))
    with open(MARKER, "w") as f:
        f.write("\n".join(reqs) + "\n")
    print("py27_site: %d wheels unpacked into %s" % (len(reqs), SITE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
