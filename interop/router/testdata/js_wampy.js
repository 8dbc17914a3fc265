'use strict';
// wampy 8 as callee + caller and publisher + subscriber, all sessions on the
// serializer cfg.serializer (json|msgpack|cbor) over WebSocket (node ws).
const { cfg, P, out, settle, waitUntil, wp, run, features } = require('./jslib.js');

run(async () => {
  const ser = cfg.serializer;
  const callee = await wp({ label: 'callee', serializer: ser });
  const caller = await wp({ label: 'caller', serializer: ser });

  const w = callee.welcome;
  out('welcome', {
    realm: w.realm,
    authrole: w.authrole,
    broker: features(w, 'broker'),
    dealer: features(w, 'dealer'),
  });
  out('protocol', callee._ws.protocol);

  // RPC
  await callee.register(P + '.echo', ({ argsList, argsDict }) => ({
    argsList: [...(argsList || []), 'back'],
    argsDict: { got: argsDict === undefined ? null : argsDict },
  }));
  await callee.register(P + '.single', ({ argsList }) => argsList[0] * 2);
  await callee.register(P + '.who', ({ details }) => ({
    argsList: [details.caller === undefined ? null : String(details.caller) === String(caller.getSessionId()),
      details.caller_authrole === undefined ? null : details.caller_authrole],
  }));
  await callee.register(P + '.fail', () => {
    throw { error: 'com.example.oops', argsList: ['bad'], argsDict: { why: 'test' } };
  });

  let r = await settle(caller.call(P + '.echo', { argsList: [1, 'two', 3.5, null, [true]], argsDict: { k: 'v', nested: { a: [false, -1] } } }), 5000, 'call echo');
  out('call', r.ok ? { argsList: r.ok.argsList, argsDict: r.ok.argsDict } : r);

  r = await settle(caller.call(P + '.single', 21), 5000, 'call single');
  out('call_single', r.ok ? { argsList: r.ok.argsList, argsDict: r.ok.argsDict } : r);

  r = await settle(caller.call(P + '.who', null, { disclose_me: true }), 5000, 'call who');
  out('call_disclosed', r.ok ? r.ok.argsList : r);

  r = await settle(caller.call(P + '.fail'), 5000, 'call fail');
  out('call_error', r);

  r = await settle(caller.call(P + '.nothing'), 5000, 'call unknown');
  out('call_unknown', r.err ? r.err.error : r);

  // PubSub. wampy's subscribe() always sends {match, get_retained}, as
  // undefined when not given; explicit values keep them defined here, and
  // the default form is tried last on a session of its own.
  const events = [];
  r = await settle(callee.subscribe(P + '.topic', ({ argsList, argsDict, details }) => {
    events.push({
      argsList: argsList === undefined ? null : argsList,
      argsDict: argsDict === undefined ? null : argsDict,
      publisher: details.publisher === undefined ? null : String(details.publisher) === String(caller.getSessionId()),
    });
  }, { match: 'exact', get_retained: false }), 5000, 'subscribe');
  out('subscribed', r.err ? r : true);
  if (r.err) {
    return;
  }
  r = await settle(caller.publish(P + '.topic', { argsList: ['a', 1], argsDict: { k: 'v' } }), 5000, 'publish 1');
  out('published_ack', r.ok ? ['number', 'bigint'].includes(typeof r.ok.publicationId) : r);
  await settle(caller.publish(P + '.topic', ['only'], { disclose_me: true }), 5000, 'publish 2');
  await settle(caller.publish(P + '.topic', { kw: 1 }), 5000, 'publish 3');
  await waitUntil(() => events.length >= 3, 5000, '3 events');
  out('events', events);

  // wampy's default subscribe options: {match: undefined, get_retained:
  // undefined}. JSON drops undefined, cbor-x writes CBOR undefined (0xf7),
  // msgpackr writes its undefined extension (fixext 1, type 0, data 00:
  // d4 00 00).
  const plain = await wp({ label: 'default_sub', serializer: ser });
  const got = [];
  r = await settle(plain.subscribe(P + '.topic', ({ argsList }) => got.push(argsList[0])), 5000, 'subscribe with default options');
  out('default_subscribe', r.err ? r : true);
  if (!r.err) {
    await settle(caller.publish(P + '.topic', ['to default']), 5000, 'publish 4');
    await waitUntil(() => got.length >= 1, 5000, 'event to the default subscription');
    out('default_subscribe_event', got);
  }
});
