"""The measuring process: one per implementation, kept alive for the whole run (warm JIT).

    <python> worker.py '<peer ports as JSON>'

Reads one JSON request per line on stdin, {"module": "fig1_bulk", "row": 0, "seconds": 0.5}
(or {"ping": true}, answered once the worker is up),
runs that row (calling the previous figure's `release()`, if it has one, when the figure
changes) and answers with one line "RESULT <json>": {"value": number}, {"na": text}
or {"error": text}.  Anything else on stdout is ignored by the driver.
"""
from __future__ import print_function

import json
import sys
import traceback

import common

try:
    from java.lang import Throwable as JavaThrowable   # Jython: not an Exception subclass
except ImportError:
    JavaThrowable = Exception


def answer(payload):
    sys.stdout.write('RESULT ' + json.dumps(payload) + '\n')
    sys.stdout.flush()


def main():
    peer = json.loads(sys.argv[1])
    modules = {}
    current = None
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        request = json.loads(line)
        if request.get('ping'):
            answer({'value': 0})   # started and imported: ready
            continue
        try:
            name = str(request['module'])
            if name not in modules:
                modules[name] = __import__(name)
            if current not in (None, name) and hasattr(modules[current], 'release'):
                modules[current].release()   # e.g. figure 4's thousands of connections
            current = name
            func = modules[name].ROWS[request['row']][1]
            answer({'value': func(peer, request['seconds'])})
        except common.NotAvailable as exc:
            answer({'na': str(exc)})
        except (Exception, JavaThrowable) as exc:
            traceback.print_exc()
            answer({'error': '%s: %s' % (type(exc).__name__, exc)})


if __name__ == '__main__':
    main()
