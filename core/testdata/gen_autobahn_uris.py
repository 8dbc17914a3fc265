#!/usr/bin/python3
"""Regenerates autobahn_uris.json: whether Autobahn|Python's
check_or_raise_uri accepts each URI, per strictness and match policy, used by
TestValidateURIAutobahn.

    /usr/bin/python3 core/testdata/gen_autobahn_uris.py > core/testdata/autobahn_uris.json

URIs ending in a newline are left out: Python's "$" also matches before a
final newline, so Autobahn accepts "a.b\\n", which this package rejects.
"""
import json

from autobahn.wamp.exception import InvalidUriError
from autobahn.wamp.message import check_or_raise_uri

uris = [
    "", ".", "..", "a", "a.b", "a.b.c", "com.example.add", "a.", ".a", "a..b", "a..", "..a",
    "A.B", "a-b.c", "a_b.c_d", "0.1", "a.b#", "#", "a b", "a\tb", "a\u00a0b", "a\u2028b",
    "a\u3000b", "a\x1cb", "a\x1fb", "a\x7fb", "a\u180eb", "München.straße", "a.b.", "a.b..",
    "wamp.error.no_such_procedure", "com.myapp..create", "com.myapp.", "x_y.z9", "é", "a/b:c",
    "a\x00b", "\x0b", "a.b c", "a .b", "abc\u200bdef",
]

out = []
for uri in uris:
    for strict in (False, True):
        for match in ("exact", "prefix", "wildcard"):
            try:
                check_or_raise_uri(uri, strict=strict,
                                   allow_empty_components=(match == "wildcard"),
                                   allow_last_empty=(match == "prefix"))
                ok = True
            except InvalidUriError:
                ok = False
            out.append([uri, strict, match, ok])
print(json.dumps(out, indent=0))
