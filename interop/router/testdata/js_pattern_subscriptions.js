'use strict';
// Pattern-based subscriptions: prefix and wildcard beside an exact one, with
// EVENT.Details.topic (AutobahnJS falls back to the subscription's own URI
// when the router leaves topic out, so a missing topic shows as the pattern).
const { P, out, waitUntil, ab, wp, run } = require('./jslib.js');

run(async () => {
  const sub = await ab({ label: 'sub', serializer: 'msgpack' });
  const pub = await ab({ label: 'pub', serializer: 'json' });
  const wsub = await wp({ label: 'wp_sub', serializer: 'json' });

  const got = { prefix: [], wildcard: [], exact: [], wampy_prefix: [], wampy_wildcard: [] };
  const rec = (name) => (args, kwargs, details) => got[name].push([details.topic, args[0]]);
  await sub.subscribe(P + '.pfx', rec('prefix'), { match: 'prefix' });
  await sub.subscribe(P + '.wc..end', rec('wildcard'), { match: 'wildcard' });
  await sub.subscribe(P + '.pfx.exact', rec('exact'));
  await wsub.subscribe(P + '.pfx', ({ argsList, details }) => got.wampy_prefix.push([details.topic, argsList[0]]), { match: 'prefix' });
  await wsub.subscribe(P + '.wc..end', ({ argsList, details }) => got.wampy_wildcard.push([details.topic, argsList[0]]), { match: 'wildcard' });

  const publish = (topic, arg) => pub.publish(topic, [arg], null, { acknowledge: true });
  await publish(P + '.pfx.exact', '1');
  await publish(P + '.pfx.a.b', '2');
  await publish(P + '.wc.mid.end', '3');
  await publish(P + '.wc.mid.other', '4');
  await publish(P + '.wc.end', '5');
  await publish(P + '.pfx', '6');
  await publish(P + '.other', '7');
  await publish(P + '.pfx.end', 'end');
  await waitUntil(() => got.prefix.length >= 4 && got.wampy_prefix.length >= 4, 5000, 'the end marker');
  out('events', got);
});
