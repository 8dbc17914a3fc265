'use strict';
// Payload passthru mode from wampy: PUBLISH / CALL / YIELD with ppt_scheme,
// ppt_serializer and ppt_keyid, the payload {args, kwargs} encoded by wampy
// with ppt_serializer and sent as the one binary item at the Args position;
// the router must forward the ppt_* options in EVENT / INVOCATION / RESULT
// details and the bytes untouched, here between a cbor and a msgpack session.
// (The spec requires the payload to be binary: wampy's ppt_serializer
// "native" and "json" put a map or a string there instead, so they are not
// used. The payload cannot reach a JSON session either: wampy's JSON
// serializer has no bytes convention.)
const { P, out, settle, waitUntil, wp, run } = require('./jslib.js');

run(async () => {
  const a = await wp({ label: 'cbor_peer', serializer: 'cbor' });
  const b = await wp({ label: 'msgpack_peer', serializer: 'msgpack' });
  const ppt = (ser) => ({ ppt_scheme: 'x_test', ppt_serializer: ser, ppt_keyid: 'key1' });
  const pptOf = (d) => ({ ppt_scheme: d.ppt_scheme, ppt_serializer: d.ppt_serializer, ppt_keyid: d.ppt_keyid });

  const events = [];
  await b.subscribe(P + '.t', ({ argsList, argsDict, details }) => events.push({ args: argsList, kwargs: argsDict, ...pptOf(details) }),
    { match: 'exact', get_retained: false });
  for (const ser of ['cbor', 'msgpack']) {
    const r = await settle(a.publish(P + '.t', { argsList: ['p', ser, new Uint8Array([1, 2])], argsDict: { k: 1 } }, ppt(ser)), 5000, 'ppt publish ' + ser);
    if (r.err) out('publish_' + ser, r);
  }
  await waitUntil(() => events.length >= 2, 5000, '2 ppt events');
  out('events', events);

  let invocation = null;
  await a.register(P + '.echo', ({ argsList, argsDict, details }) => {
    invocation = { args: argsList, kwargs: argsDict, ...pptOf(details) };
    return { argsList: ['back', ...argsList], options: ppt('cbor') };
  });
  const r = await settle(b.call(P + '.echo', { argsList: ['q'], argsDict: { z: true } }, ppt('msgpack')), 5000, 'ppt call');
  out('invocation', invocation);
  out('result', r.ok ? { args: r.ok.argsList, kwargs: r.ok.argsDict, ...pptOf(r.ok.details) } : r);
});
