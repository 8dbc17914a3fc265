#!/usr/bin/python3
"""Live cross-check helper: Autobahn|Python unserializes bytes made by Go.

Started once by the Go test TestPythonDecodesGo. Protocol, one JSON object
per line:

  helper -> Go   {"ready": true, "autobahn": "22.7.1", "vectors": N}
                 (or the process exits with a traceback on stderr, e.g. when
                 autobahn cannot be imported)
  Go -> helper   {"id": 7, "serializer": "cbor.batched", "names": ["call/ints"], "hex": "..."}
  helper -> Go   {"id": 7, "ok": true}
                 {"id": 7, "ok": false, "error": "..."}

The bytes are unserialized with Autobahn's serializer of that name (with the
isBinary flag of the format, as a transport would pass it); the result must
be exactly one message per name, in order, and each message's marshal() must
equal the vector's expected list, with identical types at every level
(1, 1.0 and True are all different). Where vectors.json records a
"python_value" for the serializer, that is the expected value instead.
Stdin closing ends the helper.

Usage: /usr/bin/python3 testdata/decode_go.py testdata/vectors.json
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # keep testdata free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import abvectors as av  # noqa: E402  (calls txaio.use_twisted())

import autobahn  # noqa: E402


def check(req, expected, serializers):
    sername = req["serializer"]
    ser = serializers.get(sername)
    if ser is None:
        ser = serializers[sername] = av.make_serializer(sername)
    data = bytes.fromhex(req["hex"])
    names = req["names"]
    try:
        msgs = ser.unserialize(data, isBinary=ser._serializer.BINARY)
    except Exception as e:
        return "Autobahn %s cannot unserialize %s: %s: %s" % (sername, ",".join(names), type(e).__name__, e)
    if len(msgs) != len(names):
        return "Autobahn %s unserialized %d messages, want %d" % (sername, len(msgs), len(names))
    for name, msg in zip(names, msgs):
        if name not in expected:
            return "unknown vector %r" % name
        want = expected[name].get(sername, expected[name][None])
        try:
            got = msg.marshal()
        except Exception as e:
            return "vector %s: marshal() of the unserialized message failed: %s: %s" % (name, type(e).__name__, e)
        d = av.strict_diff(want, got)
        if d:
            return "vector %s: Autobahn %s decodes Go's bytes to a different value: %s" % (name, sername, d)
    return None


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: decode_go.py vectors.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    expected = {}
    for v in doc["vectors"]:
        e = {None: av.from_lossless(v["list"])}
        for sername, pv in v.get("python_value", {}).items():
            e[sername] = av.from_lossless(pv)
        expected[v["name"]] = e

    out = sys.stdout
    out.write(json.dumps({"ready": True, "autobahn": autobahn.__version__, "vectors": len(expected)}) + "\n")
    out.flush()

    serializers = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            err = check(req, expected, serializers)
        except Exception as e:  # report, never die: the Go side waits for an answer
            err = "helper error: %s: %s" % (type(e).__name__, e)
        resp = {"id": req.get("id"), "ok": err is None}
        if err is not None:
            resp["error"] = err
        out.write(json.dumps(resp, ensure_ascii=False) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
