#!/usr/bin/python3
# Autobahn|Python 22.7.1 on Twisted (the variant Crossbar.io is built on)
# joins over WebSocket with TLS with cryptosign, with and without tls-unique
# channel binding, using Autobahn's own AuthCryptoSign.
#
# Argument: {"url": wss URL, "ca": PEM path, "key": seed hex,
#            "scenarios": [{"id", "kind": "twisted_join", "channel_binding": null | "tls-unique"}]}
# Output: the line protocol of internal/peers; each scenario reports
# "welcome" {authid, authrole, authmethod} or "refused" {reason, message}.

import json
import sys
import traceback

import txaio

txaio.use_twisted()
txaio.start_logging(out=sys.__stderr__, level='warn')

from twisted.internet import reactor, ssl  # noqa: E402
from twisted.internet.defer import Deferred, inlineCallbacks  # noqa: E402

from autobahn.twisted.wamp import Session  # noqa: E402
from autobahn.twisted.websocket import WampWebSocketClientFactory, connectWS  # noqa: E402
from autobahn.wamp.auth import create_authenticator  # noqa: E402
from autobahn.wamp.types import ComponentConfig  # noqa: E402

CFG = json.loads(sys.argv[1])


def emit(obj):
    print(json.dumps(obj, sort_keys=True), file=sys.__stdout__, flush=True)


class Client(Session):
    def __init__(self, config, outcome):
        Session.__init__(self, config)
        self.outcome = outcome

    def on_join(self, details):
        if not self.outcome.called:
            self.outcome.callback({'welcome': {'authid': details.authid, 'authrole': details.authrole,
                                               'authmethod': details.authmethod}})
        self.leave()

    def on_leave(self, details):
        if not self.outcome.called:
            self.outcome.callback({'refused': {'reason': details.reason, 'message': details.message}})
        self.disconnect()

    def on_disconnect(self):
        if not self.outcome.called:
            self.outcome.errback(Exception('disconnected before WELCOME or ABORT'))


def join(spec):
    outcome = Deferred()
    extra = {}
    if spec.get('channel_binding'):
        extra['channel_binding'] = spec['channel_binding']

    def make():
        s = Client(ComponentConfig(realm='realm1'), outcome)
        s.add_authenticator(create_authenticator('cryptosign', privkey=CFG['key'], authextra=extra))
        return s

    factory = WampWebSocketClientFactory(make, url=CFG['url'])
    options = ssl.optionsForClientTLS('localhost', trustRoot=ssl.Certificate.loadPEM(open(CFG['ca']).read()))
    connectWS(factory, options)
    return outcome.addTimeout(15, reactor)


@inlineCallbacks
def main():
    try:
        for spec in CFG['scenarios']:
            try:
                res = yield join(spec)
                for k, v in res.items():
                    emit({'s': spec['id'], 'k': k, 'v': v})
                emit({'s': spec['id'], 'done': True})
            except Exception:
                emit({'s': spec['id'], 'fail': traceback.format_exc()})
        emit({'end': True})
    finally:
        reactor.stop()


reactor.callWhenRunning(main)
reactor.callLater(30, lambda: (emit({'fatal': 'python still running after 30 s'}), reactor.stop()))
reactor.run()
