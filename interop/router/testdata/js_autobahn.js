'use strict';
// AutobahnJS 22.11.1 as callee + caller and publisher + subscriber, both
// sessions on the transport and serializer given by cfg.transport
// (websocket|rawsocket) and cfg.serializer (json|msgpack|cbor).
const { autobahn, cfg, P, out, settle, waitUntil, ab, run, features } = require('./jslib.js');

run(async () => {
  const opts = { transport: cfg.transport, serializer: cfg.serializer };
  const callee = await ab({ ...opts, label: 'callee' });
  const caller = await ab({ ...opts, label: 'caller' });

  const w = callee.welcome;
  out('welcome', {
    realm: w.realm,
    authrole: w.authrole,
    authmethod: w.authmethod,
    authid_is_string: typeof w.authid === 'string' && w.authid.length > 0,
    session_is_id: Number.isSafeInteger(callee.id) && callee.id >= 1,
    broker: features(w, 'broker'),
    dealer: features(w, 'dealer'),
  });
  out('protocol', callee._socket.info.protocol);

  // RPC
  await callee.register(P + '.add', (args, kwargs, details) => new autobahn.Result([args[0] + args[1]], {
    kwargs,
    procedure: details.procedure,
    caller: details.caller === undefined ? null : details.caller === caller.id,
    caller_authrole: details.caller_authrole === undefined ? null : details.caller_authrole,
  }));
  await callee.register(P + '.one', (args) => args[0] + '!');
  await callee.register(P + '.count', (args, kwargs) => [args.length, Object.keys(kwargs).length].join('/'));
  await callee.register(P + '.fail', () => {
    throw new autobahn.Error('com.example.oops', ['bad', 1], { why: 'test' });
  });

  const kwargs = { s: 'héllo ☃ 𝄞', f: 1.5, neg: -7, big: 4503599627370496, n: null, t: true, l: [1, 'x', { d: false }], e: {} };
  let r = await settle(caller.call(P + '.add', [2, 3], kwargs), 5000, 'call add');
  out('call', r.ok ? { args: r.ok.args, kwargs: r.ok.kwargs } : r);

  r = await settle(caller.call(P + '.add', [20, 22], null, { disclose_me: true }), 5000, 'call add disclose_me');
  out('call_disclosed', r.ok ? { args: r.ok.args, caller: r.ok.kwargs.caller, caller_authrole: r.ok.kwargs.caller_authrole } : r);

  r = await settle(caller.call(P + '.one', ['x']), 5000, 'call one');
  out('call_single', r);

  r = await settle(caller.call(P + '.count'), 5000, 'call count');
  out('call_noargs', r);

  r = await settle(caller.call(P + '.count', [], { only: 'kw' }), 5000, 'call count kwargs');
  out('call_kwargs_only', r);

  r = await settle(caller.call(P + '.fail', ['x']), 5000, 'call fail');
  out('call_error', r);

  r = await settle(caller.call(P + '.nothing'), 5000, 'call unknown');
  out('call_unknown', r);

  // PubSub: the callee session subscribes, the caller session publishes.
  const events = [];
  const sub = await callee.subscribe(P + '.topic', (args, kwargs, details) => {
    events.push({
      args,
      kwargs,
      topic: details.topic,
      publisher: details.publisher === undefined ? null : details.publisher === caller.id,
      publisher_authrole: details.publisher_authrole === undefined ? null : details.publisher_authrole,
    });
  });
  const pub = await settle(caller.publish(P + '.topic', ['a', 1], { k: 'v' }, { acknowledge: true }), 5000, 'publish 1');
  out('published_ack', { ok: pub.ok !== undefined && Number.isSafeInteger(pub.ok.id) && pub.ok.id >= 1, err: pub.err });
  await settle(caller.publish(P + '.topic', [], {}, { acknowledge: true, disclose_me: true }), 5000, 'publish 2');
  caller.publish(P + '.topic', ['last']); // no acknowledge
  await waitUntil(() => events.length >= 3, 5000, '3 events');
  out('events', events);

  // Unsubscribed: no more events; a second subscriber still gets them.
  await sub.unsubscribe();
  const events2 = [];
  await caller.subscribe(P + '.topic', (args) => events2.push(args[0]));
  await settle(callee.publish(P + '.topic', ['after'], null, { acknowledge: true }), 5000, 'publish after');
  await waitUntil(() => events2.length >= 1, 5000, 'event after unsubscribe');
  out('after_unsubscribe', { first: events.length, second: events2 });
});
