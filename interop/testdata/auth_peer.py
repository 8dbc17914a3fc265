#!/usr/bin/python3
# Autobahn|Python 22.7.1 (asyncio) peers of the authentication tests of
# interop/routerauth: clients that
# authenticate with Autobahn's own authenticators (autobahn.wamp.auth, as
# Component uses them), and backend components shaped like Crossbar.io's
# examples: a dynamic authenticator, a dynamic authorizer and a callee.
#
# asyncio, not Twisted: Autobahn's asyncio transports compute the tls-unique
# channel id as RFC 5929 (and Go) do; its Twisted ones hash the other
# Finished message (see interop/channelbinding).
#
# Argument: a JSON object
#   {"urls": {lane: URL}, "ca": PEM path, "keys": {name: seed hex},
#    "tls_max": {lane: "1.2"} (optional: the highest TLS version the lane's
#               client offers; tls-unique is undefined on TLS 1.3),
#    "backend": [components to start first: "authenticator", "authorizer", "callee"],
#    "authenticator": {"lane", "realm", "role"} (optional: where the dynamic
#               authenticator registers, and the role it assigns; by default
#               lane "backend", realm "auth", role "user"),
#    "scenarios": [{"id", "kind", ...parameters}]}
# Output: the line protocol of internal/peers (one JSON object per line).
#
# Kinds:
#   join        opens a session: lane, realm (default realm1; null: HELLO
#               names none), serializer, auth (see authenticators); reports
#               "welcome" (the SessionDetails) or "refused" (the ABORT's
#               reason and message); with "meta_get",
#               a backend session of the realm reports wamp.session.get of
#               the joined session as "meta"
#   actions     opens a session like join, reports "welcome", then does a
#               list of actions (see k_actions) and reports each outcome
#   static_user, static_device, dynamic_authz
#               the authorization scenarios (see there)
#   meta        the meta API scenario (see there)

import asyncio
import json
import os
import ssl
import sys
import time
import traceback

# emit and norm, shared with the Twisted peers (this directory, the
# script's own, is on sys.path).
from peer_lines import emit, norm

import txaio

txaio.use_asyncio()
txaio.start_logging(out=sys.__stderr__, level='warn')

from autobahn.asyncio.rawsocket import (WampRawSocketClientFactory,  # noqa: E402
                                        WampRawSocketClientProtocol)
from autobahn.asyncio.wamp import Session  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.auth import AuthCryptoSign, create_authenticator  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.serializer import (CBORSerializer, JsonSerializer,  # noqa: E402
                                      MsgPackSerializer)
from autobahn.wamp.types import (ComponentConfig, PublishOptions,  # noqa: E402
                                 RegisterOptions)

CFG = json.loads(sys.argv[1])
KEYS = CFG.get('keys', {})
SCENARIO_TIMEOUT = 25
PROCESS_TIMEOUT = 40
SERIALIZERS = {'json': JsonSerializer, 'msgpack': MsgPackSerializer, 'cbor': CBORSerializer}

# Autobahn|Python 22.7.1's asyncio RawSocket protocol lacks the
# transport_details property of ITransport (its WebSocket protocol and its
# Twisted RawSocket have it): every join over it fails in onWelcome with
# AttributeError. Give it the property, reading what it already keeps.
if not hasattr(WampRawSocketClientProtocol, 'transport_details'):
    WampRawSocketClientProtocol.transport_details = property(lambda self: self._transport_details)

LOOP = asyncio.new_event_loop()
asyncio.set_event_loop(LOOP)
txaio.config.loop = LOOP


def details_of(d):
    """The SessionDetails of a join, as a dict."""
    return {'realm': d.realm, 'session': d.session, 'authid': d.authid, 'authrole': d.authrole,
            'authmethod': d.authmethod, 'authprovider': d.authprovider, 'authextra': norm(d.authextra)}


async def until(cond, timeout=10, what='a condition'):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise TimeoutError('timed out after %s s waiting for %s' % (timeout, what))
        await asyncio.sleep(0.01)


async def attempt(aw):
    """Awaits aw: {"ok": result} or {"error": URI, "args": [...]}."""
    try:
        return {'ok': norm(await aw)}
    except ApplicationError as e:
        return {'error': e.error, 'args': norm(list(e.args))}


class Refused(Exception):
    def __init__(self, reason, message):
        Exception.__init__(self, 'refused: %s %s' % (reason, message))
        self.reason, self.message = reason, message


class Client(Session):
    """A session that resolves .joined with its SessionDetails, or fails it
    with Refused (ABORT) or ConnectionError, and records how it left."""

    def __init__(self, config):
        Session.__init__(self, config)
        self.joined = LOOP.create_future()
        self.left = LOOP.create_future()
        self.gone = LOOP.create_future()

    def on_join(self, details):
        if not self.joined.done():
            self.joined.set_result(details)

    def on_leave(self, details):
        if not self.joined.done():
            self.joined.set_exception(Refused(details.reason, details.message))
        if not self.left.done():
            self.left.set_result(details)
        self.disconnect()

    def on_disconnect(self):
        if not self.joined.done():
            self.joined.set_exception(ConnectionError('disconnected before WELCOME or ABORT'))
        if not self.gone.done():
            self.gone.set_result(None)


OPEN = []  # every session opened, to close at the end


def authenticators(auth):
    """Autobahn authenticators for a spec's auth:
    {"method": "ticket", "authid", "secret"} | {"method": "wampcra", "authid", "secret"} |
    {"method": "cryptosign", "key": name in KEYS, "authid"?, "channel_binding"?, "forge"?}
    ("forge": sign as if the channel id were 32 zero bytes: a credential from
    another channel)."""
    if not auth:
        return []
    m = auth['method']
    if m == 'ticket':
        return [create_authenticator('ticket', authid=auth['authid'], ticket=auth['secret'])]
    if m == 'wampcra':
        return [create_authenticator('wampcra', authid=auth['authid'], secret=auth['secret'])]
    if m == 'cryptosign':
        kw = {'privkey': KEYS[auth['key']], 'authextra': {}}
        if auth.get('authid'):
            kw['authid'] = auth['authid']
        if auth.get('channel_binding'):
            kw['authextra']['channel_binding'] = auth['channel_binding']
        if auth.get('forge'):
            return [ForgedCryptoSign(**kw)]
        return [create_authenticator('cryptosign', **kw)]
    raise ValueError('unknown auth method ' + m)


class ForgedCryptoSign(AuthCryptoSign):
    def on_challenge(self, session, challenge):
        return self._privkey.sign_challenge(challenge, channel_id=bytes(32), channel_id_type=self._channel_binding)


async def open_session(lane, realm, auth=None, serializer='json', timeout=10):
    """Opens a session on a lane of the router; returns (session, details)
    or raises Refused."""
    url = CFG['urls'][lane]
    scheme, rest = url.split('://', 1)
    host, port = rest.split('/', 1)[0].rsplit(':', 1)
    holder = []

    def make():
        s = Client(ComponentConfig(realm=realm))
        for a in authenticators(auth):
            s.add_authenticator(a)
        holder.append(s)
        OPEN.append(s)
        return s

    ser = SERIALIZERS[serializer]()
    if scheme in ('ws', 'wss'):
        factory = WampWebSocketClientFactory(make, url=url, serializers=[ser])
    else:
        factory = WampRawSocketClientFactory(make, serializer=ser)
    ctx = None
    if scheme in ('wss', 'rss'):
        ctx = ssl.create_default_context(cafile=CFG['ca'])
        if CFG.get('tls_max', {}).get(lane) == '1.2':
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    await asyncio.wait_for(LOOP.create_connection(factory, host, int(port), ssl=ctx,
                                                  server_hostname='localhost' if ctx else None), timeout)
    await until(lambda: holder, timeout, 'the session to open')
    details = await asyncio.wait_for(holder[0].joined, timeout)
    return holder[0], details


def drop(session):
    """Drops the session's connection without GOODBYE."""
    session._transport.transport.abort()


# ---------------------------------------------------------------------------
# Backend components (the shapes of Crossbar.io's examples)

AUTHN_LOG = []  # what the dynamic authenticator was called with
AUTHZ_LOG = []  # what the dynamic authorizer was called with
BACKEND = {}

AUTHN = dict({'lane': 'backend', 'realm': 'auth', 'role': 'user'}, **CFG.get('authenticator', {}))
TICKETS = {'dave': ('dave-ticket', AUTHN['role']), 'joe': ('joe-ticket', AUTHN['role'])}
BARE_ROLE = {'joe'}  # answered with the role alone, as Crossbar.io's ticket/dynamic example does
CRA = {
    'erin': {'secret': 'erin-secret', 'role': AUTHN['role']},
    # salted: Crossbar.io derives the key from the secret the authenticator returns
    'frank': {'secret': 'frank-secret', 'salt': 'frank-salt', 'iterations': 50, 'keylen': 32, 'role': AUTHN['role']},
    # a salt without iterations and keylen, which Crossbar.io (25.12.1)
    # does not take for a salted secret
    'gina': {'secret': 'gina-secret', 'salt': 'gina-salt', 'role': AUTHN['role']},
}


def grace_pubkey():
    from autobahn.wamp.cryptosign import CryptosignKey
    return CryptosignKey.from_bytes(bytes.fromhex(KEYS['grace'])).public_key()


def authenticate(realm, authid, details):
    """com.example.authenticate(realm, authid, details), for ticket, wampcra
    and cryptosign."""
    AUTHN_LOG.append({'realm': realm, 'authid': authid, 'details': norm(details)})
    method = details.get('authmethod')
    if method == 'ticket':
        if authid not in TICKETS:
            raise ApplicationError('com.example.no_such_user', 'no user %s' % authid)
        ticket, role = TICKETS[authid]
        if details.get('ticket') != ticket:
            raise ApplicationError('com.example.invalid_ticket', 'wrong ticket for %s' % authid)
        if authid in BARE_ROLE:
            return role
        return {'role': role, 'extra': {'source': 'python-authenticator'}}
    if method == 'wampcra':
        if authid not in CRA:
            raise ApplicationError('com.example.no_such_user', 'no user %s' % authid)
        return dict(CRA[authid])
    if method == 'cryptosign':
        pubkey = (details.get('authextra') or {}).get('pubkey')
        if pubkey == grace_pubkey():
            return {'pubkey': pubkey, 'authid': 'grace', 'role': AUTHN['role']}
        raise ApplicationError('com.example.unknown_key', 'no principal with this public key')
    raise ApplicationError('com.example.unsupported', 'authmethod %s' % method)


def authorize(session, uri, action, options):
    """com.example.authorize(session, uri, action, options) for role dynamic."""
    AUTHZ_LOG.append({'session': norm(session), 'uri': uri, 'action': action, 'options': norm(options)})
    if uri == 'com.example.dyn.echo' and action == 'call':
        return True
    if uri == 'com.example.dyn.who' and action == 'call':
        return {'allow': True, 'disclose': True, 'cache': True}
    if uri == 'com.example.dyn.topic' and action in ('subscribe', 'publish'):
        return {'allow': True, 'disclose': False, 'cache': False}
    if uri == 'com.example.dyn.broken':
        raise ApplicationError('com.example.authorizer_broke', 'the authorizer failed on purpose')
    return False


def caller_of(details):
    return {'caller': details.caller, 'caller_authid': details.caller_authid,
            'caller_authrole': details.caller_authrole}


async def start_backend(components):
    with_details = RegisterOptions(details_arg='details')
    if 'authenticator' in components:
        s, _ = await open_session(AUTHN['lane'], AUTHN['realm'])
        await s.register(authenticate, 'com.example.authenticate')
        BACKEND['auth'] = s
    if 'authorizer' in components:
        s, _ = await open_session('backend', 'realm1')
        await s.register(authorize, 'com.example.authorize')
    if 'callee' in components:
        s, _ = await open_session('backend', 'realm1', serializer='msgpack')
        await s.register(lambda a, b, details: dict(caller_of(details), sum=a + b), 'com.example.add2', options=with_details)
        await s.register(lambda: 'secret', 'com.example.secret.thing')
        await s.register(lambda x, details: dict(caller_of(details), echo=x), 'com.example.dyn.echo', options=with_details)
        await s.register(lambda details: caller_of(details), 'com.example.dyn.who', options=with_details)
        await s.register(lambda: 'nope', 'com.example.dyn.nope')
        await s.register(lambda: 'broken', 'com.example.dyn.broken')
        await s.register(lambda: 'mine', 'com.example.mine')
    if 'meta_realm1' in components:
        s, _ = await open_session('backend', 'realm1')
        BACKEND['realm1'] = s


# ---------------------------------------------------------------------------
# Scenarios

async def k_join(spec, out):
    try:
        s, d = await open_session(spec['lane'], spec.get('realm', 'realm1'), spec.get('auth'),
                                  spec.get('serializer', 'json'))
    except Refused as e:
        out('refused', {'reason': e.reason, 'message': e.message})
        return
    out('welcome', details_of(d))
    if spec.get('meta_get'):
        out('meta', await attempt(BACKEND['realm1'].call('wamp.session.get', d.session)))
        log = [e for e in AUTHN_LOG if e['details'].get('session') == d.session]
        out('authenticator_saw', log)
    s.leave()


async def act(s, a):
    """Does one action of k_actions: {"op": "call" | "publish" | "subscribe" |
    "register", "uri", "args"?}; publications are acknowledged. Returns
    attempt's report; publish, subscribe and register report {"ok": true}."""
    op, uri, args = a['op'], a['uri'], a.get('args', [])
    if op == 'call':
        return await attempt(s.call(uri, *args))
    if op == 'publish':
        aw = s.publish(uri, *args, options=PublishOptions(acknowledge=True))
    elif op == 'subscribe':
        aw = s.subscribe(lambda *x, **kw: None, uri)
    elif op == 'register':
        aw = s.register(lambda *x, **kw: None, uri)
    else:
        raise ValueError('unknown action ' + op)
    r = await attempt(aw)
    return {'ok': True} if 'ok' in r else r


async def k_actions(spec, out):
    """Joins like k_join, then does spec's "actions" in order
    ([{"k": key, ...action}], see act), each reported under its key."""
    s, d = await open_session(spec['lane'], spec.get('realm', 'realm1'), spec.get('auth'),
                              spec.get('serializer', 'json'))
    out('welcome', details_of(d))
    for a in spec['actions']:
        out(a['k'], await act(s, a))
    s.leave()


async def k_static_user(spec, out):
    """Role user: call com.example.* (caller disclosed), not register, not
    com.example.secret.*; subscribe and publish com.example.*, nothing
    outside."""
    s, d = await open_session(spec['lane'], 'realm1', spec['auth'], spec.get('serializer', 'json'))
    out('session', d.session)
    out('call', await attempt(s.call('com.example.add2', 2, 3)))
    out('register', await attempt(s.register(lambda: None, 'com.example.mine2')))
    out('call_secret', await attempt(s.call('com.example.secret.thing')))
    out('call_outside', await attempt(s.call('org.other.proc')))
    sub = await attempt(s.subscribe(lambda *a: None, 'com.example.news'))
    out('subscribe', {'ok': True} if 'ok' in sub else sub)
    pub = await attempt(s.publish('com.example.news', 1, options=PublishOptions(acknowledge=True)))
    out('publish', {'ok': True} if 'ok' in pub else pub)
    out('publish_outside', await attempt(s.publish('org.other.topic', 1, options=PublishOptions(acknowledge=True))))
    s.leave()


async def k_static_device(spec, out):
    """Role device: publish and subscribe com.example.device.*, nothing else."""
    s, d = await open_session(spec['lane'], 'realm1', spec['auth'], spec.get('serializer', 'json'))
    out('welcome', details_of(d))
    pub = await attempt(s.publish('com.example.device.temp', 21.5, options=PublishOptions(acknowledge=True)))
    out('publish', {'ok': True} if 'ok' in pub else pub)
    sub = await attempt(s.subscribe(lambda *a: None, 'com.example.device.temp'))
    out('subscribe', {'ok': True} if 'ok' in sub else sub)
    out('call', await attempt(s.call('com.example.add2', 1, 1)))
    out('register', await attempt(s.register(lambda: None, 'com.example.device.proc')))
    s.leave()


async def k_dynamic_authz(spec, out):
    """Role dynamic, decided by the Python authorizer."""
    s, d = await open_session(spec['lane'], 'realm1', spec['auth'], spec.get('serializer', 'json'))
    out('session', d.session)
    out('echo', await attempt(s.call('com.example.dyn.echo', 'hi')))
    out('who1', await attempt(s.call('com.example.dyn.who')))
    out('who2', await attempt(s.call('com.example.dyn.who')))
    out('nope', await attempt(s.call('com.example.dyn.nope')))
    out('register', await attempt(s.register(lambda: None, 'com.example.dyn.echo2')))
    out('broken', await attempt(s.call('com.example.dyn.broken')))
    sub = await attempt(s.subscribe(lambda *a: None, 'com.example.dyn.topic'))
    out('subscribe', {'ok': True} if 'ok' in sub else sub)
    pub = await attempt(s.publish('com.example.dyn.topic', 'x', options=PublishOptions(acknowledge=True)))
    out('publish', {'ok': True} if 'ok' in pub else pub)
    out('authorizer_saw', [e for e in AUTHZ_LOG if e['session'].get('session') == d.session])
    s.leave()


META_TOPICS = ['wamp.session.on_join', 'wamp.session.on_leave',
               'wamp.registration.on_create', 'wamp.registration.on_register',
               'wamp.registration.on_unregister', 'wamp.registration.on_delete',
               'wamp.subscription.on_create', 'wamp.subscription.on_subscribe',
               'wamp.subscription.on_unsubscribe', 'wamp.subscription.on_delete']


async def k_meta(spec, out):
    """The meta API in realm meta, seen by monitor m1 (session A) while
    workers m2 (B, RawSocket) and m3 (C) come and go."""
    events = []  # (topic, args, kwargs) in order of arrival

    def recorder(topic):
        def on_event(*args, **kwargs):
            events.append((topic, norm(list(args)), norm(kwargs)))
        return on_event

    def find(topic, pred=lambda args: True):
        return [e for e in events if e[0] == topic and pred(e[1])]

    def about(ids):
        # the registration / subscription meta events that concern ids
        def match(args):
            x = args[1] if len(args) > 1 else None
            return (x.get('id') if isinstance(x, dict) else x) in ids
        return [{'topic': e[0], 'args': e[1]} for e in events
                if e[0].startswith(('wamp.registration.', 'wamp.subscription.')) and match(e[1])]

    a, ad = await open_session('ws', 'meta', {'method': 'ticket', 'authid': 'm1', 'secret': 'm1-ticket'})
    for topic in META_TOPICS:
        await a.subscribe(recorder(topic), topic)
    testament_sub = await a.subscribe(recorder('com.example.meta.testament'), 'com.example.meta.testament')
    b, bd = await open_session('rs', 'meta', {'method': 'ticket', 'authid': 'm2', 'secret': 'm2-ticket'}, 'msgpack')
    A, B = ad.session, bd.session
    out('ids', {'a': A, 'b': B, 'b_welcome': details_of(bd)})

    # the session meta API
    await until(lambda: find('wamp.session.on_join', lambda x: x[0]['session'] == B), what='on_join of B')
    out('on_join', find('wamp.session.on_join', lambda x: x[0]['session'] == B)[0][1])
    out('count', await a.call('wamp.session.count'))
    out('count_worker', await a.call('wamp.session.count', ['worker']))
    out('list', sorted(await a.call('wamp.session.list')))
    out('list_monitor', await a.call('wamp.session.list', ['monitor']))
    out('get', await a.call('wamp.session.get', B))
    out('get_unknown', await attempt(a.call('wamp.session.get', 1)))

    # registrations
    reg = await b.register(lambda x: x, 'com.example.meta.proc')
    preg = await b.register(lambda *x, **kw: None, 'com.example.meta.', options=RegisterOptions(match='prefix'))
    out('regs', {'exact': reg.id, 'prefix': preg.id})
    await until(lambda: len(about({reg.id, preg.id})) >= 4, what='on_create and on_register of both registrations')
    out('reg_lookup', await a.call('wamp.registration.lookup', 'com.example.meta.proc'))
    out('reg_lookup_prefix', await a.call('wamp.registration.lookup', 'com.example.meta.', {'match': 'prefix'}))
    out('reg_lookup_none', await a.call('wamp.registration.lookup', 'com.example.meta.nothing'))
    out('reg_match', await a.call('wamp.registration.match', 'com.example.meta.proc'))
    out('reg_match_prefix', await a.call('wamp.registration.match', 'com.example.meta.other'))
    out('reg_list', await a.call('wamp.registration.list'))
    out('reg_get', await a.call('wamp.registration.get', reg.id))
    out('reg_callees', await a.call('wamp.registration.list_callees', reg.id))
    out('reg_count_callees', await a.call('wamp.registration.count_callees', reg.id))
    out('reg_get_unknown', await attempt(a.call('wamp.registration.get', 1)))

    # subscriptions
    sub = await b.subscribe(lambda *x: None, 'com.example.meta.topic')
    out('sub', sub.id)
    await until(lambda: len(about({sub.id})) >= 2, what='on_create and on_subscribe of the subscription')
    out('sub_lookup', await a.call('wamp.subscription.lookup', 'com.example.meta.topic'))
    out('sub_subscribers', await a.call('wamp.subscription.list_subscribers', sub.id))
    out('sub_count_subscribers', await a.call('wamp.subscription.count_subscribers', sub.id))
    out('sub_get', await a.call('wamp.subscription.get', sub.id))
    out('sub_list', await a.call('wamp.subscription.list'))

    await reg.unregister()
    await preg.unregister()
    await sub.unsubscribe()
    await until(lambda: len(about({reg.id, preg.id})) >= 8, what='on_unregister and on_delete of both registrations')
    await until(lambda: len(about({sub.id})) >= 4, what='on_unsubscribe and on_delete of the subscription')
    out('reg_events', about({reg.id, preg.id}))
    out('sub_events', about({sub.id}))
    out('reg_lookup_after', await a.call('wamp.registration.lookup', 'com.example.meta.proc'))

    # event history
    hist = await a.call('wamp.subscription.lookup', 'com.example.meta.history')
    pubs = []
    for i in range(5):
        p = await b.publish('com.example.meta.history', i, n=i, options=PublishOptions(acknowledge=True))
        pubs.append(p.id)
    out('history', {'sub': hist, 'pubs': pubs,
                    'events': await a.call('wamp.subscription.get_events', hist),
                    'limited': await a.call('wamp.subscription.get_events', hist, 2)})
    out('history_unavailable', await attempt(a.call('wamp.subscription.get_events', testament_sub.id)))

    # a testament, published when B's connection drops
    out('testament', await b.call('wamp.session.add_testament', 'com.example.meta.testament',
                                  ['gone', B], {'why': 'lost'}))
    drop(b)
    await until(lambda: find('com.example.meta.testament'), what='the testament')
    await until(lambda: find('wamp.session.on_leave', lambda x: x[0] == B), what='on_leave of B')
    out('testament_event', find('com.example.meta.testament'))
    out('on_leave', find('wamp.session.on_leave', lambda x: x[0] == B)[0][1])

    # wamp.session.kill
    c, cd = await open_session('ws', 'meta', {'method': 'ticket', 'authid': 'm3', 'secret': 'm3-ticket'}, 'cbor')
    C = cd.session
    await until(lambda: find('wamp.session.on_join', lambda x: x[0]['session'] == C), what='on_join of C')
    out('kill', await attempt(a.call('wamp.session.kill', C, reason='com.example.meta.kicked', message='bye')))
    left = await asyncio.wait_for(c.left, 10)
    out('killed', {'id': C, 'reason': left.reason, 'message': left.message})
    await until(lambda: find('wamp.session.on_leave', lambda x: x[0] == C), what='on_leave of C')
    out('kill_self', await attempt(a.call('wamp.session.kill', A)))
    out('list_end', await a.call('wamp.session.list'))
    a.leave()


KINDS = {'join': k_join, 'actions': k_actions, 'static_user': k_static_user, 'static_device': k_static_device,
         'dynamic_authz': k_dynamic_authz, 'meta': k_meta}


async def run(spec):
    sid = spec['id']

    def out(k, v):
        emit({'s': sid, 'k': k, 'v': norm(v)})

    try:
        await asyncio.wait_for(KINDS[spec['kind']](spec, out), SCENARIO_TIMEOUT)
        emit({'s': sid, 'done': True})
    except BaseException:
        emit({'s': sid, 'fail': traceback.format_exc()})


async def close_all():
    for s in OPEN:
        if s.is_attached():
            s.leave()
    gone = [s.gone for s in OPEN]
    if gone:
        await asyncio.wait(gone, timeout=5)


def give_up():
    emit({'fatal': 'python still running after %s s' % PROCESS_TIMEOUT})
    os._exit(2)


async def main():
    LOOP.call_later(PROCESS_TIMEOUT, give_up)
    try:
        await start_backend(CFG.get('backend') or [])
    except BaseException:
        emit({'fatal': 'backend: ' + traceback.format_exc()})
        return
    await asyncio.gather(*[run(s) for s in CFG['scenarios']])
    await close_all()
    emit({'end': True})


LOOP.run_until_complete(main())
