#!/usr/bin/python3
"""Joins a router with Autobahn|Python's own authentication and prints the
outcome as one JSON line: {"ok": true, "authid", "authrole", "authmethod"}
or {"ok": false, "reason"}. Usage: py_auth.py URL METHOD AUTHID SECRET
(METHOD wampcra: SECRET is the secret; cryptosign: SECRET is the 64-hex
private key seed)."""
import asyncio
import json
import sys

import txaio
txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp import auth, types  # noqa: E402
from autobahn.wamp.cryptosign import CryptosignKey  # noqa: E402

url, method, authid, secret = sys.argv[1:5]
done = asyncio.get_event_loop().create_future()


class Client(ApplicationSession):
    def onConnect(self):
        extra = {}
        if method == "cryptosign":
            self._key = CryptosignKey.from_bytes(bytes.fromhex(secret))
            extra = {"pubkey": self._key.public_key()}
        self.join("realm1", authmethods=[method], authid=authid or None, authextra=extra)

    def onChallenge(self, challenge):
        if challenge.method == "wampcra":
            key = secret
            if "salt" in challenge.extra:
                key = auth.derive_key(secret, challenge.extra["salt"], challenge.extra["iterations"], challenge.extra["keylen"]).decode()
            return auth.compute_wcs(key, challenge.extra["challenge"]).decode()
        if challenge.method == "cryptosign":
            return self._key.sign_challenge(challenge)
        raise Exception("unexpected challenge " + challenge.method)

    def onJoin(self, details):
        if not done.done():
            done.set_result({"ok": True, "authid": details.authid, "authrole": details.authrole, "authmethod": details.authmethod})
        self.leave()

    def onLeave(self, details):
        if not done.done():
            done.set_result({"ok": False, "reason": details.reason})
        self.disconnect()


async def main():
    factory = WampWebSocketClientFactory(Client, url=url)
    host, port = url.split("//")[1].split("/")[0].split(":")
    loop = asyncio.get_event_loop()
    await loop.create_connection(factory, host, int(port))
    print(json.dumps(await asyncio.wait_for(done, 15)), flush=True)

asyncio.get_event_loop().run_until_complete(main())
