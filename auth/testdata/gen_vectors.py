#!/usr/bin/python3
"""Computes WAMP authentication vectors with Autobahn|Python, for the Go
tests of package auth. Usage: gen_vectors.py OUTDIR

Writes OUTDIR/vectors.json and OUTDIR/id_ed25519 (a fresh OpenSSH key made
with ssh-keygen). The cryptosign signatures come from Autobahn's
CryptosignKey loaded from that file; Ed25519 is deterministic, so Go must
produce the same bytes."""
import binascii
import json
import os
import subprocess
import sys
import time
from unittest import mock

import txaio
txaio.use_asyncio()

from autobahn.wamp import auth, cryptosign  # noqa: E402
from autobahn.wamp.types import Challenge  # noqa: E402

out = sys.argv[1]
v = {"wampcra": [], "totp": [], "cryptosign": []}

for secret, salt, iterations, keylen, challenge in [
    ("secret1", None, 0, 0, '{"authid": "joe", "nonce": "LHRTC9zeOIrt_9U3", "session": 3251278072152162}'),
    ("secret2", "salt123", 100, 16, '{"nonce": "x"}'),
    ("pässwörd", "NaCl", 1000, 32, "challenge with ünïcode"),
]:
    key = secret
    if salt:
        key = auth.derive_key(secret, salt, iterations, keylen).decode()
    v["wampcra"].append({"secret": secret, "salt": salt or "", "iterations": iterations, "keylen": keylen,
                         "challenge": challenge, "key": key, "signature": auth.compute_wcs(key, challenge).decode()})

for secret, unix in [("MFRGGZDFMZTWQ2LK", 1234567890), ("JBSWY3DPEHPK3PXP", 1700000000)]:
    for offset in (-1, 0, 1):
        with mock.patch("time.time", return_value=float(unix)):
            code = auth.compute_totp(secret, offset)
        v["totp"].append({"secret": secret, "unix": unix, "offset": offset, "code": code})

keyfile = os.path.join(out, "id_ed25519")
if os.path.exists(keyfile):
    os.remove(keyfile)
subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vector", "-f", keyfile], check=True)
key = cryptosign.CryptosignKey.from_ssh_file(keyfile)
loop = txaio.config.loop = __import__("asyncio").new_event_loop()
for challenge, channel_id in [
    ("ff" * 32, None),
    (binascii.b2a_hex(bytes(range(32))).decode(), None),
    (binascii.b2a_hex(bytes(range(32))).decode(), bytes(range(100, 132))),
]:
    ch = Challenge("cryptosign", {"challenge": challenge})
    sig = key.sign_challenge(ch, channel_id=channel_id, channel_id_type="tls-unique" if channel_id else None)
    if not isinstance(sig, (bytes, str)):
        sig = loop.run_until_complete(sig)
    if isinstance(sig, bytes):
        sig = sig.decode()
    v["cryptosign"].append({"challenge": challenge, "channel_id": binascii.b2a_hex(channel_id).decode() if channel_id else "",
                            "pubkey": key.public_key(binary=False), "signature": sig})

with open(os.path.join(out, "vectors.json"), "w") as f:
    json.dump(v, f, indent=1, ensure_ascii=False)
