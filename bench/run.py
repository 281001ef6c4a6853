"""Benchmark driver (CPython 3): every figure on three implementations, one table.

    python3 bench/run.py [--quick] [--rounds N] [--seconds S] [--warmup S] [--only fig1_bulk,...]

Implementations: CPython 3 (this interpreter), stock Jython (`JNS_STOCK=1 bin/jython`: the
same jython-standalone with its own Lib) and ours (`bin/jython`).  One long-lived worker
process per implementation runs the rows of figures 1-6 on request (`worker.py`), so the
JIT stays warm and JVM start-up is paid once; figure 7 starts fresh processes.  The far end
is one CPython 3 peer process (`peer.py`) shared by all three.

Each row: one warm-up pass, then R rounds; within a round the three implementations run the
row back to back, in an order that rotates from round to round (these machines are noisy).
The table shows the median with its spread (half the min-max range, as a percentage of the
median) and the ratios ours/CPython 3 and ours/stock; `target` judges the issue's targets.  --quick (warm-up 0.1 s, 3 rounds of
0.2 s, one round of figure 7) takes under 3 minutes; the default is a 2 s warm-up and 5
rounds of 1 s (the JVMs reach their steady rate only after seconds of JIT compiling).
The table also goes to build/bench/last-table.txt, the raw figures to build/bench/results.json.
Figure 6 runs a second time with ours on the OpenSSL engine (rows "..., ours on OpenSSL": a
fourth worker with JNS_TLS_ENGINE=openssl fills the ours column) when build/lib-openssl has
netty-tcnative (`./antw openssl`; `./antw bench` fetches it).
"""
import argparse
import glob
import json
import os
import platform
import queue
import statistics
import subprocess
import sys
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
OUT = os.path.join(REPO, 'build', 'bench')
sys.path.insert(0, BENCH)

FIGURES = ['fig1_bulk', 'fig2_pingpong', 'fig3_connect', 'fig4_select', 'fig5_echo_server',
           'fig6_tls']
IMPLS = ['CPython 3', 'stock', 'ours']
REQUEST_TIMEOUT = 180.0
LOWER_IS_BETTER = ('us/call', ', s', ' ms', ', MB', 'threads')
# issue 5: figures measured again with ours on the OpenSSL engine (worker OURS_OPENSSL)
OPENSSL_FIGURES = ['fig6_tls']
OURS_OPENSSL = 'ours-openssl'
OPENSSL_ROW_SUFFIX = ', ours on OpenSSL'


def openssl_available():
    return bool(glob.glob(os.path.join(REPO, 'build', 'lib-openssl', 'netty-tcnative-*.jar')))


def impl_command(name):
    """(argv prefix, extra environment) of an implementation."""
    if name == 'CPython 3':
        return [sys.executable], {}
    jython = os.path.join(REPO, 'bin', 'jython')
    if name == OURS_OPENSSL:
        return [jython], {'JNS_TLS_ENGINE': 'openssl'}
    return [jython], ({'JNS_STOCK': '1'} if name == 'stock' else {})


def child_env(extra):
    env = dict(os.environ)
    for var in ('PYTHONPATH', 'JYTHONPATH', 'JNS_LEAK_DETECTION', 'JNS_STOCK', 'JNS_NETTY',
                'JNS_TLS_ENGINE'):
        env.pop(var, None)
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    env['BENCH_PEER_PYTHON'] = sys.executable
    env.update(extra)
    return env


class Worker(object):
    """One implementation's long-lived measuring process (worker.py)."""

    def __init__(self, name, peer):
        self.name, self.peer = name, peer
        self.proc = None

    def start(self):
        argv, extra = impl_command(self.name)
        log = open(os.path.join(OUT, 'worker-%s.log' % self.name.replace(' ', '')), 'ab')
        self.proc = subprocess.Popen(argv + [os.path.join(BENCH, 'worker.py'), json.dumps(self.peer)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                     cwd=BENCH, env=child_env(extra))
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc, self.lines), daemon=True).start()

    @staticmethod
    def _pump(proc, lines):
        for line in proc.stdout:
            lines.put(line.decode('utf-8', 'replace'))
        lines.put(None)

    def run(self, module, row, seconds):
        """{'value': x} | {'na': text} | {'error': text}; restarts the worker after a hang."""
        return self.request({'module': module, 'row': row, 'seconds': seconds}, seconds)

    def ping(self):
        """Start the worker (if needed) and wait until it answers."""
        return self.request({'ping': True}, 0.0)

    def request(self, payload, seconds):
        if self.proc is None:
            self.start()
        request = json.dumps(payload) + '\n'
        try:
            self.proc.stdin.write(request.encode('ascii'))
            self.proc.stdin.flush()
        except OSError:
            self.stop()
            return {'error': 'worker died'}
        deadline = time.time() + REQUEST_TIMEOUT + seconds
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                self.stop()
                return {'error': 'timeout'}
            if line is None:
                self.stop()
                return {'error': 'worker died'}
            if line.startswith('RESULT '):
                return json.loads(line[len('RESULT '):])

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def start_peer():
    proc = subprocess.Popen([sys.executable, os.path.join(BENCH, 'peer.py')], stdout=subprocess.PIPE)
    return proc, json.loads(proc.stdout.readline())


# ---------------------------------------------------------------------------- figure 7

def run_timed(name, args, peer, timeout=120):
    """Run a fresh process of `name`; (stdout text, wall seconds, exit time)."""
    argv, extra = impl_command(name)
    env = child_env(dict(extra, BENCH_PEER=json.dumps(peer)))
    started = time.time()
    proc = subprocess.run(argv + [os.path.join(BENCH, 'fig7_resources.py')] + args, cwd=BENCH,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    ended = time.time()
    if proc.returncode != 0:
        raise RuntimeError('exit %d: %s' % (proc.returncode, proc.stderr.decode()[-300:]))
    return proc.stdout.decode(), ended - started, ended


RESOURCE_ROWS = [
    'threads added by import socket + 100 connections',
    'OS threads after import socket + 100 connections',
    'RSS after import socket + 100 connections, MB',
    'CPU while blocked 5 s in recv, ms',
    'CPU while blocked 5 s in select, ms',
    'last close to process exit, s',
    'import socket, select, ssl over bare start, s',
]


def resource_round(peer, order, results, notes, idle, import_pairs):
    """One round of figure 7 for every implementation."""
    probes = {}

    def probe(name):
        try:
            out, _, _ = run_timed(name, ['probe', str(idle)], peer, timeout=120 + 4 * idle)
            probes[name] = json.loads(out.strip().splitlines()[-1])
        except Exception as exc:
            probes[name] = {'error': str(exc)}
    # Concurrently: these figures are counts and CPU time, not speed.
    threads = [threading.Thread(target=probe, args=(name,)) for name in order]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in order:
        p = probes[name]
        add = lambda row, value: results[row][name].append(value)
        if 'error' in p:
            for row in RESOURCE_ROWS[:5]:
                results[row][name].append({'error': p['error']})
            continue
        add(RESOURCE_ROWS[0], {'value': p['threads'] - p['threads_before']})
        add(RESOURCE_ROWS[1], {'value': p['threads']})
        add(RESOURCE_ROWS[2], {'value': p['rss_mb']})
        add(RESOURCE_ROWS[3], {'value': p['idle_recv_cpu_ms']})
        add(RESOURCE_ROWS[4], {'value': p['idle_select_cpu_ms']})
    for name in order:   # one after the other: these are times
        try:
            out, _, ended = run_timed(name, ['exit'], peer)
            results[RESOURCE_ROWS[5]][name].append({'value': ended - float(out.split()[-1])})
        except Exception as exc:
            results[RESOURCE_ROWS[5]][name].append({'error': str(exc)})
        try:
            bare, full = [], []
            for _ in range(import_pairs):   # start-up times vary: medians of a few pairs
                bare.append(run_timed(name, ['bare'], peer)[1])
                out, seconds, _ = run_timed(name, ['imports'], peer)
                full.append(seconds)
            if 'no ssl' in out:
                notes.add('%s: `import ssl` failed, so its import row covers socket and select only'
                          % name)
            results[RESOURCE_ROWS[6]][name].append(
                {'value': statistics.median(full) - statistics.median(bare)})
        except Exception as exc:
            results[RESOURCE_ROWS[6]][name].append({'error': str(exc)})


# ---------------------------------------------------------------------------- the table

def summary(samples):
    """(median, spread %) of the numeric samples, or (None, text) when there are none."""
    values = [s['value'] for s in samples if 'value' in s]
    if not values:
        other = [s.get('na') or 'error: ' + s.get('error', '?') for s in samples]
        return None, (other[-1] if other else '-')
    med = statistics.median(values)
    spread = (max(values) - min(values)) / 2.0 / abs(med) * 100 if med else 0.0
    return med, spread


def fmt(value):
    if value is None:
        return '-'
    if abs(value) >= 100:
        return '{:,.0f}'.format(value)
    if abs(value) >= 10:
        return '%.1f' % value
    return '%.2f' % value if abs(value) >= 0.1 else '%.3f' % value


def lower_is_better(row):
    if 'MB/s' in row:     # a rate (', MB' is for sizes)
        return False
    return any(unit in row for unit in LOWER_IS_BETTER)


def target(row, med, table, spreads):
    """The issue's target for this row, judged: 'ok ...' or 'MISS ...' ('' when none).
    'worse than stock' only when the gap is larger than the bigger of the two spreads."""
    ours, cpy, stock = med.get('ours'), med.get('CPython 3'), med.get('stock')
    checks = []

    def ratio_at_least(limit):
        if ours is not None and cpy:
            checks.append(('>=%.1fx CPy3' % limit, ours / cpy >= limit))
    if row.startswith(('bulk', 'ping-pong', 'TLS')):
        ratio_at_least(0.5)
    elif row.startswith(('connect', 'select echo', 'poll echo')):
        ratio_at_least(0.3)
    elif row.startswith('select, 1,000') and ours is not None and cpy:
        checks.append(('<= CPy3', ours <= cpy))
    elif row.startswith(('poll, 5,000', 'epoll, 5,000')) and ours is not None:
        small = table.get(row.replace('5,000', '10'), {}).get('ours')
        if small:
            checks.append(('flat (5,000 <= 2x 10)', ours <= 2 * small))
    elif row.startswith('import') and ours is not None:
        checks.append(('<= 0.5 s', ours <= 0.5))
    elif row.startswith('CPU while') and ours is not None:
        checks.append(('~0 (<= 50 ms)', ours <= 50))
    elif row.startswith('threads added') and ours is not None:
        checks.append(('<= 4', ours <= 4))
    elif row.startswith('last close') and ours is not None:
        checks.append(('<= 0.5 s', ours <= 0.5))
    if ours is not None and stock is not None:
        margin = 1.0 + max(spreads.get('ours', 0.0), spreads.get('stock', 0.0)) / 100.0
        worse = ours > stock * margin if lower_is_better(row) else ours * margin < stock
        if worse:
            checks.append(('not worse than stock', False))
    if not checks:
        return ''
    missed = [text for text, good in checks if not good]
    return ('MISS ' + ', '.join(missed)) if missed else 'ok ' + checks[0][0]


def render(rows, results):
    medians, spreads = {}, {}
    for row in rows:
        summaries = {name: summary(results[row][name]) for name in IMPLS}
        medians[row] = {name: summaries[name][0] for name in IMPLS}
        spreads[row] = {name: summaries[name][1] for name in IMPLS
                        if summaries[name][0] is not None}
    header = ['figure'] + IMPLS + ['ours/CPy3', 'ours/stock', 'target']
    lines = []
    for row in rows:
        cells = [row]
        for name in IMPLS:
            med, spread = summary(results[row][name])
            cells.append(spread if med is None else '%s ±%.0f%%' % (fmt(med), spread))
        ours, cpy, stock = (medians[row][n] for n in ('ours', 'CPython 3', 'stock'))
        cells.append('%.2f' % (ours / cpy) if ours is not None and cpy else '-')
        cells.append('%.2f' % (ours / stock) if ours is not None and stock else '-')
        cells.append(target(row, medians[row], medians, spreads[row]))
        lines.append(cells)
    return '\n'.join(['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)] +
                     ['| ' + ' | '.join(cells) + ' |' for cells in lines])


def machine():
    model = '?'
    with open('/proc/cpuinfo') as info:
        for line in info:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    java = subprocess.run(['java', '-version'], stderr=subprocess.PIPE).stderr.decode()
    java = java.splitlines()[0] if java else '?'
    load = os.getloadavg()[0]
    return ('%s; nproc %d; %s; CPython %s; %s; load %.2f at start; %s'
            % (platform.node() or 'host', os.cpu_count(), model, platform.python_version(), java,
               load, time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true', help='under 3 minutes')
    parser.add_argument('--rounds', type=int)
    parser.add_argument('--seconds', type=float, help='measuring time of one row run')
    parser.add_argument('--warmup', type=float,
                        help='warm-up seconds per row and implementation (JVMs need seconds '
                             'of JIT before they reach their steady rate)')
    parser.add_argument('--only', help='comma-separated figure modules (fig7_resources too)')
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (0.2 if args.quick else 1.0)
    warmup = args.warmup if args.warmup is not None else (0.1 if args.quick else 2.0)
    resource_rounds = 1 if args.quick else 3
    only = args.only.split(',') if args.only else FIGURES + ['fig7_resources']
    os.makedirs(OUT, exist_ok=True)
    started = time.time()
    print('machine: ' + machine())
    print('mode: %s, %d rounds of %.1f s after a %.1f s warm-up (figure 7: %d round(s))'
          % ('quick' if args.quick else 'full', rounds, seconds, warmup, resource_rounds))
    sys.stdout.flush()

    peer_proc, peer = start_peer()
    workers = {name: Worker(name, peer) for name in IMPLS}
    with_openssl = openssl_available() and any(m in only for m in OPENSSL_FIGURES)
    if with_openssl:
        workers[OURS_OPENSSL] = Worker(OURS_OPENSSL, peer)
    rows, results, notes = [], {}, set()
    try:
        if any(m in only for m in FIGURES):
            for worker in workers.values():   # the JVMs start in parallel
                worker.start()
            for worker in workers.values():
                worker.ping()
        plan = []
        for module_name in [m for m in FIGURES if m in only]:
            module = __import__(module_name)
            variants = [('', {})]
            if with_openssl and module_name in OPENSSL_FIGURES:
                variants.append((OPENSSL_ROW_SUFFIX, {'ours': OURS_OPENSSL}))
            for suffix, swap in variants:
                for index, (row, _) in enumerate(module.ROWS):
                    plan.append((module_name, index, row + suffix, swap))
                    rows.append(row + suffix)
                    results[row + suffix] = {name: [] for name in IMPLS}
        for module_name, index, row, swap in plan:
            for name in IMPLS:
                workers[swap.get(name, name)].run(module_name, index, warmup)
            for r in range(rounds):
                order = IMPLS[r % 3:] + IMPLS[:r % 3]
                for name in order:
                    results[row][name].append(
                        workers[swap.get(name, name)].run(module_name, index, seconds))
            print('  %-48s done (%.0f s)' % (row, time.time() - started))
            sys.stdout.flush()
        for worker in workers.values():
            worker.stop()
        if 'fig7_resources' in only:
            for row in RESOURCE_ROWS:
                rows.append(row)
                results[row] = {name: [] for name in IMPLS}
            for r in range(resource_rounds):
                resource_round(peer, IMPLS[r % 3:] + IMPLS[:r % 3], results, notes, 5.0,
                               1 if args.quick else 3)
            print('  %-48s done (%.0f s)' % ('figure 7 (resources)', time.time() - started))
    finally:
        for worker in workers.values():
            worker.stop()
        peer_proc.kill()
        peer_proc.wait()

    table = render(rows, results)
    print()
    print(table)
    for note in sorted(notes):
        print('note: ' + note)
    print('(%.0f s)' % (time.time() - started))
    with open(os.path.join(OUT, 'last-table.txt'), 'w') as out:
        out.write('machine: %s\n\n%s\n' % (machine(), table))
    with open(os.path.join(OUT, 'results.json'), 'w') as out:
        json.dump(results, out, indent=1)


if __name__ == '__main__':
    main()
