'use strict';
// Shared registrations: two AutobahnJS callees (A registers first, then B)
// under the invoke policies roundrobin, first, last and random; a clashing
// policy and a second "single" registration are refused with
// wamp.error.procedure_already_exists; when A unregisters, B takes over.
const { P, out, settle, ab, wp, run } = require('./jslib.js');

run(async () => {
  const a = await ab({ label: 'callee_a', serializer: 'json' });
  const b = await ab({ label: 'callee_b', serializer: 'msgpack' });
  const caller = await ab({ label: 'caller', serializer: 'json' });
  const wcallee = await wp({ label: 'wp_callee', serializer: 'cbor' });

  const regs = {};
  for (const policy of ['roundrobin', 'first', 'last', 'random']) {
    regs['a_' + policy] = await a.register(P + '.' + policy, () => 'A', { invoke: policy });
    regs['b_' + policy] = await b.register(P + '.' + policy, () => 'B', { invoke: policy });
  }
  const callN = async (proc, n) => {
    const res = [];
    for (let i = 0; i < n; i++) {
      const r = await settle(caller.call(P + '.' + proc), 5000, 'call ' + proc);
      res.push(r.ok !== undefined ? r.ok : r.err.error);
    }
    return res;
  };
  out('roundrobin', await callN('roundrobin', 6));
  out('first', await callN('first', 3));
  out('last', await callN('last', 3));
  out('random', await callN('random', 8));

  // Policy clash and a second single registration.
  let r = await settle(caller.register(P + '.roundrobin', () => 'C', { invoke: 'first' }), 5000, 'clashing register');
  out('clash', r.err ? r.err.error : 'registered');
  await a.register(P + '.single', () => 'A');
  r = await settle(b.register(P + '.single', () => 'B'), 5000, 'second single register');
  out('single_twice', r.err ? r.err.error : 'registered');

  // wampy joins the roundrobin group as a third callee.
  r = await settle(wcallee.register(P + '.roundrobin', () => 'W', { invoke: 'roundrobin' }), 5000, 'wampy register roundrobin');
  out('wampy_joined', r.err ? r.err : true);
  out('roundrobin_three', await callN('roundrobin', 6));

  // A leaves the "first" group: B is first now.
  await regs.a_first.unregister();
  out('first_after_unregister', await callN('first', 2));
  // B leaves the "last" group: A is last now.
  await regs.b_last.unregister();
  out('last_after_unregister', await callN('last', 2));
});
