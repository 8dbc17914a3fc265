'use strict';
// Shared helpers of the AutobahnJS / wampy peers that js_test.go runs against
// "autobahn serve". Every script takes one argument, a JSON object:
//   {ws, rsHost, rsPort, realm, prefix, ...scenario parameters}
// and prints one JSON object per line on stdout:
//   {"k": key, "v": value}   a result the Go test asserts on
//   {"fail": message}        the scenario broke; the process exits 1
//   {"done": true}           the scenario finished; the process exits 0
// Values are normalized so that Go can compare them exactly: byte arrays
// become {"$bytes": hex, "$type": constructor name}, BigInts become
// {"$bigint": decimal}.
//
// What the client's and the authentication tests' scripts use too (emit,
// sleep, within, progressDeferred, AutobahnJS's serializers) is in
// interop/testdata/peer_lib.js.
//
// Modules resolve through NODE_PATH (interop/node/node_modules, installed by
// scripts/install-peers.sh).

const autobahn = require('autobahn');
const { Wampy } = require('wampy');
const { JsonSerializer } = require('wampy/JsonSerializer.js');
const { MsgpackSerializer } = require('wampy/MsgpackSerializer.js');
const { CborSerializer } = require('wampy/CborSerializer.js');
const WebSocket = require('ws');
const {
  emit, describe: describeWith, sleep, within, progressDeferred, closeConnection, serializers: abSerializers,
} = require('../../testdata/peer_lib.js');

const cfg = JSON.parse(process.argv[2] || '{}');
const P = cfg.prefix;

// Nothing may hang: the whole scenario has 20 s.
const globalTimer = setTimeout(() => fail('global timeout: scenario not done after 20 s'), 20000);

function norm(v) {
  if (typeof v === 'bigint') {
    return { $bigint: v.toString() };
  }
  if (v === undefined) {
    return null;
  }
  if (v instanceof ArrayBuffer) {
    return { $bytes: Buffer.from(v).toString('hex'), $type: 'ArrayBuffer' };
  }
  if (ArrayBuffer.isView(v)) {
    return {
      $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex'),
      $type: Buffer.isBuffer(v) ? 'Buffer' : v.constructor.name,
    };
  }
  if (Array.isArray(v)) {
    return v.map(norm);
  }
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) {
      if (v[k] !== undefined) {
        o[k] = norm(v[k]);
      }
    }
    return o;
  }
  return v;
}

// out reports one result.
function out(k, v) {
  emit({ k, v: norm(v) });
}

let failed = false;
function fail(msg) {
  if (failed) {
    return;
  }
  failed = true;
  emit({ fail: String(msg && msg.stack ? msg.stack : msg) });
  process.exit(1);
}

process.on('unhandledRejection', (e) => fail('unhandled rejection: ' + describe(e)));
process.on('uncaughtException', (e) => fail('uncaught exception: ' + describe(e)));

function describe(e) {
  return describeWith(e, norm);
}

// errInfo flattens an AutobahnJS error (autobahn.Error: error, args, kwargs)
// or a wampy error (errorUri, argsList, argsDict) for reporting.
function errInfo(e) {
  if (e === null || typeof e !== 'object') {
    return { thrown: String(e) };
  }
  const o = {};
  if (e.error !== undefined) o.error = e.error;
  if (e.errorUri !== undefined) o.error = e.errorUri;
  if (e.args !== undefined) o.args = e.args;
  if (e.kwargs !== undefined) o.kwargs = e.kwargs;
  if (e.argsList !== undefined) o.args = e.argsList;
  if (e.argsDict !== undefined) o.kwargs = e.argsDict;
  if (e.name !== undefined && e.name !== 'Error') o.name = e.name;
  if (o.error === undefined && e.message !== undefined) o.message = e.message;
  return o;
}

// settle resolves to {ok: value} or {err: errInfo}, within ms.
async function settle(p, ms, what) {
  try {
    return { ok: await within(p, ms, what) };
  } catch (e) {
    if (e instanceof Error && /^timeout after/.test(e.message)) {
      throw e;
    }
    return { err: errInfo(e) };
  }
}

// waitUntil polls cond until it is true, failing the scenario after ms.
async function waitUntil(cond, ms, what) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) {
      throw new Error('timeout after ' + ms + ' ms waiting for ' + what);
    }
    await sleep(5);
  }
}

const wpSerializers = {
  json: () => new JsonSerializer(),
  msgpack: () => new MsgpackSerializer(),
  cbor: () => new CborSerializer(),
};

const openConns = [];

// ab opens an AutobahnJS session. opts: {label, serializer (json|msgpack|cbor),
// transport (websocket|rawsocket), progress (progress notifications needed,
// see progressDeferred in peer_lib.js)}. The session gets .welcome (the
// WELCOME details) and .label. A connection that closes before closeAll() is
// reported as {"k": "unexpected_close.<label>"}.
function ab(opts) {
  const label = opts.label;
  let transport;
  if (opts.transport === 'rawsocket') {
    transport = { type: 'rawsocket', host: cfg.rsHost, port: cfg.rsPort };
  } else {
    transport = { type: 'websocket', url: cfg.ws, serializers: [abSerializers[opts.serializer || 'json']()] };
  }
  const options = {
    realm: cfg.realm,
    transports: [transport],
    max_retries: 0,
    retry_if_unreachable: false,
  };
  if (opts.progress && !autobahn.when) {
    options.use_deferred = progressDeferred;
  }
  const conn = new autobahn.Connection(options);
  const entry = { kind: 'autobahn', label, conn, closing: false, closed: null, session: null };
  openConns.push(entry);
  return new Promise((resolve, reject) => {
    conn.onopen = (session, details) => {
      session.welcome = details;
      session.label = label;
      entry.session = session;
      resolve(session);
    };
    conn.onclose = (reason, details) => {
      entry.closed = { reason, details };
      if (!entry.session) {
        reject(new Error('AutobahnJS connection ' + label + ' failed: ' + reason + ' ' + JSON.stringify(details)));
      } else if (!entry.closing) {
        out('unexpected_close.' + label, { reason, message: details && details.message, session_reason: details && details.reason });
      }
      return true;
    };
    conn.open();
  });
}

// wp opens a wampy session (WebSocket via node ws), with wampy's three
// serializers available for payload passthru. It gets .welcome and .label;
// an unexpected close is reported like ab's.
async function wp(opts) {
  const label = opts.label;
  const entry = { kind: 'wampy', label, conn: null, closing: false, closed: null, session: null };
  openConns.push(entry);
  const w = new Wampy(cfg.ws, {
    realm: cfg.realm,
    ws: WebSocket,
    serializer: wpSerializers[opts.serializer || 'json'](),
    payloadSerializers: { json: new JsonSerializer(), cbor: new CborSerializer(), msgpack: new MsgpackSerializer() },
    autoReconnect: false,
    onClose: () => {
      entry.closed = { reason: 'closed' };
      if (entry.session && !entry.closing) {
        out('unexpected_close.' + label, { reason: 'closed' });
      }
    },
    onError: (e) => {
      if (entry.session && !entry.closing) {
        out('wampy_error.' + label, errInfo(e));
      }
    },
  });
  entry.conn = w;
  const details = await within(w.connect(), 5000, 'wampy ' + label + ' connect');
  w.welcome = details;
  w.label = label;
  entry.session = w;
  return w;
}

// closeAll leaves every session cleanly (bounded), then the script ends.
async function closeAll() {
  const waits = [];
  for (const e of openConns) {
    e.closing = true;
    if (e.closed) {
      continue;
    }
    if (e.kind === 'autobahn') {
      waits.push(closeConnection(e.conn));
    } else if (e.conn) {
      waits.push(Promise.resolve(e.conn.disconnect()).catch(() => {}));
    }
  }
  await Promise.race([Promise.all(waits), sleep(1500)]);
}

// run runs the scenario, reports done and exits.
function run(scenario) {
  scenario()
    .then(async () => {
      await closeAll();
      clearTimeout(globalTimer);
      emit({ done: true });
      process.exit(0);
    })
    .catch((e) => fail(describe(e)));
}

// features lists the feature names a WELCOME role announces as true.
function features(welcome, role) {
  const r = welcome && welcome.roles && welcome.roles[role];
  if (!r || !r.features) {
    return [];
  }
  return Object.keys(r.features).filter((k) => r.features[k] === true).sort();
}

module.exports = {
  autobahn, Wampy, cfg, P, out, fail, errInfo, sleep, within, settle, waitUntil,
  ab, wp, run, features, norm,
};
