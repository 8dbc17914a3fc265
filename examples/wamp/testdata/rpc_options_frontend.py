# The frontend of Autobahn's rpc/options example: Autobahn|Python 22.7.1
# cannot ask for caller disclosure, so it hears about 0 only when the
# callee does not learn who calls (the Go backend registers with
# disclose_caller, so it does not).
import asyncio

from autobahn.wamp.types import CallOptions

from common import frontend, out, parse_args, run


async def body(s):
    heard = asyncio.Event()

    def on_event(val):
        out("Someone requested to square non-positive: {}".format(val))
        if val == -2:
            heard.set()

    await s.subscribe(on_event, "com.myapp.square_on_nonpositive")
    for val in [2, 0, -2]:
        res = await s.call("com.myapp.square", val, options=CallOptions())
        out("Squared {} = {}".format(val, res))
    await asyncio.wait_for(heard.wait(), 5)


if __name__ == "__main__":
    run(frontend(body), parse_args())
