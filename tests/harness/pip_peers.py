"""A PEP 503 package index over HTTPS (CPython 3) for the pip test.

``JNS_PEER_PIP_INDEX``: ``HOST:PORT`` of the index; its URL is
``https://localhost:<port>/simple/`` (the session CA of ``tls_peers.py`` signs its
certificate, for ``localhost``).  It serves three packages made at session start:

``jnsdemo 1.0``   a wheel (``py2.py3-none-any``) whose module ``jnsdemo`` has ``VALUE = 'demo'``
                  and which requires ``jnsdep>=1.0``;
``jnsdep 1.0``    a wheel, module ``jnsdep`` with ``VALUE = 42``;
``jnssdist 1.0``  an sdist (``.tar.gz``, setuptools ``setup.py``), module ``jnssdist`` with
                  ``VALUE = 'built'``.

Links carry ``#sha256=`` fragments, as a real index's do.
"""

import base64
import hashlib
import io
import os
import ssl
import tarfile
import tempfile
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from .peers import HOST

ENV_NAMES = ("JNS_PEER_PIP_INDEX",)


def _wheel(directory, name, version, module_source, requires=()):
    """Write a pure-Python wheel for ``name`` and return its file name."""
    dist_info = "%s-%s.dist-info" % (name, version)
    files = {
        "%s.py" % name: module_source,
        dist_info + "/METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s" % (
            name, version, "".join("Requires-Dist: %s\n" % r for r in requires)),
        dist_info + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: jns\nRoot-Is-Purelib: true\n"
                               "Tag: py2-none-any\nTag: py3-none-any\n"),
    }
    record = []
    filename = "%s-%s-py2.py3-none-any.whl" % (name, version)
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as archive:
        for path, text in sorted(files.items()):
            data = text.encode("utf-8")
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append("%s,sha256=%s,%d" % (path, digest.decode("ascii"), len(data)))
        record.append(dist_info + "/RECORD,,")
        archive.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    return filename


def _sdist(directory, name, version, module_source):
    """Write a setuptools sdist (.tar.gz) for ``name`` and return its file name."""
    root = "%s-%s" % (name, version)
    files = {
        root + "/setup.py": ("from setuptools import setup\n"
                             "setup(name=%r, version=%r, py_modules=[%r])\n"
                             % (name, version, name)),
        root + "/%s.py" % name: module_source,
        root + "/PKG-INFO": "Metadata-Version: 1.1\nName: %s\nVersion: %s\n" % (name, version),
    }
    filename = root + ".tar.gz"
    with tarfile.open(os.path.join(directory, filename), "w:gz") as archive:
        for path, text in sorted(files.items()):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return filename


def make_index(root):
    """Write the packages and the ``simple/`` pages under ``root``."""
    packages = os.path.join(root, "packages")
    os.makedirs(packages)
    made = {
        "jnsdemo": _wheel(packages, "jnsdemo", "1.0", "VALUE = 'demo'\n",
                          requires=["jnsdep>=1.0"]),
        "jnsdep": _wheel(packages, "jnsdep", "1.0", "VALUE = 42\n"),
        "jnssdist": _sdist(packages, "jnssdist", "1.0", "VALUE = 'built'\n"),
    }
    simple = os.path.join(root, "simple")
    os.makedirs(simple)
    with open(os.path.join(simple, "index.html"), "w") as f:
        f.write("<html><body>%s</body></html>\n" % "".join(
            '<a href="%s/">%s</a>\n' % (n, n) for n in sorted(made)))
    for name, filename in made.items():
        with open(os.path.join(packages, filename), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        os.makedirs(os.path.join(simple, name))
        with open(os.path.join(simple, name, "index.html"), "w") as f:
            f.write('<html><body><a href="../../packages/%s#sha256=%s">%s</a></body></html>\n'
                    % (filename, digest, filename))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class PipIndex(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls_dir):
        self.root = tempfile.mkdtemp(prefix="jns-index-")
        make_index(self.root)
        self.errors = []
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(tls_dir, "server.pem"),
                            os.path.join(tls_dir, "server.key"))
        self.context = ctx
        ThreadingHTTPServer.__init__(self, (HOST, 0),
                                     partial(_QuietHandler, directory=self.root))
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="peer-pip-index", daemon=True)
        self.thread.start()

    def finish_request(self, request, client_address):
        # the handshake on the connection's own thread, not in the accept loop
        request.settimeout(60)
        tls = self.context.wrap_socket(request, server_side=True)
        try:
            ThreadingHTTPServer.finish_request(self, tls, client_address)
        finally:
            tls.close()

    def handle_error(self, request, client_address):
        import sys
        self.errors.append("pip-index %r: %r" % (client_address, sys.exc_info()[1]))

    def env_value(self):
        return "%s:%d" % self.server_address[:2]

    def stop(self):
        import shutil
        self.shutdown()
        self.server_close()
        shutil.rmtree(self.root, ignore_errors=True)


def attach(peers_class):
    """Hook the index into ``peers.Peers`` (after the TLS peers, whose PKI it uses)."""
    from .peers import OneServer, attach_group
    attach_group(peers_class, 'pip_index',
                 lambda base: OneServer("JNS_PEER_PIP_INDEX", PipIndex(base["JNS_PEER_TLS_DIR"])))
