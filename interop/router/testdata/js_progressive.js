'use strict';
// Progressive call results: an AutobahnJS callee sends details.progress(...)
// results before its final result; an AutobahnJS caller (receive_progress,
// progress through its when.js promise: then(ok, err, progress)) and a wampy
// caller (progress_callback) receive them in order.
const { autobahn, P, out, settle, sleep, ab, wp, run } = require('./jslib.js');

run(async () => {
  const callee = await ab({ label: 'callee', serializer: 'json' });
  const caller = await ab({ label: 'caller', serializer: 'msgpack', progress: true });
  const wpCaller = await wp({ label: 'wp_caller', serializer: 'cbor' });

  await callee.register(P + '.countdown', async (args, kwargs, details) => {
    const n = args[0];
    if (!details.progress) {
      return 'no progress requested';
    }
    for (let i = 1; i <= n; i++) {
      details.progress([i]);
    }
    await sleep(20);
    details.progress(['late'], { after: 'sleep' });
    return new autobahn.Result(['done'], { total: n });
  });

  const progress = [];
  const p = caller.call(P + '.countdown', [5], {}, { receive_progress: true });
  const onProgress = (v) => progress.push(v instanceof autobahn.Result ? { args: v.args, kwargs: v.kwargs } : v);
  if (autobahn.when) {
    p.then(null, null, onProgress);
  } else {
    p.progress(onProgress);
  }
  out('deferred', autobahn.when ? 'when.js' : 'es6 + notify');
  let r = await settle(p, 5000, 'progressive call');
  out('autobahn', { progress, final: r.ok ? { args: r.ok.args, kwargs: r.ok.kwargs } : r });

  r = await settle(caller.call(P + '.countdown', [3]), 5000, 'call without receive_progress');
  out('autobahn_no_progress', r);

  const wpProgress = [];
  r = await settle(wpCaller.call(P + '.countdown', [4], {
    progress_callback: ({ argsList, argsDict, details }) => wpProgress.push({ args: argsList, kwargs: argsDict, progress: details.progress }),
  }), 5000, 'wampy progressive call');
  out('wampy', { progress: wpProgress, final: r.ok ? { args: r.ok.argsList, kwargs: r.ok.argsDict, progress: r.ok.details.progress } : r });
});
