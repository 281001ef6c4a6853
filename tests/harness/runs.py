"""Run one ``jy_*.py`` module in one child process and turn its report into per-case results.

``ModuleRun.execute()`` starts ``<impl command> tests/harness/jyrunner.py MODULE RESULTS``,
watches it, and then parses the JSON-lines report written by the runner (see jyrunner.py).
The child's stdout and stderr go to files next to the report (``--jy-log-dir``), which stay
there for reading after the session.

Watchdog rules:
* the whole module must finish within ``timeout`` seconds;
* once the runner has written its ``done`` event, the process must exit within
  ``EXIT_GRACE`` seconds (a process that does not exit is a bug of ours: non-daemon threads,
  an event loop that is not shut down);
on either violation the process group gets SIGQUIT (a JVM then prints a thread dump into the
stdout log), then SIGKILL.
"""

import json
import os
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "jyrunner.py")
EXIT_GRACE = 15.0
LEAK_MARKER = "LEAK:"
TAIL_LINES = 40

# worst first
_SEVERITY = ["error", "failed", "xpassed", "passed", "xfailed", "skipped"]


class CaseResult(object):
    def __init__(self, outcome, text, duration):
        self.outcome = outcome
        self.text = text
        self.duration = duration

    def __repr__(self):
        return "CaseResult(%s)" % self.outcome


def merge_results(results):
    """One CaseResult out of the (possibly several) results unittest gave a case."""
    if len(results) == 1:
        return results[0]
    worst = min(results, key=lambda r: _SEVERITY.index(r.outcome)
                if r.outcome in _SEVERITY else -1)
    texts = [r.text for r in results if r.text]
    return CaseResult(worst.outcome, "\n".join(texts), sum(r.duration for r in results))


def is_case_id(case_id):
    """True for ``Class.test_name`` ids; False for setUpClass/setUpModule error holders."""
    parts = case_id.split(".")
    return len(parts) == 2 and all(p.replace("_", "a").isalnum() for p in parts)


def tail(text, lines=TAIL_LINES):
    return "\n".join(text.splitlines()[-lines:])


class ModuleRun(object):
    """The outcome of running one module: per-case results plus process-level problems."""

    def __init__(self, module_path, impl, log_dir, timeout, extra_env, exit_grace=EXIT_GRACE):
        self.module_path = module_path
        self.exit_grace = exit_grace
        self.impl = impl
        self.log_dir = log_dir
        self.timeout = timeout
        self.extra_env = extra_env
        stem = os.path.splitext(os.path.basename(module_path))[0]
        self.results_path = os.path.join(log_dir, stem + ".jsonl")
        self.stdout_path = os.path.join(log_dir, stem + ".stdout")
        self.stderr_path = os.path.join(log_dir, stem + ".stderr")
        self.returncode = None
        self.elapsed = None
        self.timed_out = False
        self.exit_hang = False
        self.begin = {}
        self.done = None
        self.import_error = None
        self.results = {}           # case id -> [CaseResult]
        self.started = []           # case ids in start order
        self.stdout = ""
        self.stderr = ""
        self.leak_lines = []
        self.report_problems = []   # unreadable report lines

    # -- running -----------------------------------------------------------------------------
    def execute(self):
        os.makedirs(self.log_dir, exist_ok=True)
        for path in (self.results_path, self.stdout_path, self.stderr_path):
            if os.path.exists(path):
                os.remove(path)
        argv = self.impl.command + [RUNNER, self.module_path, self.results_path]
        start = time.monotonic()
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            proc = subprocess.Popen(argv, cwd=_repo_root(),
                                    env=self.impl.child_env(self.extra_env),
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True)
            try:
                self._watch(proc, start)
            finally:
                if proc.poll() is None:
                    self._kill(proc)
        self.returncode = proc.returncode
        self.elapsed = time.monotonic() - start
        self._read_outputs()
        self._parse_report()
        return self

    def _watch(self, proc, start):
        deadline = start + self.timeout
        done_at = None
        while proc.poll() is None:
            now = time.monotonic()
            if done_at is None and self._report_has_done():
                done_at = now
            if done_at is not None and now - done_at > self.exit_grace:
                self.exit_hang = True
                self._kill(proc)
                return
            if now > deadline:
                self.timed_out = True
                self._kill(proc)
                return
            time.sleep(0.1)

    def _report_has_done(self):
        try:
            with open(self.results_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - 4096))
                return b'"event": "done"' in f.read()
        except OSError:
            return False

    def _kill(self, proc):
        try:
            if self.impl.java:
                os.killpg(proc.pid, signal.SIGQUIT)     # JVM thread dump into the stdout log
                try:
                    proc.wait(3)
                    return
                except subprocess.TimeoutExpired:
                    pass
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            pass

    # -- reading -----------------------------------------------------------------------------
    def _read_outputs(self):
        def read(path):
            try:
                with open(path, "rb") as f:
                    return f.read().decode("utf-8", "replace")
            except OSError:
                return ""
        self.stdout = read(self.stdout_path)
        self.stderr = read(self.stderr_path)
        self.leak_lines = [line for line in (self.stdout + "\n" + self.stderr).splitlines()
                           if LEAK_MARKER in line]

    def _parse_report(self):
        try:
            with open(self.results_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            lines = []
        for line in lines:
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError:
                self.report_problems.append(line[:200])
                continue
            kind = event.get("event")
            if kind == "begin":
                self.begin = event
            elif kind == "start":
                self.started.append(event.get("id", "?"))
            elif kind == "result":
                self.results.setdefault(event.get("id", "?"), []).append(
                    CaseResult(event.get("outcome", "error"), event.get("text", ""),
                               event.get("duration", 0.0)))
            elif kind == "import_error":
                self.import_error = event.get("text", "")
            elif kind == "done":
                self.done = event

    # -- verdicts ----------------------------------------------------------------------------
    def case(self, case_id):
        results = self.results.get(case_id)
        return merge_results(results) if results else None

    def outside_errors(self):
        """Results whose id is no test case (setUpClass, setUpModule, the runner itself)."""
        return [(cid, merge_results(rs)) for cid, rs in self.results.items()
                if not is_case_id(cid)]

    def unexpected_cases(self, expected_ids):
        return sorted(cid for cid in self.results if is_case_id(cid) and cid not in expected_ids)

    def process_status(self):
        """A one-line description of how the process ended."""
        if self.timed_out:
            return "killed after the module timeout of %ss" % self.timeout
        if self.exit_hang:
            return ("tests finished but the process did not exit within %ss (killed)"
                    % self.exit_grace)
        if self.done is None:
            return "process ended (exit status %s) before the runner finished" % self.returncode
        if self.returncode != 0:
            return "runner finished but the process exited with status %s" % self.returncode
        return "ok (exit status 0, %.1fs)" % self.elapsed

    def process_ok(self):
        return (not self.timed_out and not self.exit_hang and self.done is not None
                and self.returncode == 0)

    def last_started_without_result(self):
        for cid in reversed(self.started):
            if cid not in self.results:
                return cid
        return None

    def diagnostics(self):
        """Text explaining what went wrong with the process, for failure reports."""
        parts = ["process: %s" % self.process_status(),
                 "command: %s" % " ".join(self.impl.command),
                 "logs: %s, %s" % (self.stdout_path, self.stderr_path)]
        running = self.last_started_without_result()
        if running:
            parts.append("case running when the process ended: %s" % running)
        if self.import_error:
            parts.append("module import failed:\n" + self.import_error)
        for cid, res in self.outside_errors():
            parts.append("error outside any case (%s):\n%s" % (cid, res.text))
        if self.report_problems:
            parts.append("unreadable report lines: %r" % self.report_problems[:5])
        if self.stderr.strip():
            parts.append("stderr (last %d lines):\n%s" % (TAIL_LINES, tail(self.stderr)))
        if self.stdout.strip():
            parts.append("stdout (last %d lines):\n%s" % (TAIL_LINES, tail(self.stdout)))
        return "\n".join(parts)


def _repo_root():
    return os.path.dirname(os.path.dirname(HERE))
