# The backend of Autobahn's rpc/decorators example: @wamp.register methods.
import asyncio

from autobahn import wamp
from autobahn.asyncio.wamp import ApplicationSession

from common import out, parse_args, run


class Backend(ApplicationSession):
    async def onJoin(self, details):
        for res in await self.register(self):
            if not isinstance(res, wamp.protocol.Registration):
                raise Exception("failed to register: {}".format(res))
        out("Python backend ready for frontend.")

    def onDisconnect(self):
        asyncio.get_event_loop().stop()

    @wamp.register("com.mathservice.add2")
    def add2(self, x, y):
        return x + y

    @wamp.register("com.mathservice.mul2")
    def mul2(self, x, y):
        return x * y

    @wamp.register("com.mathservice.div2")
    def square(self, x, y):
        if y:
            return float(x) / float(y)
        return 0


if __name__ == "__main__":
    run(Backend, parse_args(), timeout=60)
