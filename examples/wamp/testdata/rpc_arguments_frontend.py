# The frontend of Autobahn's rpc/arguments example, printing what the Go
# frontend prints.
from common import frontend, out, parse_args, run, show


async def body(s):
    await s.call("com.arguments.ping")
    out("Pinged!")
    out("Add2:", show(await s.call("com.arguments.add2", 2, 3)))
    out("Starred 1:", show(await s.call("com.arguments.stars")))
    out("Starred 2:", show(await s.call("com.arguments.stars", nick="Homer")))
    out("Starred 3:", show(await s.call("com.arguments.stars", stars=5)))
    out("Starred 4:", show(await s.call("com.arguments.stars", nick="Homer", stars=5)))
    out("Orders 1:", show(await s.call("com.arguments.orders", "coffee")))
    out("Orders 2:", show(await s.call("com.arguments.orders", "coffee", limit=10)))
    out("Arglen 1:", show(await s.call("com.arguments.arglen")))
    out("Arglen 2:", show(await s.call("com.arguments.arglen", 1, 2, 3)))
    out("Arglen 3:", show(await s.call("com.arguments.arglen", a=1, b=2, c=3)))
    out("Arglen 4:", show(await s.call("com.arguments.arglen", 1, 2, 3, a=1, b=2, c=3)))


if __name__ == "__main__":
    run(frontend(body), parse_args())
