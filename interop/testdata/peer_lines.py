# The output side of the line protocol of internal/peers, for every
# Autobahn|Python peer script whatever its event loop: twisted_peer.py
# builds its scenario runner on it, and auth_peer.py (asyncio, so it cannot
# import twisted_peer, which selects Twisted for txaio) uses it directly.
# It imports nothing of Autobahn, txaio or an event loop for that reason.
#
# Output, one JSON object per line: {"s": id, "k": key, "v": value},
# {"s": id, "done": true}, {"s": id, "fail": traceback}, {"end": true},
# {"fatal": message}.

import json
import sys


def emit(obj):
    # sys.__stdout__: Twisted's logging redirects sys.stdout.
    print(json.dumps(obj, sort_keys=True), file=sys.__stdout__, flush=True)


def norm(v, other=None):
    """v as JSON that Go can compare exactly: bytes become {"$bytes": hex},
    tuples lists, dict keys strings. A value of any other type becomes
    {"$repr": repr}, unless other (a script's way to report its own types)
    returns something not None for it: that is normalized in its place."""
    if isinstance(v, (bytes, bytearray)):
        return {'$bytes': bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [norm(x, other) for x in v]
    if isinstance(v, dict):
        return {str(k): norm(x, other) for k, x in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if other is not None:
        w = other(v)
        if w is not None:
            return norm(w, other)
    return {'$repr': repr(v)}
