"""pip 20.3 (the last pip for Python 2.7, from ``build/py27-site``) installs from a PEP 503
index served over HTTPS on loopback (``tests/harness/pip_peers.py``), on the selected
implementation (``--jy-impl``):

* with ``--cert`` the session CA: a wheel, the wheel it depends on, and an sdist (built by
  ``setup.py install`` in a child process started from ``sys.executable``), then importable;
* without the CA (``--cert`` another CA): refused with CERTIFICATE_VERIFY_FAILED, nothing
  installed;
* pip sees TLS as available (it probes ``import _ssl``; otherwise it warns on every run that
  "the ssl module in Python is not available").

pip runs with ``--isolated`` (no user configuration or ``PIP_*`` variables), ``--no-compile``
(Jython writes ``$py.class`` files, not the ``.pyc`` files pip checks for) and without the
``wheel`` package (so sdists install through ``setup.py install``), the environment's CA
bundle variables removed (requests would let them override ``--cert``).
"""

import os
import subprocess

import pytest

from harness import impls

SITE = os.path.join(impls.REPO, "build", "py27-site")
MARKER = os.path.join(SITE, ".installed")
NO_TLS_WARNING = "the ssl module in Python is not available"
PIP_TIMEOUT = 600


def run_pip(impl, env, args, cwd):
    """Run ``pip <args>`` on ``impl`` with build/py27-site first on its path."""
    launcher = ("import sys; sys.path.insert(0, %r); import runpy; "
                "sys.argv[0] = 'pip'; runpy.run_module('pip', run_name='__main__')" % SITE)
    proc = subprocess.run(impl.command + ["-c", launcher] + args, env=env, cwd=str(cwd),
                          capture_output=True, text=True, timeout=PIP_TIMEOUT,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def pip_env(jy_impl, jns_peers):
    if not os.path.isfile(MARKER) or not os.path.isdir(os.path.join(SITE, "pip")):
        pytest.fail("pip is not installed in build/py27-site: run `./antw py27-site` or "
                    "`build/venv/bin/python tests/py27_site.py` (needs the package index)")
    env = jy_impl.child_env(jns_peers.env())
    for name in list(env):
        if name.startswith("PIP_") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            del env[name]
    # the sdist's setup.py runs in a child interpreter, which needs setuptools
    env["JYTHONPATH" if jy_impl.name != "cpython2" else "PYTHONPATH"] = SITE
    return env


def index_url(env):
    return "https://localhost:%s/simple/" % env["JNS_PEER_PIP_INDEX"].rsplit(":", 1)[1]


def install_args(env, target, cafile):
    return ["--isolated", "install", "--disable-pip-version-check", "--no-cache-dir",
            "--no-build-isolation", "--no-compile", "--retries", "0", "--timeout", "60",
            "--target", str(target), "--index-url", index_url(env),
            "--cert", os.path.join(env["JNS_PEER_TLS_DIR"], cafile), "jnsdemo", "jnssdist"]


def test_pip_installs_wheels_and_sdist_over_https(jy_impl, pip_env, tmp_path):
    target = tmp_path / "target"
    code, output = run_pip(jy_impl, pip_env, install_args(pip_env, target, "ca.pem"), tmp_path)
    assert code == 0, output
    assert "Successfully installed jnsdemo-1.0 jnsdep-1.0 jnssdist-1.0" in output, output
    check = ("import sys; sys.path.insert(0, %r); import jnsdemo, jnsdep, jnssdist; "
             "print('%%s %%s %%s' %% (jnsdemo.VALUE, jnsdep.VALUE, jnssdist.VALUE))"
             % str(target))
    proc = subprocess.run(jy_impl.command + ["-c", check], env=pip_env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.stdout.strip() == "demo 42 built", proc.stdout + proc.stderr


def test_pip_refuses_index_without_its_ca(jy_impl, pip_env, tmp_path):
    target = tmp_path / "target"
    code, output = run_pip(jy_impl, pip_env, install_args(pip_env, target, "other_ca.pem"),
                           tmp_path)
    assert code != 0, output
    assert "CERTIFICATE_VERIFY_FAILED" in output, output
    assert not target.exists() or not os.listdir(str(target)), output


def test_pip_sees_tls_available(jy_impl, pip_env, tmp_path):
    code, output = run_pip(jy_impl, pip_env,
                           ["--isolated", "download", "--disable-pip-version-check",
                            "--no-cache-dir", "--no-deps", "--retries", "0",
                            "--index-url", index_url(pip_env),
                            "--cert", os.path.join(pip_env["JNS_PEER_TLS_DIR"], "ca.pem"),
                            "-d", str(tmp_path / "d"), "jnsdep"], tmp_path)
    assert code == 0, output
    assert NO_TLS_WARNING not in output, (
        "pip probes `import _ssl` to decide whether TLS works; there is no _ssl module:\n"
        + output)
