'use strict';
// Publisher exclusion: a publisher that is also a subscriber gets its own
// event only with exclude_me: false. (wampy cannot send exclude_me: false:
// its publish() copies exclude_me only when it is truthy.)
const { P, out, waitUntil, ab, run } = require('./jslib.js');

run(async () => {
  const pub = await ab({ label: 'pub', serializer: 'json' });
  const other = await ab({ label: 'other', serializer: 'cbor' });

  const mine = [];
  const theirs = [];
  await pub.subscribe(P + '.t', (args) => mine.push(args[0]));
  await other.subscribe(P + '.t', (args) => theirs.push(args[0]));

  await pub.publish(P + '.t', ['default'], null, { acknowledge: true });
  await pub.publish(P + '.t', ['exclude_me_false'], null, { acknowledge: true, exclude_me: false });
  await pub.publish(P + '.t', ['exclude_me_true'], null, { acknowledge: true, exclude_me: true });
  await pub.publish(P + '.t', ['end'], null, { acknowledge: true, exclude_me: false });
  await waitUntil(() => mine.includes('end') && theirs.includes('end'), 5000, 'the end marker');
  out('publisher', mine);
  out('other', theirs);
});
