# The frontend of Autobahn's rpc/errors example, with AppError1 defined for
# com.myapp.error1.
from autobahn import wamp
from autobahn.wamp.exception import ApplicationError

from common import frontend, out, parse_args, run, show


@wamp.error("com.myapp.error1")
class AppError1(Exception):
    pass


def report(e):
    out("Error:", e.error, show(list(e.args)), show(e.kwargs or {}))


async def body(s):
    for x in [2, 0, -2]:
        try:
            res = await s.call("com.myapp.sqrt", x)
        except ApplicationError as e:
            report(e)
        else:
            out("Result:", show(res))
    for name in ["foo", "a", "*" * 11, "Hello"]:
        try:
            res = await s.call("com.myapp.checkname", name)
        except ApplicationError as e:
            report(e)
        else:
            out("Result:", show(res))
    s.define(AppError1)
    try:
        await s.call("com.myapp.compare", 3, 17)
    except AppError1 as e:
        out("Compare Error: {}".format(e))
    else:
        raise Exception("com.myapp.compare did not fail")


if __name__ == "__main__":
    run(frontend(body), parse_args())
