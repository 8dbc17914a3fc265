'use strict';
// Call canceling. AutobahnJS 22.11.1: session.call() returns a promise with
// .cancel({mode}); for modes other than "kill" it rejects the call locally
// at once (with autobahn.Error "Cancelled") and forgets the request, so the
// router's ERROR wamp.error.canceled that follows is a "CALL-ERROR received
// for non-pending request ID" protocol violation and AutobahnJS drops its
// own connection. Mode "kill" keeps the request and waits for the router's
// answer. wampy's cancel(reqId, {mode}) keeps the request in every mode.
// Neither AutobahnJS nor wampy callees announce call_canceling (they have no
// INTERRUPT handler: an INTERRUPT would be a protocol violation), so the
// router must answer the caller without interrupting them, and drop the
// callee's late YIELD.
const { P, out, settle, sleep, ab, wp, run } = require('./jslib.js');

run(async () => {
  const callee = await ab({ label: 'callee', serializer: 'json' });
  const caller = await ab({ label: 'caller', serializer: 'json' });
  const wpCaller = await wp({ label: 'wp_caller', serializer: 'json' });

  let invocations = 0;
  let yields = 0;
  await callee.register(P + '.slow', async (args) => {
    invocations++;
    await sleep(args[0]);
    yields++;
    return 'late';
  });
  await callee.register(P + '.ping', () => 'pong');

  // AutobahnJS, mode kill.
  const t0 = Date.now();
  const p = caller.call(P + '.slow', [600]);
  setTimeout(() => p.cancel({ mode: 'kill' }), 100);
  let r = await settle(p, 5000, 'canceled call (kill)');
  out('autobahn_kill', { result: r, fast: Date.now() - t0 < 550 });

  // wampy, modes skip and killnowait.
  for (const mode of ['skip', 'killnowait']) {
    const wpCall = wpCaller.call(P + '.slow', [600]);
    const reqId = wpCaller.getOpStatus().reqId;
    await sleep(100);
    wpCaller.cancel(reqId, { mode });
    r = await settle(wpCall, 5000, 'wampy canceled call (' + mode + ')');
    out('wampy_' + mode, r);
  }

  // Let the three late YIELDs arrive at the router, which must drop them:
  // a RESULT for a forgotten request would be a protocol violation for
  // AutobahnJS (and the callee must not have been sent INTERRUPT).
  await sleep(800);
  r = await settle(caller.call(P + '.ping'), 5000, 'ping after cancel');
  out('autobahn_ping_after', r);
  r = await settle(wpCaller.call(P + '.ping'), 5000, 'wampy ping after cancel');
  out('wampy_ping_after', r.ok ? r.ok.argsList : r);
  out('callee_counts', { invocations, yields });

  // AutobahnJS, mode skip: rejected locally; the router's ERROR then makes
  // AutobahnJS fail its own transport (its limitation, asserted as such).
  const skipper = await ab({ label: 'ab_skip_caller', serializer: 'json' });
  const ps = skipper.call(P + '.slow', [300]);
  setTimeout(() => ps.cancel({ mode: 'skip' }), 50);
  r = await settle(ps, 5000, 'AutobahnJS skip cancel');
  await sleep(500);
  out('autobahn_skip', r);
});
