'use strict';
// Event retention: the last event published with retain: true goes to a new
// subscriber that asks for it (get_retained: true), marked retained, right
// after SUBSCRIBED (an EVENT before SUBSCRIBED is a protocol violation for
// AutobahnJS); a subscriber that does not ask gets only live events.
const { P, out, sleep, waitUntil, ab, wp, run } = require('./jslib.js');

run(async () => {
  const pub = await ab({ label: 'pub', serializer: 'json' });
  await pub.publish(P + '.r', ['r1'], null, { acknowledge: true, retain: true });
  await pub.publish(P + '.r', ['r2'], { n: 2 }, { acknowledge: true, retain: true });
  await pub.publish(P + '.r', ['not_retained'], null, { acknowledge: true });
  await pub.publish(P + '.none', ['plain'], null, { acknowledge: true });

  const s1 = await ab({ label: 's1', serializer: 'msgpack' });
  const s2 = await ab({ label: 's2', serializer: 'json' });
  const w = await wp({ label: 'wp_sub', serializer: 'cbor' });

  const got = { get_retained: [], plain: [], wampy_get_retained: [], no_retained_topic: [] };
  await s1.subscribe(P + '.r', (args, kwargs, details) => got.get_retained.push({ args, kwargs, retained: details.retained }), { get_retained: true });
  await s2.subscribe(P + '.r', (args, kwargs, details) => got.plain.push({ args, kwargs, retained: details.retained }));
  await w.subscribe(P + '.r', ({ argsList, argsDict, details }) => got.wampy_get_retained.push({ args: argsList, kwargs: argsDict, retained: details.retained === true }), { get_retained: true });
  await s2.subscribe(P + '.none', (args, kwargs, details) => got.no_retained_topic.push({ args, retained: details.retained }), { get_retained: true });

  await waitUntil(() => got.get_retained.length >= 1 && got.wampy_get_retained.length >= 1, 5000, 'the retained events');
  await sleep(100);
  await pub.publish(P + '.r', ['live'], null, { acknowledge: true });
  await waitUntil(() => got.get_retained.length >= 2 && got.plain.length >= 1 && got.wampy_get_retained.length >= 2, 5000, 'the live event');
  out('events', got);
});
