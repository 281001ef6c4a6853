# -*- coding: utf-8 -*-
"""Helpers for the user-library tests (``jy_users_*.py``; Python 2.7, also valid Python 3 syntax).

``build/py27-site`` holds the pure-Python 2.7 wheels (requests, urllib3, idna, chardet,
certifi) that ``tests/py27_site.py`` fetches (the ``py27-site`` Ant target, run by
``./antw test``).  Importing this module puts that directory on ``sys.path`` (for Jython and
for the CPython 2.7 oracle alike).  ``require_site()`` fails the calling test with a message
that says how to fetch the wheels when they are missing: a missing prerequisite is a failure,
never a skip.
"""

import os
import socket
import sys

from netsupport import peer, read_line

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SITE = os.path.join(REPO, "build", "py27-site")
MARKER = os.path.join(SITE, ".installed")
MISSING = ("the Python 2.7 wheels are not installed in build/py27-site: run `./antw py27-site` "
           "or `build/venv/bin/python tests/py27_site.py` (needs access to the package index)")

if os.path.isfile(MARKER) and SITE not in sys.path:
    sys.path.insert(0, SITE)


def require_site(testcase):
    """Fail ``testcase`` (a unittest.TestCase) unless the wheels are installed and importable."""
    if not os.path.isfile(MARKER):
        testcase.fail(MISSING)
    try:
        import requests  # noqa: F401
        import urllib3  # noqa: F401
    except ImportError as exc:
        testcase.fail("%s (%s)" % (MISSING, exc))


def tls_file(name):
    """A file of the session PKI (see tests/harness/tls_peers.py)."""
    directory = os.environ.get("JNS_PEER_TLS_DIR")
    if not directory:
        raise RuntimeError("JNS_PEER_TLS_DIR is not set: run this module through the harness")
    return os.path.join(directory, name)


def read_tls_file(name):
    """The bytes of a file of the session PKI."""
    with open(tls_file(name), "rb") as f:
        return f.read()


def addr(peer_name):
    """The (host, port) of the peer in ``JNS_PEER_<peer_name>``."""
    value = os.environ.get("JNS_PEER_" + peer_name)
    if not value:
        raise RuntimeError("JNS_PEER_%s is not set: run this module through the harness"
                           % peer_name)
    host, port = value.rsplit(":", 1)
    return host, int(port)


def url(peer_name, path, scheme="http", host=None):
    """``scheme://host:port/path`` for the peer in ``JNS_PEER_<peer_name>``."""
    peer_host, port = addr(peer_name)
    return "%s://%s:%d%s" % (scheme, host or peer_host, port, path)


CROWD_TIMEOUT = 120.0


def crowd(command):
    """Send one command to the crowd peer (tests/harness/client_peers.py); return its answer."""
    ctl = socket.create_connection(peer("CROWD"), 10)
    try:
        ctl.settimeout(CROWD_TIMEOUT)
        ctl.sendall(command.encode("ascii") + b"\n")
        return read_line(ctl)
    finally:
        ctl.close()
