# Generates vectors.json: WAMP-cryptobox payloads as Autobahn|Python 22.7.1
# (autobahn.wamp.cryptobox.KeyRing with PyNaCl) writes them, for the
# known-answer test of kat_test.go. The nonce is fixed (Autobahn draws it
# from nacl.utils.random, replaced here) so that Go must produce the same
# bytes. Run: /usr/bin/python3 gen_vectors.py > vectors.json
import base64
import hashlib
import json

import txaio
txaio.use_twisted()

from nacl.encoding import Base64Encoder
from nacl.public import PrivateKey
from autobahn.wamp import cryptobox
from autobahn.wamp.cryptobox import Key, KeyRing


def priv(label):
    # Deterministic private keys: the SHA-256 of a label.
    return base64.b64encode(hashlib.sha256(label.encode()).digest()).decode()


def pub(priv_b64):
    return PrivateKey(priv_b64, encoder=Base64Encoder).public_key.encode(Base64Encoder).decode()


def norm(v):
    if isinstance(v, bytes):
        return {'$bytes': v.hex()}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    return v


ORIG, RESP = priv('originator'), priv('responder')
SHARED = priv('shared')

cases = [
    # label, ring of the encoder, ring of the decoder (the other side: it decodes with
    # not originating), originating (of the encoder), uri, args, kwargs
    ('shared-key-call', [{'uri': '', 'key': SHARED}], [{'uri': '', 'key': SHARED}], True,
     'com.example.add2', [23, 19, 'h\u00e9llo \u2713', b'\x00\x01\xfe\xff'], {'flag': True}),
    ('originator-call', [{'uri': 'com.example.', 'originator_priv': ORIG, 'responder_pub': pub(RESP)}],
     [{'uri': 'com.example.', 'responder_priv': RESP, 'originator_pub': pub(ORIG)}], True,
     'com.example.echo', ['secret', 1.5, None, -7, 9007199254740993], {'nested': {'a': [1, 2]}}),
    ('responder-yield', [{'uri': 'com.example.', 'responder_priv': RESP, 'originator_pub': pub(ORIG)}],
     [{'uri': 'com.example.', 'originator_priv': ORIG, 'responder_pub': pub(RESP)}], False,
     'com.example.echo', ['result'], None),
    ('no-args', [{'uri': 'com.', 'key': SHARED}], [{'uri': 'com.', 'key': SHARED}], True,
     'com.example.ping', None, None),
    ('empty-args', [{'uri': 'com.', 'key': SHARED}], [{'uri': 'com.', 'key': SHARED}], False,
     'com.example.topic', [], {}),
]


def python_ring(spec):
    ring = KeyRing()
    for e in spec:
        if 'key' in e:
            ring.set_key(e['uri'], e['key'])
        else:
            ring.set_key(e['uri'], Key(**{k: v for k, v in e.items() if k != 'uri'}))
    return ring


out = []
for i, (label, enc, dec, originating, uri, args, kwargs) in enumerate(cases):
    nonce = hashlib.sha256(('nonce' + label).encode()).digest()[:24]
    cryptobox.random = lambda n, nonce=nonce: nonce
    p = python_ring(enc).encode(originating, uri, args, kwargs)
    # The other side reads it back, as a check of the vector itself.
    got = python_ring(dec).decode(not originating, uri, p)
    assert got == (uri, args, kwargs), (label, got)
    out.append({
        'label': label, 'encoder': enc, 'decoder': dec, 'originating': originating,
        'uri': uri, 'args': norm(args), 'kwargs': norm(kwargs),
        'nonce': nonce.hex(), 'enc_algo': p.enc_algo, 'enc_serializer': p.enc_serializer,
        'payload': base64.b64encode(p.payload).decode(),
    })
print(json.dumps(out, indent=1, ensure_ascii=False))
