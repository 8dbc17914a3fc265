"""An Autobahn|Python (Twisted) peer that speaks BSON: the same mapping as the Go
package examples/custom-serializer/bson, written for Autobahn|Python's
serializer interface with pymongo's bson module.

    python3 bson_peer.py ws://127.0.0.1:8080/ws realm1
    python3 bson_peer.py rs://127.0.0.1:8081 realm1

It joins with BSON only, registers com.example.python_echo, subscribes to
com.example.news, calls com.example.echo with values of every kind, asks the
Go side to call it back (com.example.roundtrip) and to publish
(com.example.publish), prints one JSON line per result and leaves. Exit
status 0 when all of that happened.
"""
import json
import struct
import sys
from urllib.parse import urlparse

import txaio

txaio.use_twisted()

import bson  # noqa: E402
from bson.decimal128 import Decimal128  # noqa: E402
from bson.int64 import Int64  # noqa: E402
from autobahn.twisted.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.twisted.wamp import ApplicationSession  # noqa: E402
from autobahn.twisted.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp import types  # noqa: E402
from autobahn.wamp.serializer import Serializer  # noqa: E402
from twisted.internet import defer, reactor, task  # noqa: E402
from twisted.internet.endpoints import TCP4ClientEndpoint  # noqa: E402

MAX_INT64 = 2**63 - 1


def to_bson(v):
    """Python value -> what bson.encode writes as the Go package does."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int) and v > MAX_INT64:
        return Decimal128(str(v))
    if isinstance(v, (list, tuple)):
        return [to_bson(e) for e in v]
    if isinstance(v, dict):
        return {k: to_bson(e) for k, e in sorted(v.items())}
    return v


def from_bson(v):
    if isinstance(v, Int64):  # pymongo's int subclass for the int64 type
        return int(v)
    if isinstance(v, Decimal128):
        d = v.to_decimal()
        if d != d.to_integral_value():
            raise ValueError("decimal128 %s is not an integer" % d)
        return int(d)
    if isinstance(v, list):
        return [from_bson(e) for e in v]
    if isinstance(v, dict):
        return {k: from_bson(e) for k, e in v.items()}
    return v


class BSONObjectSerializer(object):
    NAME = "bson"
    BINARY = True

    def __init__(self, batched=False):
        self._batched = batched

    def serialize(self, obj):
        if isinstance(obj, (list, tuple)):
            doc = {str(i): to_bson(e) for i, e in enumerate(obj)}
        else:
            doc = {"value": to_bson(obj)}
        data = bson.encode(doc)
        return struct.pack("!L", len(data)) + data if self._batched else data

    def unserialize(self, payload):
        parts = []
        if self._batched:
            i = 0
            while i < len(payload):
                (n,) = struct.unpack("!L", payload[i:i + 4])
                parts.append(payload[i + 4:i + 4 + n])
                i += 4 + n
        else:
            parts = [payload]
        out = []
        for p in parts:
            doc = bson.decode(p)
            keys = list(doc)
            if keys == [str(i) for i in range(len(keys))]:
                out.append([from_bson(doc[k]) for k in keys])
            elif keys == ["value"]:
                out.append(from_bson(doc["value"]))
            else:
                raise ValueError("top-level document with keys %r" % keys)
        return out


class BSONSerializer(Serializer):
    SERIALIZER_ID = "bson"
    RAWSOCKET_SERIALIZER_ID = 15
    MIME_TYPE = "application/bson"

    def __init__(self, batched=False):
        Serializer.__init__(self, BSONObjectSerializer(batched=batched))
        if batched:
            self.SERIALIZER_ID = "bson.batched"


def emit(**kw):
    print(json.dumps({k: repr(v) for k, v in kw.items()}), flush=True)


class Peer(ApplicationSession):
    result = None  # set by main: the Deferred that ends the program

    @defer.inlineCallbacks
    def onJoin(self, details):
        try:
            yield self.register(lambda *a, **kw: types.CallResult(*a, **kw), "com.example.python_echo")
            got = defer.Deferred()
            yield self.subscribe(lambda *a, **kw: got.called or got.callback((a, kw)), "com.example.news")
            res = yield self.call("com.example.echo", 2**64 - 1, -2**63, b"\x00\x01", 1.5, "é", None, True,
                                  {"k": [None, {}], "n": 2**40}, mode="fast")
            emit(echo=(list(res.results), res.kwresults))
            ok = yield self.call("com.example.roundtrip")
            emit(roundtrip=ok)
            yield self.call("com.example.publish")
            a, kw = yield got.addTimeout(10, reactor)
            emit(event=(list(a), kw))
            self.result.callback(None)
        except Exception as e:
            self.result.errback(e)
        self.leave()

    def onDisconnect(self):
        if not self.result.called:
            self.result.errback(RuntimeError("disconnected before done"))


@defer.inlineCallbacks
def main(reactor, url, realm):
    result = defer.Deferred()

    def session():
        s = Peer(types.ComponentConfig(realm=realm))
        s.result = result
        return s

    u = urlparse(url)
    if u.scheme == "ws":
        factory = WampWebSocketClientFactory(session, url=url, serializers=[BSONSerializer()])
    else:
        factory = WampRawSocketClientFactory(session, serializer=BSONSerializer())
    yield TCP4ClientEndpoint(reactor, u.hostname, u.port).connect(factory)
    yield result.addTimeout(20, reactor)
    yield task.deferLater(reactor, 0.2, lambda: None)


if __name__ == "__main__":
    task.react(main, sys.argv[1:3])
