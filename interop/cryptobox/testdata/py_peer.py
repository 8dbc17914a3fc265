# Autobahn|Python 22.7.1 (Twisted) sessions with WAMP-cryptobox
# (autobahn.wamp.cryptobox.KeyRing, PyNaCl) against Go sessions with package
# payloadcodec/cryptobox, through the embedded router: cryptobox_test.go
# runs it. The scenarios run concurrently, one session each (two for
# "publisher").
#
# Argument: a JSON object
#   {"url": WebSocket URL, "realm": realm, "marker": text to put in payloads,
#    "keys": {"orig_priv", "orig_pub", "resp_priv", "resp_pub", "wrong_priv"} (base64),
#    "scenarios": [{"id", "kind"}]}
# Output: the line protocol of internal/peers (interop/testdata/twisted_peer.py).
#
# Kinds (URIs under com.box. are encrypted, org.plain. are not):
#   callee        responder keys for com.box.py.: registers com.box.py.echo
#                 (returns its arguments), com.box.py.fail (raises
#                 com.box.py.error.oops with the marker) and org.plain.py.finish;
#                 reports "ready", then, once finish is called, "invocations"
#   subscriber    responder keys for com.box.py.: subscribes com.box.py.news;
#                 reports "ready", then, once ["end"] arrived, "events"
#   caller        originator keys for com.box.go.: calls com.box.go.echo and
#                 com.box.go.fail; reports "result" and "error"
#   wrong_caller  another originator key for com.box.go.: calls com.box.go.echo
#                 ("error"), then org.plain.go.echo in the clear ("plain")
#   publisher     originator keys for com.box.go.: publishes [marker, i] for
#                 i < 3 to com.box.go.news, then a session with another key
#                 publishes ["wrong"], then the first ["end"] (all acknowledged)

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'testdata'))
from twisted_peer import run_scenarios, sleep, until  # noqa: E402 (sets up txaio for Twisted)

import txaio  # noqa: E402

txaio.start_logging(out=sys.__stderr__, level='warn')

from twisted.internet import reactor  # noqa: E402
from twisted.internet.defer import Deferred, inlineCallbacks  # noqa: E402

from autobahn.twisted.component import Component  # noqa: E402
from autobahn.wamp.cryptobox import Key, KeyRing  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import CallResult, PublishOptions  # noqa: E402

CFG = json.loads(sys.argv[1])
KEYS = CFG['keys']
MARKER = CFG['marker']
SCENARIO_TIMEOUT = 20
BLOB = bytes([0, 1, 2, 0xfe, 0xff])


def originator_ring(priv):
    ring = KeyRing()
    ring.set_key('com.box.go.', Key(originator_priv=priv, responder_pub=KEYS['resp_pub']))
    return ring


def responder_ring():
    ring = KeyRing()
    ring.set_key('com.box.py.', Key(responder_priv=KEYS['resp_priv'], originator_pub=KEYS['orig_pub']))
    return ring


@inlineCallbacks
def session(c, ring):
    """Joins a session with the payload codec ring; it leaves when scenario
    c ends."""
    joined = Deferred()
    comp = Component(transports=[{'type': 'websocket', 'url': CFG['url'], 'serializers': ['json'], 'max_retries': 0}],
                     realm=CFG['realm'])

    def on_join(session, details):
        session.set_payload_codec(ring)
        if not joined.called:
            joined.callback(session)

    comp.on('join', on_join)
    done = comp.start(reactor)
    done.addErrback(lambda f: joined.called or joined.errback(f))
    c.cleanups.append(lambda: comp.stop().addTimeout(3, reactor))
    s = yield joined.addTimeout(10, reactor)
    return s


def error_of(e):
    return {'error': e.error, 'args': list(e.args)}


@inlineCallbacks
def callee(c):
    s = yield session(c, responder_ring())
    invocations = []
    finished = []

    def echo(*args, **kwargs):
        invocations.append({'args': list(args), 'kwargs': kwargs})
        return CallResult(*args, **kwargs)

    def fail(*args, **kwargs):
        raise ApplicationError('com.box.py.error.oops', MARKER, 'from python')

    yield s.register(echo, 'com.box.py.echo')
    yield s.register(fail, 'com.box.py.fail')
    yield s.register(lambda *a: finished.append(a), 'org.plain.py.finish')
    c.out('ready', True)
    yield until(lambda: finished, SCENARIO_TIMEOUT - 2)
    c.out('invocations', invocations)
    c.out('finish', list(finished[0]) if finished else None)


@inlineCallbacks
def subscriber(c):
    s = yield session(c, responder_ring())
    events = []
    yield s.subscribe(lambda *args, **kwargs: events.append({'args': list(args), 'kwargs': kwargs}), 'com.box.py.news')
    c.out('ready', True)
    yield until(lambda: events and events[-1]['args'] == ['end'], SCENARIO_TIMEOUT - 2)
    yield sleep(0.1)
    c.out('events', events)


@inlineCallbacks
def caller(c):
    s = yield session(c, originator_ring(KEYS['orig_priv']))
    res = yield s.call('com.box.go.echo', MARKER, BLOB, 23, k=MARKER)
    if isinstance(res, CallResult):
        c.out('result', {'args': list(res.results), 'kwargs': res.kwresults})
    else:
        c.out('result', {'args': [res], 'kwargs': {}})
    try:
        yield s.call('com.box.go.fail', MARKER)
        c.out('error', None)
    except ApplicationError as e:
        c.out('error', error_of(e))


@inlineCallbacks
def wrong_caller(c):
    s = yield session(c, originator_ring(KEYS['wrong_priv']))
    try:
        res = yield s.call('com.box.go.echo', MARKER)
        c.out('error', {'result': res})
    except ApplicationError as e:
        c.out('error', error_of(e))
    res = yield s.call('org.plain.go.echo', 'clear')
    c.out('plain', res)


@inlineCallbacks
def publisher(c):
    s = yield session(c, originator_ring(KEYS['orig_priv']))
    wrong = yield session(c, originator_ring(KEYS['wrong_priv']))
    ack = PublishOptions(acknowledge=True)
    for i in range(3):
        yield s.publish('com.box.go.news', MARKER, i, options=ack)
    yield wrong.publish('com.box.go.news', 'wrong', options=ack)
    yield s.publish('com.box.go.news', 'end', options=ack)
    c.out('published', 5)


SCENARIOS = {'callee': callee, 'subscriber': subscriber, 'caller': caller,
             'wrong_caller': wrong_caller, 'publisher': publisher}


run_scenarios(SCENARIOS, CFG['scenarios'], SCENARIO_TIMEOUT)
