'use strict';
// Subscriber black- and whitelisting by session id, authid and authrole
// (anonymous sessions: authrole "anonymous", a router-assigned authid).
const { P, out, waitUntil, ab, wp, run } = require('./jslib.js');

run(async () => {
  const s1 = await ab({ label: 's1', serializer: 'json' });
  const s2 = await ab({ label: 's2', serializer: 'msgpack' });
  const s3 = await ab({ label: 's3', serializer: 'cbor' });
  const pub = await ab({ label: 'pub', serializer: 'json' });
  const wpub = await wp({ label: 'wp_pub', serializer: 'json' });

  out('authids', {
    distinct: new Set([s1.welcome.authid, s2.welcome.authid, s3.welcome.authid]).size,
    strings: [s1, s2, s3].every((s) => typeof s.welcome.authid === 'string'),
  });

  const got = { s1: [], s2: [], s3: [] };
  await s1.subscribe(P + '.t', (args) => got.s1.push(args[0]));
  await s2.subscribe(P + '.t', (args) => got.s2.push(args[0]));
  await s3.subscribe(P + '.t', (args) => got.s3.push(args[0]));

  const publish = (arg, options) => pub.publish(P + '.t', [arg], null, { acknowledge: true, ...options });
  await publish('eligible_s1', { eligible: [s1.id] });
  await publish('exclude_s1', { exclude: [s1.id] });
  await publish('eligible_s1_s2_exclude_s2', { eligible: [s1.id, s2.id], exclude: [s2.id] });
  await publish('eligible_authrole', { eligible_authrole: ['anonymous'] });
  await publish('exclude_authrole', { exclude_authrole: ['anonymous'] });
  await publish('eligible_authid_s2', { eligible_authid: [s2.welcome.authid] });
  await publish('exclude_authid_s2', { exclude_authid: [s2.welcome.authid] });
  await wpub.publish(P + '.t', ['wampy_eligible_s3'], { eligible: s3.id });
  await wpub.publish(P + '.t', ['wampy_exclude_s1_s3'], { exclude: [s1.id, s3.id] });
  await publish('end', {});
  await waitUntil(() => ['s1', 's2', 's3'].every((k) => got[k].includes('end')), 5000, 'the end marker');
  out('events', got);
});
