#!/usr/bin/python3
"""Regenerates autobahn_marshal.json: the list forms that Autobahn|Python's
message classes write (Message.marshal), used by TestAutobahnVectors.

Run with the Debian python3-autobahn (22.7.1):
    /usr/bin/python3 core/testdata/gen_autobahn.py > core/testdata/autobahn_marshal.json

Byte strings are written with WAMP's JSON convention: "\\u0000" + base64.
"""
import base64
import json

from autobahn.wamp import message as m
from autobahn.wamp import role

P = b"\x00\x01opaque\xff"

vectors = [
    ("hello", m.Hello("realm1", {
        "caller": role.RoleCallerFeatures(progressive_call_results=True, call_canceling=True),
        "callee": role.RoleCalleeFeatures(),
        "publisher": role.RolePublisherFeatures(publisher_exclusion=False),
        "subscriber": role.RoleSubscriberFeatures(pattern_based_subscription=True)},
        authmethods=["cryptosign", "anonymous"], authid="alice", authrole="user",
        authextra={"pubkey": "ab" * 32}, resumable=True, resume_session=123, resume_token="tok")),
    ("hello-null-realm", m.Hello(None, {"caller": role.RoleCallerFeatures()})),
    ("welcome", m.Welcome(4242, {
        "broker": role.RoleBrokerFeatures(publisher_identification=True, event_retention=True),
        "dealer": role.RoleDealerFeatures(call_canceling=True)},
        realm="realm1", authid="alice", authrole="user", authmethod="cryptosign",
        authprovider="static", authextra={"x": 1}, resumed=True, resumable=True,
        resume_token="tok", custom={"x_cb_node": "node1"})),
    ("abort", m.Abort("wamp.error.no_such_realm", message="no realm")),
    ("abort-bare", m.Abort("wamp.error.not_authorized")),
    ("challenge", m.Challenge("wampcra", {"challenge": "{}", "salt": "s", "iterations": 1000, "keylen": 32})),
    ("authenticate", m.Authenticate("sig", {})),
    ("goodbye", m.Goodbye("wamp.close.system_shutdown", message="bye", resumable=True)),
    ("goodbye-bare", m.Goodbye()),
    ("error", m.Error(48, 7, "com.example.error", args=[1, "two"], kwargs={"k": True})),
    ("error-args", m.Error(68, 9, "wamp.error.canceled", args=["canceled"])),
    ("error-bare", m.Error(32, 9, "wamp.error.not_authorized")),
    ("error-kwargs-only", m.Error(64, 9, "wamp.error.invalid_argument", args=[], kwargs={"a": 1})),
    ("error-payload", m.Error(48, 7, "com.example.error", payload=P, enc_algo="cryptobox", enc_serializer="json")),
    ("publish", m.Publish(1, "com.example.topic", args=[1, 2.5, None, "x"], kwargs={"a": [1]},
                          acknowledge=True, exclude_me=False, exclude=[11, 12], exclude_authid=["bob"],
                          exclude_authrole=["guest"], eligible=[13], eligible_authid=["carol"],
                          eligible_authrole=["user"], retain=True)),
    ("publish-bare", m.Publish(2, "com.example.topic")),
    ("publish-payload", m.Publish(3, "com.example.topic", payload=P, enc_algo="cryptobox",
                                  enc_serializer="json", enc_key="k1")),
    ("published", m.Published(1, 5555)),
    ("subscribe", m.Subscribe(4, "com.example.topic")),
    ("subscribe-prefix", m.Subscribe(5, "com.example.", match="prefix", get_retained=True)),
    ("subscribe-wildcard", m.Subscribe(6, "com..topic", match="wildcard")),
    ("subscribed", m.Subscribed(4, 9007199254740992)),
    ("unsubscribe", m.Unsubscribe(7, 77)),
    ("unsubscribed", m.Unsubscribed(7)),
    ("unsubscribed-revocation", m.Unsubscribed(0, subscription=77, reason="wamp.error.gone")),
    ("event", m.Event(77, 88, args=["hi"], publisher=1234, publisher_authid="alice",
                      publisher_authrole="user", topic="com.example.topic", retained=False)),
    ("event-kwargs", m.Event(77, 89, args=[], kwargs={"x": {"y": [1, 2]}})),
    ("event-bare", m.Event(77, 90)),
    ("event-payload", m.Event(77, 91, payload=P, enc_algo="cryptobox", enc_serializer="json")),
    ("call", m.Call(10, "com.example.add", args=[2, 3], timeout=0, receive_progress=True)),
    ("call-timeout", m.Call(11, "com.example.add", args=[2, 3], kwargs={"round": True}, timeout=1500)),
    ("call-bare", m.Call(12, "com.example.ping")),
    ("call-payload", m.Call(13, "com.example.secret", payload=P, enc_algo="cryptobox", enc_serializer="json")),
    ("cancel", m.Cancel(10, mode="killnowait")),
    ("cancel-bare", m.Cancel(10)),
    ("result", m.Result(10, args=[5])),
    ("result-progress", m.Result(10, args=[1], kwargs={"p": 0.5}, progress=True)),
    ("result-bare", m.Result(10)),
    ("result-payload", m.Result(10, payload=P, enc_algo="cryptobox", enc_serializer="json")),
    ("register", m.Register(20, "com.example.add")),
    ("register-all", m.Register(21, "com.example.", match="prefix", invoke="roundrobin",
                                concurrency=4, force_reregister=True)),
    ("register-wildcard", m.Register(22, "com..add", match="wildcard", invoke="single")),
    ("registered", m.Registered(20, 2020)),
    ("unregister", m.Unregister(23, 2020)),
    ("unregistered", m.Unregistered(23)),
    ("unregistered-revocation", m.Unregistered(0, registration=2020, reason="wamp.error.killed")),
    ("invocation", m.Invocation(30, 2020, args=[2, 3], timeout=1000, receive_progress=True,
                                caller=1234, caller_authid="alice", caller_authrole="user",
                                procedure="com.example.add")),
    ("invocation-bare", m.Invocation(31, 2020)),
    ("invocation-payload", m.Invocation(32, 2020, payload=P, enc_algo="cryptobox", enc_serializer="json")),
    ("interrupt", m.Interrupt(30, mode="kill", reason="wamp.error.canceled")),
    ("interrupt-bare", m.Interrupt(30)),
    ("yield", m.Yield(30, args=[5], progress=False)),
    ("yield-kwargs", m.Yield(30, args=[], kwargs={"sum": 5})),
    ("yield-bare", m.Yield(30)),
    ("yield-payload", m.Yield(30, payload=P, enc_algo="cryptobox", enc_serializer="json")),
]


def conv(v):
    if isinstance(v, bytes):
        return "\x00" + base64.b64encode(v).decode("ascii")
    if isinstance(v, (list, tuple)):
        return [conv(x) for x in v]
    if isinstance(v, dict):
        return {k: conv(x) for k, x in v.items()}
    return v


print(json.dumps([[name, conv(msg.marshal())] for name, msg in vectors], indent=1))
