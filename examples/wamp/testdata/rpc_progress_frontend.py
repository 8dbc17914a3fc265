# The frontend of Autobahn's rpc/progress example.
from autobahn.wamp.types import CallOptions

from common import frontend, out, parse_args, run


async def body(s):
    def on_progress(i):
        out("Progress: {}".format(i))

    res = await s.call("com.myapp.longop", 3, options=CallOptions(on_progress=on_progress))
    out("Final: {}".format(res))


if __name__ == "__main__":
    run(frontend(body), parse_args())
