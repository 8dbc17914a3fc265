# The backend of Autobahn's pubsub/basic example, publishing every
# --interval seconds.
import asyncio

from common import backend, parse_args, run

ARGS = parse_args(interval=1.0)


async def setup(s):
    async def loop():
        counter = 0
        while True:
            s.publish("com.myapp.topic1", counter)
            counter += 1
            await asyncio.sleep(ARGS.interval)

    asyncio.ensure_future(loop())


if __name__ == "__main__":
    run(backend(setup), ARGS, timeout=60)
