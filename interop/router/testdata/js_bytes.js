'use strict';
// Bytes through the router between serializers:
//  - AutobahnJS msgpack / cbor callees return Buffers (and node-cbor's
//    tag-64 Uint8Array) to a wampy cbor caller;
//  - the wampy cbor caller sends a Uint8Array (cbor-x: tag 64) to AutobahnJS
//    msgpack and JSON callees;
//  - an AutobahnJS cbor publisher sends bytes to msgpack, JSON and wampy cbor
//    subscribers;
//  - an AutobahnJS JSON publisher sends "\0"+base64 strings, which the router
//    must read as bytes, to a msgpack subscriber.
// AutobahnJS's JSON serializer does not implement the \0+base64 convention:
// a JSON receiver sees the router's encoding as a plain string.
const { autobahn, P, out, settle, waitUntil, ab, wp, run } = require('./jslib.js');

const BYTES = Buffer.from([0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff]);

function describeValue(v) {
  if (Buffer.isBuffer(v)) return { type: 'Buffer', hex: v.toString('hex') };
  if (v instanceof Uint8Array) return { type: v.constructor.name, hex: Buffer.from(v).toString('hex') };
  return { type: typeof v, value: v };
}

run(async () => {
  const mpCallee = await ab({ label: 'mp_callee', serializer: 'msgpack' });
  const cborCallee = await ab({ label: 'cbor_callee', serializer: 'cbor' });
  const jsonCallee = await ab({ label: 'json_callee', serializer: 'json' });
  const wpCaller = await wp({ label: 'wp_cbor_caller', serializer: 'cbor' });

  await mpCallee.register(P + '.bytes_mp', () => Buffer.from(BYTES));
  await cborCallee.register(P + '.bytes_cbor', () => new autobahn.Result([Buffer.from(BYTES), new Uint8Array(BYTES)], { b: Buffer.from(BYTES) }));
  await mpCallee.register(P + '.inspect_mp', (args) => new autobahn.Result([describeValue(args[0])]));
  let jsonGot = null;
  await jsonCallee.register(P + '.inspect_json', (args) => {
    jsonGot = args[0];
    return args[0]; // a JSON string starting with \0: the router reads it as bytes again
  });

  let r = await settle(wpCaller.call(P + '.bytes_mp'), 5000, 'call bytes_mp');
  out('wampy_cbor_from_mp', r.ok ? r.ok.argsList : r);

  r = await settle(wpCaller.call(P + '.bytes_cbor'), 5000, 'call bytes_cbor');
  out('wampy_cbor_from_cbor', r.ok ? { args: r.ok.argsList, kwargs: r.ok.argsDict } : r);

  r = await settle(wpCaller.call(P + '.inspect_mp', [new Uint8Array(BYTES)]), 5000, 'call inspect_mp');
  out('mp_callee_got', r.ok ? r.ok.argsList[0] : r);

  r = await settle(wpCaller.call(P + '.inspect_json', [new Uint8Array(BYTES)]), 5000, 'call inspect_json');
  out('json_callee_got', jsonGot);
  out('json_callee_returned', r.ok ? r.ok.argsList : r);

  // PubSub
  const mpSub = await ab({ label: 'mp_sub', serializer: 'msgpack' });
  const jsonSub = await ab({ label: 'json_sub', serializer: 'json' });
  const wpSub = await wp({ label: 'wp_cbor_sub', serializer: 'cbor' });
  const cborPub = await ab({ label: 'cbor_pub', serializer: 'cbor' });
  const jsonPub = await ab({ label: 'json_pub', serializer: 'json' });

  const got = { mp: [], json: [], wampy: [] };
  await mpSub.subscribe(P + '.t', (args, kwargs) => got.mp.push({ args, kwargs }));
  await jsonSub.subscribe(P + '.t', (args, kwargs) => got.json.push({ args, kwargs }));
  await wpSub.subscribe(P + '.t', ({ argsList, argsDict }) => got.wampy.push({ args: argsList, kwargs: argsDict }));

  await settle(cborPub.publish(P + '.t', [Buffer.from(BYTES), new Uint8Array(BYTES), Buffer.alloc(0)], { b: Buffer.from(BYTES) }, { acknowledge: true }), 5000, 'cbor publish');
  await waitUntil(() => got.mp.length >= 1 && got.json.length >= 1 && got.wampy.length >= 1, 5000, 'events from the cbor publisher');
  out('cbor_pub_to_mp', got.mp[0]);
  out('cbor_pub_to_json', got.json[0]);
  out('cbor_pub_to_wampy_cbor', got.wampy[0]);

  const b64 = BYTES.toString('base64');
  await settle(jsonPub.publish(P + '.t', ['\u0000' + b64, 'plain', '\u0000'], { b: '\u0000' + b64 }, { acknowledge: true }), 5000, 'json publish');
  await waitUntil(() => got.mp.length >= 2 && got.json.length >= 2 && got.wampy.length >= 2, 5000, 'events from the json publisher');
  out('json_pub_to_mp', got.mp[1]);
  out('json_pub_to_json', got.json[1]);
  out('json_pub_to_wampy_cbor', got.wampy[1]);
});
