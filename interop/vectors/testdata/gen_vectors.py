#!/usr/bin/python3
"""Generate vectors.json: WAMP messages built and serialized by Autobahn|Python.

Every vector is a message built with the autobahn.wamp.message classes. For
each of the eight serializers (json, msgpack, cbor, ubjson, plain and
batched) the file records

  autobahn   the bytes Autobahn's own serializer produced for the message
             (Serializer.serialize), with map keys in the order Autobahn's
             marshal() inserted them;
  canonical  the bytes the same Autobahn object serializer produces for the
             same generic list with the keys of every map sorted (see
             abvectors.sort_keys). This is what a key-sorting encoder must
             produce byte for byte.

The generator checks its own output: every message survives Autobahn's
parse() -> marshal() unchanged, and every recorded byte string unserializes
with Autobahn to exactly the expected list (types included).

Usage (from interop/vectors):
    /usr/bin/python3 testdata/gen_vectors.py -o testdata/vectors.json
"""

import argparse
import base64
import json
import sys
import os

sys.dont_write_bytecode = True  # keep testdata free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import abvectors as av  # noqa: E402  (calls txaio.use_twisted())

import autobahn  # noqa: E402
import cbor2  # noqa: E402
import msgpack  # noqa: E402
import ubjson  # noqa: E402
import autobahn.wamp.cryptobox as cryptobox  # noqa: E402
from autobahn.wamp import message as m  # noqa: E402
from autobahn.wamp import role  # noqa: E402
from autobahn.wamp.types import EncodedPayload  # noqa: E402

# ---------------------------------------------------------------------------
# Values

INTS = [
    0, 1, 23, 24, 127, 128, 255, 256, 32767, 32768, 65535, 65536,
    2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53, 2**63 - 1,
    -1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1,
    -2**53, -2**63,
]
UINT64 = [2**63, 2**64 - 1]
FLOATS_SIMPLE = [1.5, -0.25, 0.1, 3.141592653589793, 123456.789, -0.001]
FLOATS_INTEGRAL = [2.0, -1.0, 1e15, 9007199254740992.0]
FLOATS_ZERO = [0.0]
FLOATS_NEGZERO = [-0.0]
FLOATS_EXPONENT = [1e16, 1e100, 1e-07, -6.02214076e23, 1.7976931348623157e308]
FLOATS_MIN_NORMAL = [2.2250738585072014e-308]
FLOATS_SUBNORMAL = [5e-324]
STRINGS_NONASCII = [
    "", "a", "é", "héllo wörld", "日本語テキスト", "😀 emoji 🚀",
    "ü" * 200, "x" * 300,
]
STRINGS_JSON_ESCAPES = [
    "<script>&amp;</script>", "line\u2028sep\u2029para", "tab\there",
    "ctl\x01\x1f\x7f", "quote\"back\\slash/", "nul\x00inside", "\b\f\n\r",
]
BYTES = [b"", b"\x00", b"hello", b"\xff\xfe\xfd", bytes(range(256))]
NESTED_KWARGS = {
    "a": {"b": {"c": [1, {"d": None, "e": [True, False]}]}},
    "emoji😀": b"\x01\x02",
    "list": [[], {}, [[]], [{}]],
    "ünïcode_kéy": "välue",
    "日本": 1,
}
BIG_MAP = {"k%02d" % i: i * 1000 for i in range(30)}
LONG_LIST = list(range(-5, 35))

FF = [{"authid": "router1", "authrole": "router", "session": 111}]
FF2 = [{"authid": "router1", "authrole": "router", "session": 111},
       {"authid": "edge-ü", "authrole": "edge", "session": 2**53}]
MAX_ID = 2**53

# ---------------------------------------------------------------------------
# WAMP-cryptobox payloads, made by Autobahn's KeyRing with fixed keys and a
# fixed nonce (Autobahn draws the nonce at random; it is patched here so that
# the vectors are reproducible).

CB_ORIGINATOR_PRIV = base64.b64encode(bytes([1] * 32)).decode("ascii")
CB_RESPONDER_PRIV = base64.b64encode(bytes([2] * 32)).decode("ascii")
CB_NONCE = bytes(range(24))


def _cryptobox_payloads():
    key = cryptobox.Key(originator_priv=CB_ORIGINATOR_PRIV, responder_priv=CB_RESPONDER_PRIV)
    ring = cryptobox.KeyRing(default_key=key)
    saved = cryptobox.random
    cryptobox.random = lambda n: CB_NONCE[:n]
    try:
        specs = [
            ("call", True, "com.example.secret", [1, "two", b"\x03"], {"four": 4.5}),
            ("yield", False, "com.example.secret", ["result ü"], None),
            ("error", False, "com.example.error.secret", ["denied"], {"code": 403}),
            ("publish", True, "com.example.topic", ["hello"], {"x": [1, 2]}),
        ]
        out = {}
        meta = []
        for name, originating, uri, args, kwargs in specs:
            enc = ring.encode(originating, uri, args, kwargs)
            assert enc.enc_algo == "cryptobox" and enc.enc_serializer == "json"
            back = ring.decode(originating, uri, EncodedPayload(enc.payload, "cryptobox", "json"))
            assert back == (uri, args, kwargs), back
            out[name] = enc.payload
            meta.append({"name": name, "originating": originating, "uri": uri,
                         "args": args, "kwargs": kwargs, "payload": enc.payload})
        return out, meta
    finally:
        cryptobox.random = saved


CB, CB_META = _cryptobox_payloads()

# ---------------------------------------------------------------------------
# Vectors: (name, constructor). Each constructor returns a new message.


def _broker_features():
    return role.RoleBrokerFeatures(
        publisher_identification=True, publication_trustlevels=False,
        pattern_based_subscription=True, session_meta_api=True,
        subscription_meta_api=True, subscriber_blackwhite_listing=True,
        publisher_exclusion=True, subscription_revocation=True,
        event_history=False, payload_transparency=True,
        x_acknowledged_event_delivery=True, payload_encryption_cryptobox=True,
        event_retention=True)


def _dealer_features():
    return role.RoleDealerFeatures(
        caller_identification=True, call_trustlevels=False,
        pattern_based_registration=True, session_meta_api=True,
        registration_meta_api=True, shared_registration=True,
        call_timeout=True, call_canceling=True, progressive_call_results=True,
        registration_revocation=True, payload_transparency=True,
        testament_meta_api=True, payload_encryption_cryptobox=True)


def _client_roles():
    return {
        "subscriber": role.RoleSubscriberFeatures(
            publisher_identification=True, pattern_based_subscription=True,
            subscription_revocation=True, payload_transparency=True,
            payload_encryption_cryptobox=True),
        "publisher": role.RolePublisherFeatures(
            publisher_identification=True, subscriber_blackwhite_listing=True,
            publisher_exclusion=True, payload_transparency=True,
            x_acknowledged_event_delivery=True, payload_encryption_cryptobox=True),
        "caller": role.RoleCallerFeatures(
            caller_identification=True, progressive_call_results=True,
            call_canceling=True, call_timeout=True, payload_transparency=True,
            payload_encryption_cryptobox=True),
        "callee": role.RoleCalleeFeatures(
            caller_identification=True, pattern_based_registration=True,
            shared_registration=True, progressive_call_results=True,
            registration_revocation=True, call_timeout=True, call_canceling=True,
            payload_transparency=True, payload_encryption_cryptobox=True),
    }


CRA_CHALLENGE = json.dumps({
    "authid": "peter", "authrole": "user", "authmethod": "wampcra",
    "authprovider": "static", "session": 3251278072152162,
    "nonce": "LHRTC9zeOIrt_9U3", "timestamp": "2014-06-22T16:36:25.448Z"})

VECTORS = [
    # HELLO
    ("hello/minimal", lambda: m.Hello("realm1", {"subscriber": role.RoleSubscriberFeatures()})),
    ("hello/null_realm", lambda: m.Hello(None, {"caller": role.RoleCallerFeatures()})),
    ("hello/full", lambda: m.Hello(
        "com.example.réalm", _client_roles(),
        authmethods=["cryptosign", "wampcra", "ticket", "anonymous"],
        authid="jöhn", authrole="user",
        authextra={"pubkey": "545efb0a2192db8d43f118e9bf9aee081466e1ef36c708b96ee6f62dddad9122",
                   "channel_binding": None, "x_custom": [1, 2.5, b"\x00"]},
        resumable=True, resume_session=MAX_ID, resume_token="tok-123")),
    # WELCOME
    ("welcome/minimal", lambda: m.Welcome(1, {"broker": role.RoleBrokerFeatures()})),
    ("welcome/full", lambda: m.Welcome(
        MAX_ID, {"broker": _broker_features(), "dealer": _dealer_features()},
        realm="realm1", authid="jöhn", authrole="user", authmethod="cryptosign",
        authprovider="static", authextra={"x_cb_node": "node1", "x_cb_pid": 4242},
        resumed=True, resumable=True, resume_token="tök",
        custom={"x_cb_node": "intel-nuc", "x_cb_peer": "tcp4:127.0.0.1:51520",
                "x_cb_pid": 28374, "x_cb_worker": "worker001", "x_": 0})),
    # ABORT
    ("abort/reason_only", lambda: m.Abort("wamp.error.no_such_realm")),
    ("abort/message", lambda: m.Abort("wamp.error.authentication_failed", message="ungültig ✗ 拒否")),
    # CHALLENGE
    ("challenge/ticket", lambda: m.Challenge("ticket")),
    ("challenge/wampcra_salted", lambda: m.Challenge("wampcra", {
        "challenge": CRA_CHALLENGE, "salt": "salt123", "iterations": 1000, "keylen": 32})),
    ("challenge/cryptosign", lambda: m.Challenge("cryptosign", {
        "challenge": bytes(range(32)).hex(), "channel_binding": None})),
    # AUTHENTICATE
    ("authenticate/ticket", lambda: m.Authenticate("sëcret-ticket")),
    ("authenticate/cryptosign", lambda: m.Authenticate(
        bytes(range(96)).hex(), {"challenge": "ab" * 32, "channel_binding": "tls-unique"})),
    # GOODBYE
    ("goodbye/default", lambda: m.Goodbye()),
    ("goodbye/message_resumable", lambda: m.Goodbye(
        reason="wamp.close.system_shutdown", message="Router fährt herunter", resumable=True)),
    # ERROR
    ("error/publish", lambda: m.Error(16, 1, "wamp.error.not_authorized")),
    ("error/subscribe", lambda: m.Error(32, 2, "wamp.error.invalid_uri")),
    ("error/unsubscribe", lambda: m.Error(34, 3, "wamp.error.no_such_subscription")),
    ("error/call", lambda: m.Error(48, MAX_ID, "wamp.error.no_such_procedure")),
    ("error/register", lambda: m.Error(64, 5, "wamp.error.procedure_already_exists")),
    ("error/unregister", lambda: m.Error(66, 6, "wamp.error.no_such_registration")),
    ("error/invocation_args_kwargs", lambda: m.Error(
        68, 7, "com.example.error.invalid_input", args=["bad input", 42, -2**53],
        kwargs={"field": "näme", "limits": {"max": 1.5, "min": -1}})),
    ("error/invocation_kwargs_only", lambda: m.Error(
        68, 8, "com.example.error", args=[], kwargs={"reason": "x"})),
    ("error/call_callee_details", lambda: m.Error(
        48, 9, "com.example.error", args=[1], callee=MAX_ID, callee_authid="callee-ü",
        callee_authrole="backend", forward_for=FF)),
    ("error/invocation_cryptobox", lambda: m.Error(
        68, 10, "com.example.error.secret", payload=CB["error"], enc_algo="cryptobox",
        enc_serializer="json")),
    # PUBLISH
    ("publish/minimal", lambda: m.Publish(1, "com.example.topic")),
    ("publish/empty_args_kwargs", lambda: m.Publish(2, "com.example.topic", args=[], kwargs={})),
    ("publish/args", lambda: m.Publish(3, "com.example.topic", args=["hello", 1, True, None])),
    ("publish/kwargs_only", lambda: m.Publish(4, "com.example.topic", args=[], kwargs={"a": 1})),
    ("publish/options_all", lambda: m.Publish(
        MAX_ID, "com.example.topic", args=[1, 2], kwargs={"k": "v"},
        acknowledge=True, exclude_me=False, exclude=[1, 2, MAX_ID],
        exclude_authid=["alice", "böb"], exclude_authrole=["guest"],
        eligible=[3, 4], eligible_authid=["carol"], eligible_authrole=["user", "admin"],
        retain=True, transaction_hash="tx-1", forward_for=FF2)),
    ("publish/cryptobox", lambda: m.Publish(
        6, "com.example.topic", payload=CB["publish"], acknowledge=True,
        enc_algo="cryptobox", enc_serializer="json")),
    ("publish/cryptobox_enc_key", lambda: m.Publish(
        7, "com.example.topic", payload=CB["publish"], enc_algo="cryptobox",
        enc_key="key-1", enc_serializer="json")),
    ("publish/nested_kwargs", lambda: m.Publish(8, "com.example.topic", args=[], kwargs=NESTED_KWARGS)),
    # PUBLISHED
    ("published/min_ids", lambda: m.Published(1, 1)),
    ("published/max_ids", lambda: m.Published(MAX_ID, MAX_ID)),
    # SUBSCRIBE
    ("subscribe/exact", lambda: m.Subscribe(1, "com.example.topic")),
    ("subscribe/prefix_retained", lambda: m.Subscribe(
        2, "com.example", match="prefix", get_retained=True)),
    ("subscribe/wildcard_forward_for", lambda: m.Subscribe(
        3, "com..on_event", match="wildcard", forward_for=FF)),
    # SUBSCRIBED
    ("subscribed/basic", lambda: m.Subscribed(1, 5512315355)),
    # UNSUBSCRIBE
    ("unsubscribe/basic", lambda: m.Unsubscribe(2, 5512315355)),
    ("unsubscribe/forward_for", lambda: m.Unsubscribe(3, MAX_ID, forward_for=FF)),
    # UNSUBSCRIBED
    ("unsubscribed/basic", lambda: m.Unsubscribed(2)),
    ("unsubscribed/revocation", lambda: m.Unsubscribed(
        0, subscription=5512315355, reason="wamp.error.subscription_revoked")),
    # EVENT
    ("event/minimal", lambda: m.Event(5512315355, 4429313566)),
    ("event/args_kwargs", lambda: m.Event(1, 2, args=["héllo", 2**53], kwargs={"b": b"\x00\xff"})),
    ("event/details_all", lambda: m.Event(
        MAX_ID, MAX_ID, args=[1], publisher=3335656, publisher_authid="alice",
        publisher_authrole="user", topic="com.example.topic.sub", retained=True,
        transaction_hash="tx-2", x_acknowledged_delivery=True, forward_for=FF)),
    ("event/cryptobox", lambda: m.Event(
        3, 4, payload=CB["publish"], publisher=5, enc_algo="cryptobox", enc_serializer="json")),
    # CALL
    ("call/minimal", lambda: m.Call(1, "com.example.add")),
    ("call/empty_args_kwargs", lambda: m.Call(2, "com.example.add", args=[], kwargs={})),
    ("call/kwargs_only", lambda: m.Call(3, "com.example.add", args=[], kwargs={"x": 1})),
    ("call/options_all", lambda: m.Call(
        MAX_ID, "com.example.add", args=[2, 3], timeout=1000, receive_progress=True,
        transaction_hash="tx-3", caller=77, caller_authid="caller-ü",
        caller_authrole="frontend", forward_for=FF2)),
    ("call/timeout_zero", lambda: m.Call(5, "com.example.add", args=[1], timeout=0)),
    ("call/cryptobox", lambda: m.Call(
        6, "com.example.secret", payload=CB["call"], enc_algo="cryptobox", enc_serializer="json")),
    ("call/ints", lambda: m.Call(7, "com.example.ints", args=INTS, kwargs={"max": 2**63 - 1, "min": -2**63})),
    ("call/uint64", lambda: m.Call(8, "com.example.uint64", args=UINT64)),
    ("call/floats_simple", lambda: m.Call(9, "com.example.floats", args=FLOATS_SIMPLE)),
    ("call/floats_integral", lambda: m.Call(10, "com.example.floats", args=FLOATS_INTEGRAL)),
    ("call/floats_zero", lambda: m.Call(11, "com.example.floats", args=FLOATS_ZERO)),
    ("call/floats_negzero", lambda: m.Call(12, "com.example.floats", args=FLOATS_NEGZERO)),
    ("call/floats_exponent", lambda: m.Call(13, "com.example.floats", args=FLOATS_EXPONENT)),
    ("call/floats_min_normal", lambda: m.Call(14, "com.example.floats", args=FLOATS_MIN_NORMAL)),
    ("call/floats_subnormal", lambda: m.Call(22, "com.example.floats", args=FLOATS_SUBNORMAL)),
    ("call/strings_nonascii", lambda: m.Call(15, "com.example.strings", args=STRINGS_NONASCII)),
    ("call/strings_json_escapes", lambda: m.Call(16, "com.example.strings", args=STRINGS_JSON_ESCAPES)),
    ("call/bytes", lambda: m.Call(17, "com.example.bytes", args=BYTES,
                                   kwargs={"empty": b"", "nested": [b"\x01", {"b": b"\x02"}]})),
    ("call/nested_kwargs", lambda: m.Call(18, "com.example.nested", args=[NESTED_KWARGS], kwargs=NESTED_KWARGS)),
    ("call/big_map_long_list", lambda: m.Call(19, "com.example.big", args=LONG_LIST, kwargs=BIG_MAP)),
    ("call/bools_nulls", lambda: m.Call(20, "com.example.misc", args=[True, False, None, [None], {"n": None}])),
    ("call/uri_nonascii", lambda: m.Call(21, "com.exämple.日本.proc", args=[1])),
    # CANCEL
    ("cancel/default", lambda: m.Cancel(1)),
    ("cancel/skip", lambda: m.Cancel(2, mode="skip")),
    ("cancel/kill", lambda: m.Cancel(3, mode="kill")),
    ("cancel/killnowait_forward_for", lambda: m.Cancel(MAX_ID, mode="killnowait", forward_for=FF)),
    # RESULT
    ("result/minimal", lambda: m.Result(1)),
    ("result/args", lambda: m.Result(2, args=[30])),
    ("result/kwargs_only", lambda: m.Result(3, args=[], kwargs={"sum": 30.5})),
    ("result/progress_callee", lambda: m.Result(
        MAX_ID, args=["partial"], progress=True, callee=88, callee_authid="callee-1",
        callee_authrole="backend", forward_for=FF)),
    ("result/cryptobox", lambda: m.Result(
        5, payload=CB["yield"], enc_algo="cryptobox", enc_serializer="json")),
    ("result/bytes_floats", lambda: m.Result(6, args=[b"\x00\x01", 0.5, -2.75], kwargs={"raw": bytes(range(256))})),
    # REGISTER
    ("register/exact", lambda: m.Register(1, "com.example.add")),
    ("register/prefix_roundrobin", lambda: m.Register(
        2, "com.example", match="prefix", invoke="roundrobin")),
    ("register/wildcard_all_options", lambda: m.Register(
        MAX_ID, "com..add", match="wildcard", invoke="random", concurrency=10,
        force_reregister=True, forward_for=FF)),
    ("register/invoke_first", lambda: m.Register(4, "com.example.first", invoke="first")),
    ("register/invoke_last", lambda: m.Register(5, "com.example.last", invoke="last", concurrency=1)),
    # REGISTERED
    ("registered/basic", lambda: m.Registered(1, 2103333224)),
    # UNREGISTER
    ("unregister/basic", lambda: m.Unregister(2, 2103333224)),
    ("unregister/forward_for", lambda: m.Unregister(3, MAX_ID, forward_for=FF)),
    # UNREGISTERED
    ("unregistered/basic", lambda: m.Unregistered(2)),
    ("unregistered/revocation", lambda: m.Unregistered(
        0, registration=2103333224, reason="wamp.error.registration_revoked")),
    # INVOCATION
    ("invocation/minimal", lambda: m.Invocation(1, 2103333224)),
    ("invocation/args_kwargs", lambda: m.Invocation(2, 2103333224, args=[2, 3], kwargs={"ü": "ß"})),
    ("invocation/details_all", lambda: m.Invocation(
        MAX_ID, MAX_ID, args=[1], timeout=5000, receive_progress=True, caller=77,
        caller_authid="caller-ü", caller_authrole="frontend", procedure="com.example.add.sub",
        transaction_hash="tx-4", forward_for=FF2)),
    ("invocation/cryptobox", lambda: m.Invocation(
        4, 5, payload=CB["call"], caller=6, enc_algo="cryptobox", enc_serializer="json")),
    ("invocation/ints_bytes", lambda: m.Invocation(5, 6, args=INTS + BYTES)),
    # INTERRUPT
    ("interrupt/default", lambda: m.Interrupt(1)),
    ("interrupt/kill_reason", lambda: m.Interrupt(2, mode="kill", reason="wamp.error.canceled")),
    ("interrupt/killnowait_forward_for", lambda: m.Interrupt(
        MAX_ID, mode="killnowait", reason="wamp.error.timeout", forward_for=FF)),
    # YIELD
    ("yield/minimal", lambda: m.Yield(1)),
    ("yield/args", lambda: m.Yield(2, args=[5])),
    ("yield/kwargs_only", lambda: m.Yield(3, args=[], kwargs={"result": [1, 2]})),
    ("yield/progress_callee", lambda: m.Yield(
        MAX_ID, args=["chunk ü"], progress=True, callee=88, callee_authid="callee-1",
        callee_authrole="backend", forward_for=FF)),
    ("yield/cryptobox", lambda: m.Yield(
        5, payload=CB["yield"], enc_algo="cryptobox", enc_serializer="json")),
    ("yield/floats_strings", lambda: m.Yield(6, args=FLOATS_SIMPLE + STRINGS_NONASCII)),
]

# Messages concatenated into one multi-message batch per batched serializer.
BATCH = ["call/minimal", "result/args", "event/details_all", "goodbye/default"]


def _check_parse_roundtrip(name, lst):
    klass = av.make_serializer("json").MESSAGE_TYPE_MAP[lst[0]]
    again = klass.parse(lst).marshal()
    d = av.strict_diff(lst, again)
    if d:
        raise SystemExit("vector %s: parse(marshal()).marshal() differs: %s" % (name, d))


# Vectors that Autobahn itself does not round-trip with one serializer: what
# it decodes is recorded as "python_value" (see README.md).
PYTHON_DECODES_DIFFERENTLY = {
    # py-ubjson writes integers >= 2**63 as high-precision numbers ('H') and
    # reads them back as decimal.Decimal.
    ("call/uint64", "ubjson"): "py-ubjson decodes high-precision numbers as decimal.Decimal",
    # py-ubjson writes floats outside its float64 range check (subnormals) as
    # high-precision numbers and reads them back as decimal.Decimal.
    ("call/floats_subnormal", "ubjson"): "py-ubjson decodes high-precision numbers as decimal.Decimal",
}


def _check_unserialize(name, sername, data, lst):
    """Unserialize data with Autobahn; return what it decodes to if that is
    an allowed difference from lst, else None."""
    ser = av.make_serializer(sername)
    msgs = ser.unserialize(data, isBinary=ser._serializer.BINARY)
    if len(msgs) != 1:
        raise SystemExit("vector %s/%s: %d messages" % (name, sername, len(msgs)))
    got = msgs[0].marshal()
    d = av.strict_diff(lst, got)
    if not d:
        return None
    if (name, sername.split(".")[0]) in PYTHON_DECODES_DIFFERENTLY:
        return got
    raise SystemExit("vector %s/%s: Autobahn unserializes to a different value: %s" % (name, sername, d))


def build():
    vectors = []
    seen = set()
    by_name = {}
    for name, make in VECTORS:
        if name in seen:
            raise SystemExit("duplicate vector name " + name)
        seen.add(name)
        msg = make()
        lst = msg.marshal()
        _check_parse_roundtrip(name, lst)
        autob, canon, pyval = {}, {}, {}
        for sername in av.SERIALIZER_NAMES:
            ser = av.make_serializer(sername)
            data, is_binary = ser.serialize(make())
            assert is_binary == ser._serializer.BINARY
            autob[sername] = data
            canon[sername] = ser._serializer.serialize(av.sort_keys(lst))
            got = _check_unserialize(name, sername, data, lst)
            got2 = _check_unserialize(name, sername, canon[sername], lst)
            assert av.strict_diff(got, got2) is None
            if got is not None:
                pyval[sername] = got
        by_name[name] = (autob, canon)
        vec = {
            "name": name,
            "type": lst[0],
            "list": av.to_lossless(lst),
            "autobahn": {k: v.hex() for k, v in autob.items()},
            "canonical": {k: v.hex() for k, v in canon.items()},
        }
        if pyval:
            vec["python_value"] = {k: av.to_lossless(v) for k, v in pyval.items()}
            vec["python_value_note"] = PYTHON_DECODES_DIFFERENTLY[(name, next(iter(pyval)).split(".")[0])]
        vectors.append(vec)
    for key in PYTHON_DECODES_DIFFERENTLY:
        if not any(v["name"] == key[0] and key[1] in v.get("python_value", {}) for v in vectors):
            raise SystemExit("PYTHON_DECODES_DIFFERENTLY entry %r is stale" % (key,))

    batches = []
    for sername in av.SERIALIZER_NAMES:
        if not sername.endswith(".batched"):
            continue
        data = b"".join(by_name[n][0][sername] for n in BATCH)
        ser = av.make_serializer(sername)
        msgs = ser.unserialize(data, isBinary=ser._serializer.BINARY)
        assert len(msgs) == len(BATCH)
        batches.append({"serializer": sername, "messages": BATCH, "hex": data.hex()})

    return {
        "comment": "Generated by testdata/gen_vectors.py; do not edit. See README.md.",
        "generator": {
            "autobahn": autobahn.__version__,
            "cbor2": getattr(cbor2, "__version__", "") or _dist_version("cbor2"),
            "msgpack": ".".join(str(x) for x in msgpack.version),
            "ubjson": ubjson.__version__,
            "ubjson_extension": ubjson.EXTENSION_ENABLED,
            "python": sys.version.split()[0],
        },
        "serializers": av.SERIALIZER_NAMES,
        "cryptobox": {
            "originator_priv": CB_ORIGINATOR_PRIV,
            "responder_priv": CB_RESPONDER_PRIV,
            "nonce": {"$bytes": base64.b64encode(CB_NONCE).decode("ascii")},
            "payloads": av.to_lossless(CB_META),
        },
        "vectors": vectors,
        "batches": batches,
    }


def _dist_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    a = ap.parse_args()
    doc = build()
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %d vectors to %s" % (len(doc["vectors"]), a.output), file=sys.stderr)


if __name__ == "__main__":
    main()
