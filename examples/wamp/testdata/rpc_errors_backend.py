# The backend of Autobahn's rpc/errors example.
import math

from autobahn import wamp
from autobahn.wamp.exception import ApplicationError

from common import backend, parse_args, run


@wamp.error("com.myapp.error1")
class AppError1(Exception):
    pass


async def setup(s):
    def sqrt(x):
        if x == 0:
            raise Exception("don't ask foolish questions;)")
        return math.sqrt(x)

    await s.register(sqrt, "com.myapp.sqrt")

    def checkname(name):
        if name in ["foo", "bar"]:
            raise ApplicationError("com.myapp.error.reserved")
        if name.lower() != name.upper():
            raise ApplicationError("com.myapp.error.mixed_case", name.lower(), name.upper())
        if len(name) < 3 or len(name) > 10:
            raise ApplicationError("com.myapp.error.invalid_length", min=3, max=10)

    await s.register(checkname, "com.myapp.checkname")

    s.define(AppError1)

    def compare(a, b):
        if a < b:
            raise AppError1(b - a)

    await s.register(compare, "com.myapp.compare")


if __name__ == "__main__":
    run(backend(setup), parse_args(), timeout=60)
