'use strict';
// Pattern-based registrations: exact before prefix (longest first) before
// wildcard, with INVOCATION.Details.procedure, for AutobahnJS and wampy
// callees and callers.
const { P, out, settle, ab, wp, run } = require('./jslib.js');

run(async () => {
  const callee = await ab({ label: 'callee', serializer: 'cbor' });
  const caller = await ab({ label: 'caller', serializer: 'json' });
  const wcallee = await wp({ label: 'wp_callee', serializer: 'msgpack' });
  const wcaller = await wp({ label: 'wp_caller', serializer: 'json' });

  await callee.register(P + '.prec.a.b', (args, kwargs, details) => 'exact:' + details.procedure);
  await callee.register(P + '.prec', (args, kwargs, details) => 'prefix:' + details.procedure, { match: 'prefix' });
  await callee.register(P + '.prec.a', (args, kwargs, details) => 'prefix_long:' + details.procedure, { match: 'prefix' });
  await callee.register(P + '.wild..z', (args, kwargs, details) => 'wildcard:' + details.procedure, { match: 'wildcard' });
  await callee.register(P + '.prec..b', (args, kwargs, details) => 'wildcard_prec:' + details.procedure, { match: 'wildcard' });
  await wcallee.register(P + '.wp', ({ details }) => 'wampy_prefix:' + details.procedure, { match: 'prefix' });
  await wcallee.register(P + '.xw..z', ({ details }) => 'wampy_wildcard:' + details.procedure, { match: 'wildcard' });

  const calls = [
    P + '.prec.a.b',
    P + '.prec.a.c',
    P + '.prec.x',
    P + '.prec',
    P + '.prec.z.b',
    P + '.wild.q.z',
    P + '.wild.q.y',
    P + '.wp.k.l',
    P + '.xw.any.z',
    P + '.wpw.any.z', // prefix matching is by characters, not components
  ];
  const results = {};
  for (const proc of calls) {
    const r = await settle(caller.call(proc), 5000, 'call ' + proc);
    results[proc.slice(P.length + 1)] = r.ok !== undefined ? r.ok : r.err.error;
  }
  out('autobahn_caller', results);

  const wresults = {};
  for (const proc of [P + '.prec.a.c', P + '.wild.w.z', P + '.wp']) {
    const r = await settle(wcaller.call(proc), 5000, 'wampy call ' + proc);
    wresults[proc.slice(P.length + 1)] = r.ok !== undefined ? r.ok.argsList[0] : r.err.error;
  }
  out('wampy_caller', wresults);
});
