# The line protocol of internal/peers for Autobahn|Python peer scripts on
# Twisted, so that a script holds only its scenarios. A script in
# interop/<pkg>/testdata imports it with
#   sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'testdata'))
#   from twisted_peer import ...
# and ends with run_scenarios(SCENARIOS, specs).
#
# Output, one JSON object per line: {"s": id, "k": key, "v": value},
# {"s": id, "done": true}, {"s": id, "fail": traceback}, {"end": true},
# {"fatal": message}; bytes in values become {"$bytes": hex}.

import json
import os
import sys
import time
import traceback

import txaio

txaio.use_twisted()

from twisted.internet import reactor, task
from twisted.internet.defer import DeferredList, inlineCallbacks


def emit(obj):
    print(json.dumps(obj, sort_keys=True), file=sys.__stdout__, flush=True)


def norm(v):
    if isinstance(v, (bytes, bytearray)):
        return {'$bytes': bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {str(k): norm(x) for k, x in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return {'$repr': repr(v)}


def sleep(seconds):
    return task.deferLater(reactor, seconds, lambda: None)


@inlineCallbacks
def until(cond, timeout):
    """Polls cond every 10 ms; True once it holds, False after timeout s."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        yield sleep(0.01)
    return True


class Scenario(object):
    """What a scenario function gets: its spec, out() to report, and
    cleanups run when it ends (functions returning a Deferred or None)."""

    def __init__(self, spec):
        self.spec, self.id = spec, spec['id']
        self.cleanups = []

    def out(self, k, v):
        emit({'s': self.id, 'k': k, 'v': norm(v)})


@inlineCallbacks
def _run(scenarios, spec, timeout):
    c = Scenario(spec)
    try:
        yield scenarios[spec['kind']](c).addTimeout(timeout, reactor)
        emit({'s': c.id, 'done': True})
    except Exception:
        emit({'s': c.id, 'fail': traceback.format_exc()})
    for f in reversed(c.cleanups):
        try:
            yield f()
        except Exception:
            pass


def run_scenarios(scenarios, specs, scenario_timeout=20, process_timeout=30):
    """Runs every spec ({"id", "kind", ...}) with scenarios[kind]
    concurrently, prints the end line and stops; gives up with a fatal line
    after process_timeout s."""

    @inlineCallbacks
    def main():
        yield DeferredList([_run(scenarios, spec, scenario_timeout) for spec in specs], consumeErrors=True)
        emit({'end': True})

    def fatal():
        emit({'fatal': 'python process still running after %d s' % process_timeout})
        sys.__stdout__.flush()
        os._exit(2)

    reactor.callLater(process_timeout, fatal)
    reactor.callWhenRunning(lambda: main().addBoth(lambda _: reactor.callLater(0.1, reactor.stop)))
    reactor.run()
