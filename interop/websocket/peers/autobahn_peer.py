#!/usr/bin/python3
"""Autobahn|Python WebSocket peer for the interop tests in interop/websocket.

Usage: autobahn_peer.py server | client

server: listens on 127.0.0.1 on a free port and prints
    {"event": "listening", "port": N}
  A connection's id is the "id" query parameter of its URL. The path /deny
  is denied with 403 "Forbidden by Autobahn peer"; the query parameter
  frag=N sets autoFragmentSize for the connection. permessage-deflate offers
  are accepted, requesting client_no_context_takeover (pmd=default in the
  query: accepted with Autobahn's defaults, without that request).

client: reads JSON lines on stdin, each a connection to open (frag:
autoFragmentSize):
    {"id": "c1", "url": "ws://127.0.0.1:9000/x?id=c1", "deflate": true, "frag": 0,
     "serverMaxWindowBits": 0}
  (serverMaxWindowBits: request_max_window_bits of the permessage-deflate offer)

Both echo every message back, except text messages that start with "cmd ",
which carry a JSON command:
    {"op": "send", "size": N, "binary": B, "frag": N, "count": N}
    {"op": "ping", "payload": "..."}
    {"op": "close", "code": N, "reason": "..."}
Payloads of "send" come from gen_payload, the same generator as the Go
tests'. Events go to stdout, one JSON object per line, with the connection
id. The process ends when stdin is closed.
"""

import hashlib
import json
import sys
from urllib.parse import urlparse

import txaio

txaio.use_twisted()

from twisted.internet import reactor, stdio  # noqa: E402
from twisted.protocols.basic import LineReceiver  # noqa: E402

from autobahn.twisted.websocket import (  # noqa: E402
    WebSocketClientFactory,
    WebSocketClientProtocol,
    WebSocketServerFactory,
    WebSocketServerProtocol,
    connectWS,
)
from autobahn.websocket.compress import (  # noqa: E402
    PerMessageDeflateOffer,
    PerMessageDeflateOfferAccept,
    PerMessageDeflateResponse,
    PerMessageDeflateResponseAccept,
)
from autobahn.websocket.types import ConnectionDeny  # noqa: E402

TEXT_UNIT = "Hello-µ@ßöäüàá-UTF-8!! κόσμε 😀 ".encode("utf-8")

out = None  # the stdio line protocol, set in main


def emit(**event):
    out.sendLine(json.dumps(event).encode("utf-8"))


def gen_payload(size, binary):
    """Deterministic payloads: as textPayload and binaryPayload in Go."""
    if binary:
        return bytes((i * 31 + 7) & 0xFF for i in range(size))
    n = size // len(TEXT_UNIT)
    return TEXT_UNIT * n + b"*" * (size - n * len(TEXT_UNIT))


class Peer:
    """What server and client protocols share."""

    conn_id = "?"

    def onOpen(self):
        emit(event="open", id=self.conn_id, compressed=self._perMessageCompress is not None)

    def onMessage(self, payload, isBinary):
        if not isBinary and payload.startswith(b"cmd "):
            self.command(json.loads(payload[4:].decode("utf-8")))
            return
        emit(event="message", id=self.conn_id, binary=isBinary, size=len(payload),
             sha256=hashlib.sha256(payload).hexdigest())
        self.sendMessage(payload, isBinary)  # fragmented by autoFragmentSize, if set

    def command(self, cmd):
        emit(event="cmd", id=self.conn_id, op=cmd["op"])
        op = cmd["op"]
        if op == "send":
            payload = gen_payload(cmd["size"], cmd.get("binary", False))
            for _ in range(cmd.get("count", 1)):
                self.sendMessage(payload, cmd.get("binary", False), fragmentSize=cmd.get("frag") or None)
        elif op == "ping":
            self.sendPing(cmd["payload"].encode("utf-8"))
        elif op == "close":
            self.sendClose(cmd["code"], cmd.get("reason"))

    def onPing(self, payload):
        emit(event="ping", id=self.conn_id, payload=payload.decode("latin-1"))
        super().onPing(payload)

    def onPong(self, payload):
        emit(event="pong", id=self.conn_id, payload=payload.decode("latin-1"))

    def onClose(self, wasClean, code, reason):
        emit(event="close", id=self.conn_id, wasClean=wasClean, code=code, reason=reason)


class ServerPeer(Peer, WebSocketServerProtocol):
    def onConnect(self, request):
        self.conn_id = request.params.get("id", ["?"])[0]
        # Protocol options are copied from the factory before onConnect:
        # set this connection's own.
        self.autoFragmentSize = int(request.params.get("frag", ["0"])[0])
        emit(event="connect", id=self.conn_id, path=request.path,
             offer=request.headers.get("sec-websocket-extensions", ""))
        if request.path == "/deny":
            raise ConnectionDeny(403, "Forbidden by Autobahn peer")
        if request.params.get("pmd", [""])[0] == "default":
            self.perMessageCompressionAccept = accept_offers_default
        return None


def accept_offers(offers):
    """Accept the first permessage-deflate offer, requesting "client no
    context takeover" when the client accepts that."""
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer, request_no_context_takeover=offer.accept_no_context_takeover)
    return None


def accept_offers_default(offers):
    """Accept the first permessage-deflate offer with Autobahn's defaults."""
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer)
    return None


class ServerFactory(WebSocketServerFactory):
    protocol = ServerPeer


class ClientPeer(Peer, WebSocketClientProtocol):
    def onConnect(self, response):
        emit(event="connect", id=self.conn_id, protocol=response.protocol,
             extensions=response.headers.get("sec-websocket-extensions", ""))


def accept_response(response):
    if isinstance(response, PerMessageDeflateResponse):
        return PerMessageDeflateResponseAccept(response)
    return None


class Commands(LineReceiver):
    delimiter = b"\n"

    def __init__(self, mode):
        self.mode = mode

    def connectionMade(self):
        global out
        out = self
        if self.mode == "server":
            factory = ServerFactory("ws://127.0.0.1")
            factory.setProtocolOptions(perMessageCompressionAccept=accept_offers)
            port = reactor.listenTCP(0, factory, interface="127.0.0.1")
            emit(event="listening", port=port.getHost().port)

    def lineReceived(self, line):
        if self.mode != "client" or not line.strip():
            return
        req = json.loads(line.decode("utf-8"))
        url = req["url"]
        factory = WebSocketClientFactory(url)
        conn_id, frag = req["id"], req.get("frag", 0)

        class Proto(ClientPeer):
            pass

        Proto.conn_id = conn_id
        factory.protocol = Proto
        factory.setProtocolOptions(autoFragmentSize=frag)
        if req.get("deflate"):
            offer = PerMessageDeflateOffer(request_max_window_bits=req.get("serverMaxWindowBits", 0))
            factory.setProtocolOptions(perMessageCompressionOffers=[offer],
                                       perMessageCompressionAccept=accept_response)
        u = urlparse(url)
        emit(event="dialing", id=conn_id, host=u.hostname, port=u.port)
        connectWS(factory)

    def connectionLost(self, reason):
        if reactor.running:
            reactor.stop()


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("server", "client"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    stdio.StandardIO(Commands(sys.argv[1]))
    reactor.run()


if __name__ == "__main__":
    main()
