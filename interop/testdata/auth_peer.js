'use strict';
// AutobahnJS 22.11.1 (Node) sessions that the authentication tests of
// interop/routerauth run against the router: each scenario joins realm1 with AutobahnJS's own authentication
// helpers (autobahn.auth_cra, autobahn.auth_cryptosign with tweetnacl) and
// reports the outcome. One process runs every scenario concurrently.
//
// Argument: {urls: {lane: URL}, keys: {name: seed hex},
//            backend: ["callee"] (optional: first join lane "backend"
//                     anonymously and register com.example.add2),
//            scenarios: [{id, kind: "join" | "actions", lane, serializer,
//                         auth: {method, authid, secret | key},
//                         actions: [{k, op, uri, args}] (kind "actions")}]}
// Output: the line protocol of internal/peers:
//   {"s", "k": "welcome", "v": {session, realm, authid, authrole, authmethod, authprovider}}
//   {"s", "k": "refused", "v": {reason, message}}
//   {"s", "k": action's k, "v": {ok: result} | {error: URI, args}} (kind "actions", see act)
// AutobahnJS's RawSocket transport (Node) speaks JSON only; wss:// trusts
// the CAs of NODE_EXTRA_CA_CERTS.
//
// Modules resolve through NODE_PATH (interop/node/node_modules, installed by
// scripts/install-peers.sh).

const autobahn = require('autobahn');
const { emit, describe, failSafe, serializers } = require('./peer_lib.js');

const CFG = JSON.parse(process.argv[2]);
const SCENARIO_TIMEOUT = 20000;
const PROCESS_TIMEOUT = 30000;

failSafe(PROCESS_TIMEOUT);

// authOptions returns the Connection options of an auth spec.
function authOptions(auth) {
  if (!auth) return {}; // anonymous
  if (auth.method === 'ticket') {
    return {
      authmethods: ['ticket'],
      authid: auth.authid,
      onchallenge: (session, method) => {
        if (method !== 'ticket') throw new Error('unexpected challenge ' + method);
        return auth.secret;
      },
    };
  }
  if (auth.method === 'wampcra') {
    return {
      authmethods: ['wampcra'],
      authid: auth.authid,
      onchallenge: (session, method, extra) => {
        if (method !== 'wampcra') throw new Error('unexpected challenge ' + method);
        let key = auth.secret;
        if (extra.salt) {
          key = autobahn.auth_cra.derive_key(auth.secret, extra.salt, extra.iterations, extra.keylen);
        }
        return autobahn.auth_cra.sign(key, extra.challenge);
      },
    };
  }
  if (auth.method === 'cryptosign') {
    const seed = Uint8Array.from(Buffer.from(CFG.keys[auth.key], 'hex'));
    const key = autobahn.nacl.sign.keyPair.fromSeed(seed);
    return {
      authmethods: ['cryptosign'],
      authid: auth.authid,
      authextra: { pubkey: autobahn.auth_cryptosign.public_key(key) },
      onchallenge: (session, method, extra) => {
        if (method !== 'cryptosign') throw new Error('unexpected challenge ' + method);
        return autobahn.auth_cryptosign.sign_challenge(key, extra);
      },
    };
  }
  throw new Error('unknown auth method ' + auth.method);
}

// join opens a connection and resolves with what became of it.
function join(spec) {
  const url = CFG.urls[spec.lane];
  let transport;
  if (url.startsWith('rs://')) {
    const [host, port] = url.slice('rs://'.length).split(':');
    transport = { type: 'rawsocket', host, port: Number(port) };
  } else {
    transport = { type: 'websocket', url, serializers: [serializers[spec.serializer || 'json']()] };
  }
  const options = Object.assign({
    realm: spec.realm || 'realm1',
    transports: [transport],
    max_retries: 0,
    retry_if_unreachable: false,
  }, authOptions(spec.auth));
  const conn = new autobahn.Connection(options);
  return new Promise((resolve, reject) => {
    let joined = false;
    conn.onopen = (session, details) => {
      joined = true;
      resolve({
        welcome: {
          session: session.id, realm: details.realm, authid: details.authid, authrole: details.authrole,
          authmethod: details.authmethod, authprovider: details.authprovider,
        },
        conn,
      });
    };
    conn.onclose = (reason, details) => {
      if (!joined) {
        if (details && details.reason) {
          resolve({ refused: { reason: details.reason, message: details.message }, conn });
        } else {
          reject(new Error('connection closed before WELCOME or ABORT: ' + reason + ' ' + JSON.stringify(details)));
        }
      }
      return true; // no retry
    };
    conn.open();
  });
}

// act does one action of an "actions" scenario ({op: "call" | "publish" |
// "subscribe" | "register", uri, args}) and resolves with {ok: result} or
// {error: URI, args}; publications are acknowledged, and publish, subscribe
// and register resolve with {ok: true}.
async function act(session, a) {
  try {
    switch (a.op) {
      case 'call':
        return { ok: await session.call(a.uri, a.args || []) };
      case 'publish':
        await session.publish(a.uri, a.args || [], {}, { acknowledge: true });
        break;
      case 'subscribe':
        await session.subscribe(a.uri, () => {});
        break;
      case 'register':
        await session.register(a.uri, () => null);
        break;
      default:
        throw new Error('unknown action ' + a.op);
    }
    return { ok: true };
  } catch (e) {
    if (e instanceof autobahn.Error) return { error: e.error, args: e.args };
    throw e;
  }
}

// close closes a joined connection and resolves when it is closed.
function close(conn) {
  return new Promise((resolve) => {
    conn.onclose = () => {
      resolve();
      return true;
    };
    conn.close();
  });
}

// startBackend joins lane "backend" anonymously and registers
// com.example.add2, which returns the sum and the caller as disclosed.
async function startBackend() {
  const res = await join({ lane: 'backend' });
  if (!res.welcome) throw new Error('backend refused: ' + JSON.stringify(res.refused));
  await res.conn.session.register('com.example.add2', (args, kwargs, details) => ({
    sum: args[0] + args[1],
    caller: details.caller === undefined ? null : details.caller,
    caller_authid: details.caller_authid === undefined ? null : details.caller_authid,
    caller_authrole: details.caller_authrole === undefined ? null : details.caller_authrole,
  }));
  return res.conn;
}

// scenario runs one scenario, reporting through out.
async function scenario(spec, out) {
  const res = await join(spec);
  if (!res.welcome) {
    out('refused', res.refused);
    return;
  }
  out('welcome', res.welcome);
  for (const a of (spec.kind === 'actions' ? spec.actions : [])) {
    out(a.k, await act(res.conn.session, a));
  }
  await close(res.conn);
}

async function run(spec) {
  const out = (k, v) => emit({ s: spec.id, k, v });
  let timer;
  try {
    await Promise.race([
      scenario(spec, out),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('scenario timed out after ' + SCENARIO_TIMEOUT + ' ms')), SCENARIO_TIMEOUT);
      }),
    ]);
    emit({ s: spec.id, done: true });
  } catch (e) {
    emit({ s: spec.id, fail: describe(e) });
  } finally {
    clearTimeout(timer);
  }
}

async function main() {
  let backend = null;
  if ((CFG.backend || []).includes('callee')) {
    try {
      backend = await startBackend();
    } catch (e) {
      emit({ fatal: 'backend: ' + describe(e) });
      process.exit(2);
    }
  }
  await Promise.all(CFG.scenarios.map(run));
  if (backend) await close(backend);
  emit({ end: true });
  process.exit(0);
}

main();
