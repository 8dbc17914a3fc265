# Autobahn|Python 22.7.1 (Twisted) peers of the Go client (package wamp),
# which client_test.go runs against an embedded router. One process runs a
# batch of scenarios concurrently; each opens its own sessions on its own
# transport and serializer and uses its own URI prefix.
#
# Argument: a JSON object
#   {"ws": WebSocket URL, "rs": RawSocket URL, "realm": realm,
#    "scenarios": [{"id", "kind", "prefix", "transport", "serializer", ...}]}
# Values in it may be {"$bytes": hex}: they become bytes.
# Output, one JSON object per line:
#   {"s": id, "k": key, "v": value}   a result the Go test waits for / asserts on
#   {"s": id, "done": true}           the scenario finished
#   {"s": id, "fail": traceback}      the scenario broke (or timed out)
#   {"end": true}                     every scenario ended
#   {"fatal": message}                the process gave up (fail-safe)
# Bytes in values become {"$bytes": hex}.
#
# Kinds (see client_test.go for the Go side of each):
#   caller      calls the Go callee: spec "calls" [{label, proc, args, kwargs,
#               progress, timeout (ms), cancel_after (ms), disclose_me,
#               parallel (n calls at once, args [i])}]; one result per label
#   callee      registers P.echo, P.describe, P.bytes, P.fail, P.progress,
#               P.who, P.hang, P.finish; reports "ready", then "invoked.<label>" and
#               "canceled.<label>" of P.hang; ends when P.finish is called
#   publisher   publishes "count" events [i] {"i": i} with disclose_me, then
#               ["bytes", DATA] {"blob": DATA} and ["anon"] without, then an
#               acknowledged ["end"]; reports "session" and "published"
#   subscriber  sessions "labels" subscribe to P.t; reports "ready" (their IDs
#               and authids), then, once each got ["end"], "events"

import json
import os
import sys
import time

# The line protocol and the scenario runner (it sets up txaio for Twisted).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'testdata'))
from twisted_peer import Peer as BasePeer  # noqa: E402
from twisted_peer import (SCENARIOS, PeerScenario, bounded,  # noqa: E402
                          run_scenarios, scenario, sleep, until, with_options)

import txaio  # noqa: E402

txaio.start_logging(out=sys.__stderr__, level='warn')

from twisted.internet import reactor  # noqa: E402
from twisted.internet.defer import Deferred, DeferredList, inlineCallbacks  # noqa: E402

from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import (CallOptions, CallResult, PublishOptions,  # noqa: E402
                                 RegisterOptions, SubscribeOptions)

CFG = json.loads(sys.argv[1])
SCENARIO_TIMEOUT = 30
PROCESS_TIMEOUT = 45

DATA = bytes([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0]) + '\u00e9\u2713'.encode('utf8') + b'\x00end'


def denorm(v):
    if isinstance(v, dict):
        if set(v) == {'$bytes'}:
            return bytes.fromhex(v['$bytes'])
        return {k: denorm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [denorm(x) for x in v]
    return v


def typename(v):
    return type(v).__name__


class Peer(BasePeer):
    def __init__(self, transport, serializer):
        BasePeer.__init__(self, CFG, transport, serializer)
        self.extra = {}  # message class -> options added to every such message

    def on_send(self, msg):
        for cls, extra in self.extra.items():
            if isinstance(msg, cls):
                with_options(msg, extra)

    def identity(self):
        return {'session': self.details.session, 'authid': self.details.authid, 'authrole': self.details.authrole}


class Ctx(PeerScenario):
    def peer(self):
        """Opens a session on the scenario's transport and serializer."""
        return self.open_peer(Peer(self.spec['transport'], self.spec['serializer']))


def outcome_of_error(e):
    if isinstance(e, ApplicationError):
        return {'error': e.error, 'args': list(e.args), 'kwargs': e.kwargs or {}}
    return {'exception': type(e).__name__}


def outcome_of_result(r):
    if isinstance(r, CallResult):
        return {'args': list(r.results), 'kwargs': r.kwresults}
    if r is None:
        return {'args': [], 'kwargs': {}}
    return {'args': [r], 'kwargs': {}}


@inlineCallbacks
def call(c, p, spec, args):
    progress = []
    opts = {}
    if spec.get('progress'):
        opts['on_progress'] = lambda *a, **kw: progress.append({'args': list(a), 'kwargs': kw})
    if spec.get('timeout'):
        opts['timeout'] = spec['timeout']  # sent as is: milliseconds on the wire
    if spec.get('disclose_me'):
        p.extra[message.Call] = {'disclose_me': True}
    t0 = time.monotonic()
    d = p.session.call(c.p + spec['proc'], *args, options=CallOptions(**opts) if opts else None,
                       **denorm(spec.get('kwargs') or {}))
    p.extra.pop(message.Call, None)
    if spec.get('cancel_after'):
        reactor.callLater(spec['cancel_after'] / 1000.0, d.cancel)
    try:
        r = yield bounded(d, 10)
        o = outcome_of_result(r)
    except Exception as e:
        o = outcome_of_error(e)
    o['elapsed_ms'] = int((time.monotonic() - t0) * 1000)
    if spec.get('progress'):
        o['progress'] = progress
    return o


@scenario
def caller(c):
    p = yield c.peer()
    c.out('session', p.identity())
    for spec in c.spec['calls']:
        if spec.get('parallel'):
            # that many calls at once, with args [i]
            res = yield DeferredList([call(c, p, spec, [i]) for i in range(spec['parallel'])], fireOnOneErrback=True)
            o = [r for _, r in res]
            for r in o:
                del r['elapsed_ms']
        else:
            o = yield call(c, p, spec, denorm(spec.get('args') or []))
        c.out(spec['label'], o)


@scenario
def callee(c):
    p = yield c.peer()
    finished = Deferred()

    def echo(*args, **kwargs):
        return CallResult(*args, **kwargs)

    def describe(*args, **kwargs):
        return CallResult(*[typename(a) for a in args], **{k: typename(v) for k, v in kwargs.items()})

    def data(got=None, blob=None):
        return CallResult(DATA, DATA[::-1], blob=DATA, got=[typename(got), got == DATA, typename(blob), blob == DATA])

    def fail(*args):
        raise ApplicationError('com.example.oops', 'bad', 1, why='test', got=list(args))

    @inlineCallbacks
    def progress(n, delay_ms=10, details=None):
        if details.progress is None:
            return 'no progress requested'
        for i in range(1, n + 1):
            details.progress(i, step='p%d' % i)
            if delay_ms:
                yield sleep(delay_ms / 1000.0)
        return CallResult('done', n, last=True)

    def hang(label):
        c.out('invoked.' + label, True)

        def canceled(_):
            interrupts = [{'mode': m.mode, 'reason': m.reason} for m in p.received if isinstance(m, message.Interrupt)]
            c.out('canceled.' + label, {'interrupts': interrupts})

        return Deferred(canceled)

    def who(details=None):
        return CallResult(details.caller, details.caller_authid, details.caller_authrole)

    def finish():
        reactor.callLater(0.05, lambda: finished.called or finished.callback(None))
        return 'bye'

    for name, fn, opts in (('echo', echo, None), ('describe', describe, None), ('bytes', data, None),
                           ('fail', fail, None), ('progress', progress, RegisterOptions(details=True)),
                           ('who', who, RegisterOptions(details=True)), ('hang', hang, None),
                           ('finish', finish, None)):
        yield p.session.register(fn, c.p + '.' + name, options=opts)
    c.out('ready', p.identity())
    yield finished


@scenario
def publisher(c):
    p = yield c.peer()
    c.out('session', p.identity())
    topic = c.p + '.t'
    p.extra[message.Publish] = {'disclose_me': True}
    for i in range(c.spec['count']):
        p.session.publish(topic, i, i=i)
    del p.extra[message.Publish]
    p.session.publish(topic, 'bytes', DATA, blob=DATA)
    p.session.publish(topic, 'anon')
    pub = yield p.session.publish(topic, 'end', options=PublishOptions(acknowledge=True))
    c.out('published', pub.id)


def event_handler(events):
    def on_event(*args, **kwargs):
        details = kwargs.pop('details')
        events.append({'args': list(args), 'kwargs': kwargs, 'publication': details.publication,
                       'publisher': details.publisher})
    return on_event


@scenario
def subscriber(c):
    got = {}
    ready = {}
    for label in c.spec['labels']:
        p = yield c.peer()
        got[label] = []
        yield p.session.subscribe(event_handler(got[label]), c.p + '.t', options=SubscribeOptions(details=True))
        ready[label] = p.identity()
    c.out('ready', ready)

    def all_ended():
        return all(e and e[-1]['args'][:1] == ['end'] for e in got.values())

    ok = yield until(all_ended, 20)
    yield sleep(0.1)  # anything after "end" would show
    c.out('events', got)
    if not ok:
        raise Exception('not every subscriber got "end"')


run_scenarios(SCENARIOS, CFG['scenarios'], SCENARIO_TIMEOUT, PROCESS_TIMEOUT, context=Ctx)
