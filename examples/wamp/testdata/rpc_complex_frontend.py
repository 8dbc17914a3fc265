# The frontend of Autobahn's rpc/complex example.
from common import frontend, out, parse_args, run


async def body(s):
    res = await s.call("com.myapp.add_complex", 2, 3, 4, 5)
    out("Result: {} + {}i".format(res.kwresults["c"], res.kwresults["ci"]))
    res = await s.call("com.myapp.split_name", "Homer Simpson")
    out("Forname: {}, Surname: {}".format(res.results[0], res.results[1]))


if __name__ == "__main__":
    run(frontend(body), parse_args())
