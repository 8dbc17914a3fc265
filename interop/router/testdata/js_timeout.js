'use strict';
// Call timeout (CALL.Options.timeout, enforced by the dealer: AutobahnJS
// 22.11.1 has no client-side call timer, wampy just forwards the option). The
// callee never answers; the caller must get wamp.error.timeout after about
// 300 ms, and the callee, which does not announce call_canceling, must not
// be sent INTERRUPT (for AutobahnJS that is a protocol violation).
const { P, out, settle, sleep, ab, wp, run } = require('./jslib.js');

run(async () => {
  const callee = await ab({ label: 'callee', serializer: 'json' });
  const caller = await ab({ label: 'caller', serializer: 'cbor' });
  const wpCaller = await wp({ label: 'wp_caller', serializer: 'msgpack' });

  let invocations = 0;
  await callee.register(P + '.never', () => {
    invocations++;
    return new Promise(() => {});
  });
  await callee.register(P + '.slow', async () => {
    await sleep(100);
    return 'in time';
  });
  await callee.register(P + '.ping', () => 'pong');

  let t0 = Date.now();
  let r = await settle(caller.call(P + '.never', [], {}, { timeout: 300 }), 5000, 'call with timeout');
  out('autobahn', { result: r, elapsed_ms: Date.now() - t0 });

  t0 = Date.now();
  r = await settle(wpCaller.call(P + '.never', null, { timeout: 300 }), 5000, 'wampy call with timeout');
  out('wampy', { result: r, elapsed_ms: Date.now() - t0 });

  r = await settle(caller.call(P + '.slow', [], {}, { timeout: 2000 }), 5000, 'call answered before its timeout');
  out('in_time', r);

  await sleep(200);
  r = await settle(caller.call(P + '.ping'), 5000, 'ping after timeout');
  out('ping_after', r);
  out('invocations', invocations);
});
