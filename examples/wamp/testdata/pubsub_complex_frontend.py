# The frontend of Autobahn's pubsub/complex example, listening for
# --duration seconds.
import asyncio

from autobahn.wamp.types import SubscribeOptions

from common import frontend, out, parse_args, run, show

ARGS = parse_args(duration=5.0)


async def body(s):
    def on_heartbeat(details=None):
        out("Got heartbeat (publication ID {})".format(details.publication))

    await s.subscribe(on_heartbeat, "com.myapp.heartbeat", options=SubscribeOptions(details_arg="details"))

    def on_topic2(a, b, c=None, d=None):
        out("Got event: {} {} {} {}".format(show(a), show(b), show(c), show(d)))

    await s.subscribe(on_topic2, "com.myapp.topic2")
    await asyncio.sleep(ARGS.duration)


if __name__ == "__main__":
    run(frontend(body), ARGS)
