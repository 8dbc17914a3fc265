#!/usr/bin/python3
"""Writes <format>/testdata/golden.json: how Autobahn|Python's MessagePack or
CBOR object serializer encodes each case, for the byte-for-byte tests
(serialtest.CheckGolden) of serializers/msgpack and serializers/cbor.

Run with Debian's /usr/bin/python3 (python3-autobahn, python3-msgpack,
python3-cbor2), from any directory:

    /usr/bin/python3 golden.py msgpack
    /usr/bin/python3 golden.py cbor

Each case has a name that serialtest.GoldenValues maps to the same value in
Go. Maps are built with their keys inserted in sorted order, since Go sorts
them when encoding. Encodings up to 512 bytes are stored as hex; longer ones
by length, first 32 bytes and SHA-256.
"""

import hashlib
import json
import math
import os
import sys

from autobahn.wamp.serializer import CBORObjectSerializer, MsgPackObjectSerializer

# Autobahn|Python's own object serializers (python3-autobahn), by format.
SERIALIZERS = {
    "msgpack": MsgPackObjectSerializer,
    "cbor": CBORObjectSerializer,
}


def sorted_maps(v):
    if isinstance(v, dict):
        return {k: sorted_maps(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [sorted_maps(e) for e in v]
    return v


def cases():
    c = {
        "nil": None,
        "true": True,
        "false": False,
    }
    ints = [0, 1, 23, 24, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32,
            2**63 - 1, 2**63, 2**64 - 1,
            -1, -24, -25, -32, -33, -128, -129, -256, -257, -32768, -32769,
            -65536, -65537, -2**31, -2**31 - 1, -2**32, -2**32 - 1, -2**63]
    for i in ints:
        c["int %d" % i] = i
    floats = {
        "0": 0.0, "-0": -0.0, "1.5": 1.5, "-1.5": -1.5, "0.1": 0.1,
        "1e300": 1e300, "5e-324": 5e-324, "maxfloat32": 3.4028234663852886e38,
        "NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf,
    }
    for k, v in floats.items():
        c["float " + k] = v
    c["str empty"] = ""
    c["str unicode"] = "a\u00e4\u20ac\U0001f600"
    c["bytes empty"] = b""
    c["bytes 00ff"] = b"\x00\xff"
    for n in [1, 15, 16, 23, 24, 31, 32, 255, 256, 65535, 65536]:
        c["str len %d" % n] = "s" * n
        c["bytes len %d" % n] = b"\xab" * n
        c["list len %d" % n] = [0] * n
        c["map len %d" % n] = {"k%06d" % i: i % 2 == 0 for i in range(n)}
    c["list empty"] = []
    c["map empty"] = {}
    c["map unicode keys"] = {"\u00e9": 1, "z": 2, "a": 3, "Z": 4, "\u20ac": 5,
                             "\U0001f600": 6, "": 7, "aa": 8}
    c["nested"] = {"a": [1, [2, [3, {"b": {"c": [None, True, b"x", 1.25]}}]]],
                   "list": [[], {}, "", b""]}
    c["call"] = [48, 7814135, {}, "com.myapp.add2", [23, 7],
                 {"mode": "fast", "verbose": True}]
    c["event"] = [36, 5512315355, 4429313566, {},
                  [bytes(i % 251 for i in range(1024))]]
    c["hello"] = [1, "com.myapp.realm1", {
        "roles": {"caller": {"features": {"progressive_call_results": True,
                                          "call_canceling": True}},
                  "subscriber": {}, "publisher": {}, "callee": {}},
        "authmethods": ["anonymous", "ticket"], "authid": "joe"}]
    return {k: sorted_maps(v) for k, v in c.items()}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SERIALIZERS:
        sys.exit("usage: golden.py {%s}" % "|".join(SERIALIZERS))
    fmt = sys.argv[1]
    serializer = SERIALIZERS[fmt]()
    out = []
    for name, value in cases().items():
        data = serializer.serialize(value)
        rec = {"name": name, "len": len(data),
               "sha256": hashlib.sha256(data).hexdigest()}
        if len(data) <= 512:
            rec["hex"] = data.hex()
        else:
            rec["prefix"] = data[:32].hex()
        out.append(rec)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", fmt, "testdata", "golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
