"""Shared helpers for the Autobahn|Python wire vectors.

Used by gen_vectors.py (writes vectors.json) and decode_go.py (the live
cross-check helper that the Go tests start). Run with /usr/bin/python3 and
Autobahn|Python 22.7.1 (Debian python3-autobahn).

Lossless JSON notation for generic WAMP values (the "list" of a vector):

    null, true/false      as JSON
    int                   JSON number without '.', 'e' or 'E' (exact, any size)
    float                 JSON number written by repr(): always has '.' or 'e'
    str                   JSON string
    bytes                 {"$bytes": "<standard base64 with padding>"}
    decimal.Decimal       {"$decimal": "<str()>"} (only in "python_value": what
                          Autobahn's UBJSON decoder makes of high-precision numbers)
    list                  JSON array
    dict                  JSON object (keys sorted)

NaN and infinities are not used (JSON cannot carry them).
"""

import base64
import decimal
import json

import txaio

txaio.use_twisted()

from autobahn.wamp import serializer as _ser  # noqa: E402

# The serializer names of the Go registry, in the order used in vectors.json.
SERIALIZER_NAMES = [
    "json", "json.batched",
    "msgpack", "msgpack.batched",
    "cbor", "cbor.batched",
    "ubjson", "ubjson.batched",
]

_CLASSES = {
    "json": _ser.JsonSerializer,
    "msgpack": _ser.MsgPackSerializer,
    "cbor": _ser.CBORSerializer,
    "ubjson": _ser.UBJSONSerializer,
}


def make_serializer(name):
    """Return a fresh Autobahn message serializer for a Go serializer name."""
    base, _, suffix = name.partition(".")
    if base not in _CLASSES or suffix not in ("", "batched"):
        raise ValueError("unknown serializer %r" % name)
    return _CLASSES[base](batched=(suffix == "batched"))


def sort_keys(v):
    """Return v with the keys of every dict, at every level, in sorted order.

    Python sorts str by code point, which for valid UTF-8 is the same order
    as sorting the UTF-8 bytes (what Go's sort on strings does).
    """
    if isinstance(v, dict):
        return {k: sort_keys(v[k]) for k in sorted(v)}
    if isinstance(v, (list, tuple)):
        return [sort_keys(x) for x in v]
    return v


def to_lossless(v):
    """Convert a generic value to the lossless JSON notation (a JSON-able value)."""
    if isinstance(v, bytes):
        return {"$bytes": base64.b64encode(v).decode("ascii")}
    if isinstance(v, decimal.Decimal):
        return {"$decimal": str(v)}
    if isinstance(v, dict):
        for k in v:
            if not isinstance(k, str):
                raise TypeError("map key %r is not a string" % (k,))
        if len(v) == 1 and ("$bytes" in v or "$decimal" in v):
            raise ValueError("a map with the single key $bytes is ambiguous in the notation")
        return {k: to_lossless(v[k]) for k in sorted(v)}
    if isinstance(v, (list, tuple)):
        return [to_lossless(x) for x in v]
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("NaN and infinities have no lossless JSON form")
        return v
    raise TypeError("value of type %s has no lossless JSON form" % type(v).__name__)


def from_lossless(v):
    """Inverse of to_lossless for values parsed by json.loads."""
    if isinstance(v, dict):
        if len(v) == 1 and "$bytes" in v:
            return base64.b64decode(v["$bytes"], validate=True)
        if len(v) == 1 and "$decimal" in v:
            return decimal.Decimal(v["$decimal"])
        return {k: from_lossless(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_lossless(x) for x in v]
    return v


def dumps_lossless(v, **kw):
    """JSON text of v in the lossless notation."""
    return json.dumps(to_lossless(v), ensure_ascii=False, **kw)


def strict_diff(want, got, path="$"):
    """Return None if got equals want with identical types at every level
    (so 1, 1.0 and True differ, and so do -0.0 and 0.0), else a description
    of the first difference."""
    if type(want) is not type(got):
        return "%s: type %s (%r), want type %s (%r)" % (
            path, type(got).__name__, got, type(want).__name__, want)
    if isinstance(want, dict):
        if set(want) != set(got):
            return "%s: keys %s, want %s" % (path, sorted(got), sorted(want))
        for k in sorted(want):
            d = strict_diff(want[k], got[k], "%s[%r]" % (path, k))
            if d:
                return d
        return None
    if isinstance(want, list):
        if len(want) != len(got):
            return "%s: length %d, want %d" % (path, len(got), len(want))
        for i, (w, g) in enumerate(zip(want, got)):
            d = strict_diff(w, g, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if isinstance(want, float):
        if repr(want) != repr(got):
            return "%s: %r, want %r" % (path, got, want)
        return None
    if want != got:
        return "%s: %r, want %r" % (path, got, want)
    return None
