# The line protocol of internal/peers for Autobahn|Python peer scripts on
# Twisted, so that a script holds only its scenarios. A script in
# interop/<pkg>/testdata imports it with
#   sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'testdata'))
#   from twisted_peer import ...
# and ends with run_scenarios(SCENARIOS, specs). Scenario functions go into
# SCENARIOS by the decorator @scenario, or the script passes its own dict.
# Peer (with RecordingSession and with_options) is the session of the
# scripts that test features on the wire: Component sessions that record
# what they receive and may change what they send; PeerScenario closes them.
#
# Output, one JSON object per line: {"s": id, "k": key, "v": value},
# {"s": id, "done": true}, {"s": id, "fail": traceback}, {"end": true},
# {"fatal": message}; bytes in values become {"$bytes": hex}
# (peer_lines.py, which asyncio scripts share).

import os
import sys
import time
import traceback

import txaio

txaio.use_twisted()

from twisted.internet import reactor, task
from twisted.internet.defer import Deferred, DeferredList, inlineCallbacks

from autobahn.twisted.component import Component
from autobahn.twisted.wamp import ApplicationSession

from peer_lines import emit, norm


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


def bounded(d, seconds):
    """Deferred d, failing with TimeoutError after seconds."""
    return d.addTimeout(seconds, reactor)


SCENARIOS = {}


def scenario(fn):
    """Adds generator fn to SCENARIOS, as inlineCallbacks, under its name
    (the "kind" of a spec)."""
    SCENARIOS[fn.__name__] = inlineCallbacks(fn)
    return fn


class Scenario(object):
    """What a scenario function gets: its spec, out() to report, and
    cleanups run when it ends (functions returning a Deferred or None).
    A script may subclass it (run_scenarios' context) for more per-scenario
    state, and override other to report its own types."""

    def __init__(self, spec):
        self.spec, self.id = spec, spec['id']
        self.cleanups = []

    def other(self, v):
        """What out() reports for v, a value of a type norm does not know,
        to be normalized in turn; None: {"$repr": repr(v)}."""
        return None

    def out(self, k, v):
        emit({'s': self.id, 'k': k, 'v': norm(v, self.other)})


def with_options(msg, extra):
    """Adds options Autobahn|Python 22.7.1 has no API for (disclose_me,
    disclose_caller) to an outgoing message (CALL, PUBLISH, REGISTER)."""
    base = type(msg)

    class Patched(base):
        __slots__ = ()

        def marshal(self):
            m = base.marshal(self)
            m[2].update(extra)
            return m

    msg.__class__ = Patched


class RecordingSession(ApplicationSession):
    """An ApplicationSession that records the messages it receives in its
    peer's received."""
    peer = None

    def onMessage(self, msg):
        if self.peer is not None:
            self.peer.received.append(msg)
        return ApplicationSession.onMessage(self, msg)


class Peer(object):
    """One Autobahn session on transport "ws" or "rs" (cfg's URLs "ws" and
    "rs") with a serializer, joined to cfg's "realm" by open(). Messages
    from the router after HELLO land in received; every message sent after
    the join goes through on_send first."""

    def __init__(self, cfg, transport, serializer):
        self.cfg = cfg
        self.transport, self.serializer = transport, serializer
        self.session = self.details = self.done = None
        self.received = []

    def config(self):
        """The transport configuration of a Component."""
        if self.transport == 'ws':
            return {'type': 'websocket', 'url': self.cfg['ws'], 'serializers': [self.serializer],
                    'max_retries': 0}
        return {'type': 'rawsocket', 'url': self.cfg['rs'], 'serializer': self.serializer,
                'max_retries': 0}

    def start(self, factory, on_join):
        """Connects with sessions from factory(ComponentConfig), calling
        on_join(session, details) on the join; returns a Deferred that fires
        when the connection is over (fails when it cannot be made)."""
        comp = Component(transports=[self.config()], realm=self.cfg['realm'], session_factory=factory)
        comp.on('join', on_join)
        return comp.start(reactor)

    def on_send(self, msg):
        """Sees (and may change) every message sent after the join."""

    @inlineCallbacks
    def open(self):
        joined = Deferred()

        def factory(config):
            s = RecordingSession(config)
            s.peer = self
            return s

        def on_join(session, details):
            if not joined.called:
                reactor.callLater(0, joined.callback, (session, details))

        self.done = self.start(factory, on_join)

        def failed(f):
            if not joined.called:
                joined.errback(f)

        self.done.addErrback(failed)
        self.session, self.details = yield bounded(joined, 10)
        t = self.session._transport
        orig_send = t.send

        def send(msg):
            self.on_send(msg)
            return orig_send(msg)

        t.send = send
        return self

    @inlineCallbacks
    def close(self):
        try:
            if self.session is not None and self.session.is_attached():
                yield bounded(self.session.leave(), 3)
        except Exception:
            pass
        try:
            if self.done is not None:
                yield bounded(self.done, 3)
        except Exception:
            pass


class PeerScenario(Scenario):
    """A Scenario with a URI prefix p (the spec's "prefix") and the Peers
    it opens (open_peer), which close together when it ends (one after
    another, their closes could outlast the process)."""

    def __init__(self, spec):
        Scenario.__init__(self, spec)
        self.p = spec['prefix']
        self.peers = []
        self.cleanups.append(lambda: DeferredList([p.close() for p in self.peers], consumeErrors=True))

    @inlineCallbacks
    def open_peer(self, peer):
        """Opens peer, to be closed when the scenario ends; returns it."""
        self.peers.append(peer)
        yield peer.open()
        return peer


@inlineCallbacks
def _run(scenarios, spec, timeout, context):
    c = context(spec)
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


def run_scenarios(scenarios, specs, scenario_timeout=20, process_timeout=30, context=Scenario):
    """Runs every spec ({"id", "kind", ...}) with scenarios[kind], given
    context(spec), concurrently, prints the end line and stops; gives up
    with a fatal line after process_timeout s."""

    @inlineCallbacks
    def main():
        yield DeferredList([_run(scenarios, spec, scenario_timeout, context) for spec in specs], consumeErrors=True)
        emit({'end': True})

    def fatal():
        emit({'fatal': 'python process still running after %d s' % process_timeout})
        sys.__stdout__.flush()
        os._exit(2)

    reactor.callLater(process_timeout, fatal)
    reactor.callWhenRunning(lambda: main().addBoth(lambda _: reactor.callLater(0.1, reactor.stop)))
    reactor.run()
