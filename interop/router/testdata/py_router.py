# Autobahn|Python 22.7.1 (Twisted) peers that python_test.go runs against
# "autobahn serve". One process runs a batch of scenarios concurrently; each
# scenario opens its own sessions and uses its own URI prefix.
#
# Argument: a JSON object
#   {"ws": WebSocket URL, "rs": RawSocket URL, "realm": realm,
#    "scenarios": [{"id": name, "kind": scenario function, "prefix": URI prefix, ...parameters}]}
# Output on the real stdout, one JSON object per line:
#   {"s": id, "k": key, "v": value}   a result the Go test asserts on
#   {"s": id, "done": true}           the scenario finished
#   {"s": id, "fail": traceback}      the scenario broke (or timed out)
#   {"end": true}                     every scenario ended; the process exits 0
#   {"fatal": message}                the process gave up (global fail-safe)
# Values are normalized for exact comparison in Go: bytes become
# {"$bytes": hex}, tuples become lists.

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

# Twisted's logging redirects sys.stdout: results go to the real stdout.
txaio.start_logging(out=sys.__stderr__, level='warn')

from twisted.internet import reactor  # noqa: E402
from twisted.internet.defer import Deferred, inlineCallbacks  # noqa: E402

from autobahn.twisted.websocket import WampWebSocketClientFactory, connectWS  # noqa: E402
from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.serializer import create_transport_serializer  # noqa: E402
from autobahn.wamp.types import (CallOptions, CallResult, ComponentConfig,  # noqa: E402
                                 PublishOptions, RegisterOptions,
                                 SubscribeOptions)

CFG = json.loads(sys.argv[1])

# Per scenario, and for the whole process (a fail-safe: nothing may hang).
SCENARIO_TIMEOUT = 20
PROCESS_TIMEOUT = 30


# WELCOME details as sent, by session ID (Autobahn keeps only the role
# features it knows).
WELCOMES = {}
_welcome_parse = message.Welcome.parse


def _record_welcome(wmsg):
    try:
        WELCOMES[wmsg[1]] = wmsg[2]
    except Exception:
        pass
    return _welcome_parse(wmsg)


message.Welcome.parse = staticmethod(_record_welcome)


class Peer(BasePeer):
    """One Autobahn session on a transport and serializer; it also records
    what it sends, and patch_next changes the next message of a class."""

    def __init__(self, ctx, name, transport, serializer):
        BasePeer.__init__(self, CFG, transport, serializer)
        self.ctx, self.name = ctx, name
        self.sent = []  # messages to the router, after join
        self.patches = []  # (message class, function) applied to the next such message

    def start(self, factory, on_join):
        if not self.serializer.endswith('.batched'):
            return BasePeer.start(self, factory, on_join)
        # Component refuses batched serializers: a plain WAMP-over-WebSocket
        # client factory takes them.
        done = Deferred()

        def batched_factory():
            s = factory(ComponentConfig(realm=CFG['realm']))
            s.on('join', on_join)
            s.on('disconnect', lambda *a, **kw: done.called or done.callback(None))
            return s

        f = WampWebSocketClientFactory(batched_factory, url=CFG['ws'],
                                       serializers=[create_transport_serializer(self.serializer)])
        connectWS(f)
        return done

    def on_send(self, msg):
        for i, (cls, fn) in enumerate(self.patches):
            if isinstance(msg, cls):
                del self.patches[i]
                fn(msg)
                break
        self.sent.append(msg)

    @property
    def id(self):
        return self.details.session

    def patch_next(self, cls, fn):
        self.patches.append((cls, fn))

    def protocol(self):
        t = self.session._transport
        if self.transport == 'ws':
            return t.websocket_protocol_in_use
        return t._serializer.SERIALIZER_ID

    def welcome(self):
        d = self.details
        return {'session': d.session, 'realm': d.realm, 'authid': d.authid, 'authrole': d.authrole,
                'authmethod': d.authmethod, 'authprovider': d.authprovider,
                'details': WELCOMES.get(d.session)}

    def got(self, cls, cond=None):
        return [m for m in self.received if isinstance(m, cls) and (cond is None or cond(m))]


class Ctx(PeerScenario):
    def other(self, v):
        # Marked, so that Go tells a CallResult (several values or
        # keywords) from a single value.
        if isinstance(v, CallResult):
            return {'$callresult': True, 'args': v.results, 'kwargs': v.kwresults}
        return None

    def peer(self, name, transport='ws', serializer='json'):
        return self.open_peer(Peer(self, name, transport, serializer))


def error_of(e):
    if isinstance(e, ApplicationError):
        return {'error': e.error, 'args': list(e.args)}
    return {'exception': type(e).__name__}


@inlineCallbacks
def attempt(d):
    """The result of Deferred d, or its error as {"error": uri} /
    {"exception": class}."""
    try:
        r = yield d
        return {'result': r}
    except Exception as e:
        return error_of(e)


def event_handler(store, label=None):
    def on_event(*args, **kwargs):
        details = kwargs.pop('details', None)
        store.append({'label': label, 'args': list(args), 'kwargs': kwargs,
                      'publication': details.publication, 'topic': details.topic,
                      'publisher': details.publisher, 'publisher_authid': details.publisher_authid,
                      'publisher_authrole': details.publisher_authrole,
                      'retained': details.retained})
    return on_event


DETAILS = SubscribeOptions(details=True)

ARGS = [1, -42, 2 ** 53, 3.5, 'two \u00e9 \u2713 \u65e5\u672c', True, None,
        [1, [2, {'x': 'y'}]], {'k': 'v'}, '', []]
# (A keyword argument named "f" breaks Autobahn's callee and subscriber:
# txaio passes keyword arguments on to Twisted's maybeDeferred(f, ...).)
KWARGS = {'a': 1, 'b': '\u00fc', 'nested': {'list': [1, 2, 3], 'empty': {}, 'none': None}, 'flt': -0.25}

DATA = bytes([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0]) + '\u00e9\u2713'.encode('utf8') + b'\x00end'


# 1. One serializer: RPC with args/kwargs and an event, two sessions.
@scenario
def serializer(c):
    t, ser = c.spec['transport'], c.spec['serializer']
    a = yield c.peer('a', t, ser)
    b = yield c.peer('b', t, ser)
    c.out('protocol', [a.protocol(), b.protocol()])
    c.out('welcome', a.welcome())

    def echo(*args, **kwargs):
        return CallResult(*reversed(args), **{'r_' + k: v for k, v in kwargs.items()})

    yield a.session.register(echo, c.p + '.echo')
    res = yield b.session.call(c.p + '.echo', *ARGS, **KWARGS)
    c.out('call', res)
    c.out('call_types', [type(x).__name__ for x in res.results])
    one = yield b.session.call(c.p + '.echo', 'single')
    c.out('call_single', one)

    events = []
    yield a.session.subscribe(event_handler(events), c.p + '.topic', options=DETAILS)
    pub = yield b.session.publish(c.p + '.topic', *ARGS, options=PublishOptions(acknowledge=True), **KWARGS)
    c.out('published', pub.id)
    yield until(lambda: events, 5)
    c.out('events', events)
    if events:
        c.out('event_types', [type(x).__name__ for x in events[0]['args']])


# 2. Bytes across serializers, RPC: the caller sends bytes, the callee
# returns them.
@scenario
def bytes_rpc(c):
    callee = yield c.peer('callee', *c.spec['callee'])
    caller = yield c.peer('caller', *c.spec['caller'])
    seen = []

    def proc(data, blob=None):
        seen.append({'arg': data, 'kwarg': blob})
        return CallResult(data, data[::-1], blob=data)

    yield callee.session.register(proc, c.p + '.bytes')
    res = yield caller.session.call(c.p + '.bytes', DATA, blob=DATA)
    c.out('callee_got', seen)
    c.out('caller_got', res)


# 2. Bytes across serializers, PubSub.
@scenario
def bytes_pubsub(c):
    pub = yield c.peer('publisher', *c.spec['publisher'])
    sub = yield c.peer('subscriber', *c.spec['subscriber'])
    events = []
    yield sub.session.subscribe(event_handler(events), c.p + '.bytes', options=DETAILS)
    yield pub.session.publish(c.p + '.bytes', DATA, [DATA], blob=DATA, options=PublishOptions(acknowledge=True))
    yield until(lambda: events, 5)
    c.out('events', [{'args': e['args'], 'kwargs': e['kwargs']} for e in events])


# 3. Progressive call results.
@scenario
def progressive(c):
    callee = yield c.peer('callee', 'ws', 'cbor')
    caller = yield c.peer('caller', 'rs', 'msgpack')
    flags = []

    @inlineCallbacks
    def longop(n, delay, details=None):
        flags.append(details.progress is not None)
        if details.progress is not None:
            for i in range(1, n + 1):
                details.progress(i, step='p%d' % i)
                if delay:
                    yield sleep(delay)
        return 'final %d' % n

    yield callee.session.register(longop, c.p + '.longop', options=RegisterOptions(details=True))
    for name, delay in (('spaced', 0.05), ('burst', 0)):
        seq = []

        def on_progress(*args, **kwargs):
            seq.append({'progress': list(args), 'kwargs': kwargs})

        res = yield caller.session.call(c.p + '.longop', 3, delay, options=CallOptions(on_progress=on_progress))
        seq.append({'result': res})
        c.out(name, seq)
    res = yield caller.session.call(c.p + '.longop', 3, 0)
    c.out('plain', res)
    c.out('callee_progress_callable', flags)


# 4. Call cancel. mode: None (what Autobahn sends), or a mode set on the
# CANCEL on the wire.
@scenario
def cancel(c):
    mode = c.spec.get('mode')
    callee = yield c.peer('callee', 'rs', 'cbor')
    caller = yield c.peer('caller', 'ws', 'json')
    started = Deferred()
    callee_events = []

    def slow():
        d = Deferred(lambda _: callee_events.append('canceled'))
        callee_events.append('invoked')
        if mode == 'skip':
            reactor.callLater(0.3, lambda: d.called or d.callback('late result'))
        if not started.called:
            started.callback(None)
        return d

    yield callee.session.register(slow, c.p + '.slow')
    if mode:
        def set_mode(msg):
            msg.mode = mode
        caller.patch_next(message.Cancel, set_mode)
    d = caller.session.call(c.p + '.slow')
    yield bounded(started, 5)
    d.cancel()
    c.out('caller', (yield attempt(d)))
    yield until(lambda: caller.got(message.Error, lambda m: m.request_type == message.Call.MESSAGE_TYPE), 5)
    if mode != 'skip':
        yield until(lambda: 'canceled' in callee_events, 5)
    # late answers
    yield sleep(0.6 if mode == 'skip' else 0.3)
    c.out('cancel_sent', [{'mode': m.mode} for m in caller.sent if isinstance(m, message.Cancel)])
    c.out('caller_errors', [{'error': m.error, 'args': m.args}
                            for m in caller.got(message.Error, lambda m: m.request_type == message.Call.MESSAGE_TYPE)])
    c.out('caller_results', [m.args for m in caller.got(message.Result)])
    c.out('interrupts', [{'mode': m.mode, 'reason': m.reason} for m in callee.got(message.Interrupt)])
    c.out('callee', callee_events)
    c.out('callee_sent', [{'type': type(m).__name__, 'error': getattr(m, 'error', None)}
                          for m in callee.sent if isinstance(m, (message.Error, message.Yield))])
    # the session goes on
    yield callee.session.register(lambda: 'alive', c.p + '.alive')
    c.out('after', (yield caller.session.call(c.p + '.alive')))


# 5. Call timeout (CallOptions.timeout is sent as is: milliseconds).
@scenario
def timeout(c):
    callee = yield c.peer('callee', 'ws', 'msgpack')
    caller = yield c.peer('caller', 'rs', 'json')
    callee_events = []

    def never():
        callee_events.append('invoked')
        return Deferred(lambda _: callee_events.append('canceled'))

    yield callee.session.register(never, c.p + '.never')
    yield callee.session.register(lambda: 'fast', c.p + '.fast')
    t0 = time.monotonic()
    r = yield attempt(caller.session.call(c.p + '.never', options=CallOptions(timeout=c.spec['timeout_ms'])))
    r['elapsed'] = time.monotonic() - t0
    c.out('caller', r)
    yield until(lambda: 'canceled' in callee_events, 3)
    c.out('interrupts', [{'mode': m.mode, 'reason': m.reason} for m in callee.got(message.Interrupt)])
    c.out('callee', callee_events)
    c.out('fast', (yield attempt(caller.session.call(c.p + '.fast', options=CallOptions(timeout=5000)))))
    c.out('call_options', [m.marshal()[2] for m in caller.sent if isinstance(m, message.Call)])


# 6. Pattern-based registrations.
@scenario
def pattern_registrations(c):
    callee = yield c.peer('callee', 'ws', 'cbor')
    caller = yield c.peer('caller', 'ws', 'json')

    def make(label):
        def proc(*args, **kwargs):
            details = kwargs.pop('details')
            return {'label': label, 'procedure': details.procedure, 'args': list(args)}
        return proc

    regs = [('exact', '.a.b.c', 'exact'), ('prefix_ab', '.a.b', 'prefix'), ('prefix_a', '.a', 'prefix'),
            ('wildcard_ac', '.a..c', 'wildcard'), ('wildcard_xz', '.x..z', 'wildcard')]
    for label, suffix, match in regs:
        yield callee.session.register(make(label), c.p + suffix,
                                      options=RegisterOptions(match=match, details=True))
    results = {}
    for suffix in ('.a.b.c', '.a.b.d', '.a.b', '.a.x', '.a.z.c', '.x.y.z', '.x.y.w.z', '.q'):
        results[suffix] = yield attempt(caller.session.call(c.p + suffix, suffix))
    c.out('calls', results)


# 6. Pattern-based subscriptions.
@scenario
def pattern_subscriptions(c):
    sub = yield c.peer('subscriber', 'rs', 'msgpack')
    pub = yield c.peer('publisher', 'ws', 'ubjson')
    events = []
    for label, suffix, match in (('exact', '.news.world', 'exact'), ('prefix', '.news', 'prefix'),
                                 ('wildcard', '..sports', 'wildcard'), ('fence', '.fence', 'exact')):
        yield sub.session.subscribe(event_handler(events, label), c.p + suffix,
                                    options=SubscribeOptions(match=match, details=True))
    for suffix in ('.news.world', '.news.tech', '.uk.sports', '.news.sports', '.other', '.uk.sports.x'):
        yield pub.session.publish(c.p + suffix, suffix, options=PublishOptions(acknowledge=True))
    yield pub.session.publish(c.p + '.fence', '.fence', options=PublishOptions(acknowledge=True))
    yield until(lambda: any(e['label'] == 'fence' for e in events), 5)
    yield sleep(0.2)
    c.out('events', [{'label': e['label'], 'arg': e['args'][0], 'topic': e['topic']} for e in events])


# 7. Shared registrations, one invoke policy.
@scenario
def shared(c):
    policy = c.spec['policy']
    c1 = yield c.peer('c1', 'ws', 'json')
    c2 = yield c.peer('c2', 'rs', 'cbor')
    caller = yield c.peer('caller', 'ws', 'msgpack')
    proc = c.p + '.proc'

    if policy == 'clash':
        yield c1.session.register(lambda: 'c1', proc, options=RegisterOptions(invoke='roundrobin'))
        out = {}
        for other in ('random', 'single', 'first', 'last', None):
            opts = RegisterOptions(invoke=other) if other else None
            r = yield attempt(c2.session.register(lambda: 'c2', proc, options=opts))
            out[other or 'default'] = r if 'result' not in r else 'registered'
        r = yield attempt(c2.session.register(lambda: 'c2', proc, options=RegisterOptions(invoke='roundrobin')))
        out['roundrobin'] = r if 'result' not in r else 'registered'
        c.out('register', out)
        return

    opts = RegisterOptions(invoke=policy) if policy != 'default' else None
    r1 = yield c1.session.register(lambda: 'c1', proc, options=opts)
    r2 = yield attempt(c2.session.register(lambda: 'c2', proc, options=opts))
    c.out('second', 'registered' if 'result' in r2 else r2)
    n = 40 if policy == 'random' else 6
    calls = []
    for _ in range(n):
        calls.append((yield caller.session.call(proc)))
    c.out('calls', calls)
    if policy in ('first', 'last') and 'result' in r2:
        gone = r1 if policy == 'first' else r2['result']
        yield gone.unregister()
        after = []
        for _ in range(3):
            after.append((yield caller.session.call(proc)))
        c.out('after_unregister', after)
    if policy in ('single', 'default'):
        yield r1.unregister()
        r3 = yield attempt(c2.session.register(lambda: 'c2', proc, options=opts))
        c.out('after_unregister', 'registered' if 'result' in r3 else r3)
        c.out('after_call', (yield attempt(caller.session.call(proc))))


# 7. Registration revocation: force_reregister takes a registration over;
# its former callee gets UNREGISTERED with request 0 and goes on.
@scenario
def revocation(c):
    c1 = yield c.peer('c1', 'ws', 'cbor')
    c2 = yield c.peer('c2', 'rs', 'msgpack')
    caller = yield c.peer('caller', 'ws', 'json')
    proc = c.p + '.proc'
    r1 = yield c1.session.register(lambda: 'c1', proc)
    c.out('before', (yield caller.session.call(proc)))
    r2 = yield attempt(c2.session.register(lambda: 'c2', proc, options=RegisterOptions(force_reregister=True)))
    c.out('takeover', 'registered' if 'result' in r2 else r2)
    yield until(lambda: c1.got(message.Unregistered), 5)
    c.out('revoked', [{'request': m.request, 'registration': m.registration, 'reason': m.reason,
                       'own_registration': m.registration == r1.id}
                      for m in c1.got(message.Unregistered)])
    c.out('after', (yield caller.session.call(proc)))
    yield c1.session.register(lambda: 'c1 again', c.p + '.other')
    c.out('c1_alive', (yield caller.session.call(c.p + '.other')))


# 8. Publisher exclusion.
@scenario
def publisher_exclusion(c):
    pub = yield c.peer('publisher', 'ws', 'cbor')
    sub = yield c.peer('subscriber', 'rs', 'json')
    pub_events, sub_events = [], []
    topic = c.p + '.t'
    yield pub.session.subscribe(event_handler(pub_events), topic, options=DETAILS)
    yield sub.session.subscribe(event_handler(sub_events), topic, options=DETAILS)
    for label, excl in (('default', None), ('exclude_me_false', False), ('exclude_me_true', True)):
        yield pub.session.publish(topic, label, options=PublishOptions(acknowledge=True, exclude_me=excl))
    yield until(lambda: len(sub_events) >= 3 and pub_events, 5)
    yield sleep(0.3)
    c.out('publisher_got', [e['args'][0] for e in pub_events])
    c.out('subscriber_got', [e['args'][0] for e in sub_events])


# 8. Subscriber black- and whitelisting.
@scenario
def blackwhite(c):
    pub = yield c.peer('publisher', 'ws', 'json')
    subs = {}
    got = {}
    topic = c.p + '.t'
    for name, t, ser in (('s1', 'ws', 'msgpack'), ('s2', 'rs', 'cbor'), ('s3', 'rs', 'ubjson')):
        subs[name] = yield c.peer(name, t, ser)
        got[name] = []
        yield subs[name].session.subscribe(event_handler(got[name]), topic, options=DETAILS)
    ids = {n: p.id for n, p in subs.items()}
    authids = {n: p.details.authid for n, p in subs.items()}
    c.out('ids', ids)
    c.out('authids', authids)
    c.out('authroles', {n: p.details.authrole for n, p in subs.items()})
    pubs = [
        ('exclude_s1', {'exclude': [ids['s1']]}),
        ('eligible_s1_s2', {'eligible': [ids['s1'], ids['s2']]}),
        ('eligible_s1_s2_exclude_s2', {'eligible': [ids['s1'], ids['s2']], 'exclude': [ids['s2']]}),
        ('exclude_authrole_anonymous', {'exclude_authrole': ['anonymous']}),
        ('eligible_authrole_anonymous', {'eligible_authrole': ['anonymous']}),
        ('eligible_authrole_other', {'eligible_authrole': ['nosuchrole']}),
        ('eligible_authid_s3', {'eligible_authid': [authids['s3']]}),
        ('exclude_authid_s1', {'exclude_authid': [authids['s1']]}),
        ('eligible_authid_s1_exclude_s1', {'eligible_authid': [authids['s1']], 'exclude': [ids['s1']]}),
        ('fence', {}),
    ]
    for label, opts in pubs:
        yield pub.session.publish(topic, label, options=PublishOptions(acknowledge=True, **opts))

    def fenced():
        return all(any(e['args'][0] == 'fence' for e in got[n]) for n in got)

    yield until(fenced, 5)
    yield sleep(0.2)
    c.out('got', {n: [e['args'][0] for e in got[n]] for n in got})


# 9. Retained events.
@scenario
def retained(c):
    pub = yield c.peer('publisher', 'rs', 'msgpack')
    topic = c.p + '.t'
    ack = PublishOptions(acknowledge=True, retain=True)
    p1 = yield pub.session.publish(topic, 'r1', options=ack)
    p2 = yield pub.session.publish(topic, 'r2', n=2, options=ack)
    yield pub.session.publish(topic, 'not retained', options=PublishOptions(acknowledge=True))
    c.out('publications', [p1.id, p2.id])
    late = yield c.peer('late', 'ws', 'cbor')
    plain = yield c.peer('plain', 'ws', 'json')
    late_events, plain_events = [], []
    yield late.session.subscribe(event_handler(late_events), topic,
                                 options=SubscribeOptions(get_retained=True, details=True))
    yield plain.session.subscribe(event_handler(plain_events), topic, options=DETAILS)
    yield until(lambda: late_events, 5)
    yield sleep(0.2)
    yield pub.session.publish(topic, 'live', options=PublishOptions(acknowledge=True))
    yield until(lambda: len(late_events) >= 2 and plain_events, 5)
    yield sleep(0.2)
    keep = ('args', 'kwargs', 'publication', 'retained', 'topic')
    c.out('late', [{k: e[k] for k in keep} for e in late_events])
    c.out('plain', [{k: e[k] for k in keep} for e in plain_events])


# 10. Caller identification (disclose_me on the CALL, disclose_caller on the
# REGISTER: Autobahn|Python 22.7.1 has no API for either, the options are
# added on the wire).
@scenario
def caller_identification(c):
    callee = yield c.peer('callee', 'ws', 'cbor')
    caller = yield c.peer('caller', 'rs', 'json')
    c.out('caller_session', {'session': caller.id, 'authid': caller.details.authid,
                             'authrole': caller.details.authrole})

    def who(details=None):
        return {'caller': details.caller, 'caller_authid': details.caller_authid,
                'caller_authrole': details.caller_authrole, 'procedure': details.procedure}

    yield callee.session.register(who, c.p + '.plain', options=RegisterOptions(details=True))
    callee.patch_next(message.Register, lambda m: with_options(m, {'disclose_caller': True}))
    yield callee.session.register(who, c.p + '.disclosing', options=RegisterOptions(details=True))
    out = {}
    out['plain'] = yield caller.session.call(c.p + '.plain')
    caller.patch_next(message.Call, lambda m: with_options(m, {'disclose_me': True}))
    out['plain_disclose_me'] = yield caller.session.call(c.p + '.plain')
    out['disclosing'] = yield caller.session.call(c.p + '.disclosing')
    c.out('calls', out)
    c.out('register_options', [m.marshal()[2] for m in callee.sent if isinstance(m, message.Register)])


# 10. Publisher identification (disclose_me added on the wire, as above).
@scenario
def publisher_identification(c):
    pub = yield c.peer('publisher', 'ws', 'msgpack')
    sub = yield c.peer('subscriber', 'ws', 'ubjson')
    c.out('publisher_session', {'session': pub.id, 'authid': pub.details.authid,
                                'authrole': pub.details.authrole})
    events = []
    topic = c.p + '.t'
    yield sub.session.subscribe(event_handler(events), topic, options=DETAILS)
    yield pub.session.publish(topic, 'anonymous', options=PublishOptions(acknowledge=True))
    pub.patch_next(message.Publish, lambda m: with_options(m, {'disclose_me': True}))
    yield pub.session.publish(topic, 'disclosed', options=PublishOptions(acknowledge=True))
    yield until(lambda: len(events) >= 2, 5)
    c.out('events', [{k: e[k] for k in ('args', 'publisher', 'publisher_authid', 'publisher_authrole')}
                     for e in events])


# 11. Acknowledged publish.
@scenario
def acknowledged(c):
    pub = yield c.peer('publisher', 'rs', 'cbor')
    sub = yield c.peer('subscriber', 'ws', 'json')
    events = []
    topic = c.p + '.t'
    yield sub.session.subscribe(event_handler(events), topic, options=DETAILS)
    p1 = yield pub.session.publish(topic, 1, options=PublishOptions(acknowledge=True))
    p2 = yield pub.session.publish(topic, 2, options=PublishOptions(acknowledge=True))
    p3 = yield pub.session.publish(topic, 3)
    c.out('publications', [{'type': type(p).__name__, 'id': getattr(p, 'id', None)} for p in (p1, p2, p3)])
    yield until(lambda: len(events) >= 3, 5)
    c.out('events', [{'arg': e['args'][0], 'publication': e['publication']} for e in events])
    bad = yield attempt(pub.session.publish(c.p + '.NotStrict', options=PublishOptions(acknowledge=True)))
    c.out('invalid_uri', bad)
    nosub = yield attempt(pub.session.publish(c.p + '.nobody', options=PublishOptions(acknowledge=True)))
    c.out('no_subscribers', {'type': type(nosub.get('result')).__name__, 'error': nosub.get('error')})


run_scenarios(SCENARIOS, CFG['scenarios'], SCENARIO_TIMEOUT, PROCESS_TIMEOUT, context=Ctx)
