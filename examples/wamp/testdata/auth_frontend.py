# The frontend of Autobahn's asyncio component example: a Component that
# authenticates with WAMP-CRA (authid bob, role dynamic_authed) and calls
# example.foo.
import asyncio
import os
import sys
import traceback

import txaio
from autobahn.asyncio.component import Component

from common import out, parse_args

ARGS = parse_args(authid="bob", authrole="dynamic_authed", secret="p4ssw0rd")
status = {"code": 1}


async def main(reactor, session):
    try:
        d = session.session_details
        out("Client session={} authid={} authrole={} authmethod={}".format(d.session, d.authid, d.authrole, d.authmethod))
        out("calling 'example.foo'")
        res = await session.call("example.foo")
        out("example.foo() = {}".format(res))
        out("done")
        status["code"] = 0
    except Exception:
        traceback.print_exc()


component = Component(
    transports=[{"url": ARGS.url, "max_retries": 0}],
    main=main,
    realm=ARGS.realm,
    authentication={"wampcra": {"authid": ARGS.authid, "authrole": ARGS.authrole, "secret": ARGS.secret}},
)

if __name__ == "__main__":
    # autobahn.asyncio.component.run() of 22.7.1 needs asyncio.coroutine,
    # which Python 3.11 no longer has: start the component on a loop instead.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    txaio.config.loop = loop
    loop.call_later(30, lambda: os._exit(3))
    try:
        loop.run_until_complete(component.start(loop))
    except Exception:
        traceback.print_exc()
        status["code"] = 1
    sys.exit(status["code"])
