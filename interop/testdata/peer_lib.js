'use strict';
// What the AutobahnJS peer scripts share: interop/router/testdata/jslib.js
// (one scenario a process), interop/client/testdata/js_peer.js and
// interop/testdata/auth_peer.js (the batch line protocol of internal/peers).
// A script requires it by its own path, e.g.
//   require('../../testdata/peer_lib.js')
// Each script keeps its own norm: the router's reports the class of bytes
// ("$type"), the client's unpacks autobahn.Result, auth_peer.js reports
// values as they are.
//
// Modules resolve through NODE_PATH (interop/node/node_modules, installed by
// scripts/install-peers.sh).

const autobahn = require('autobahn');

// emit prints one line of output: a JSON object.
function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// describe renders what was thrown for a fail or fatal line: its stack, or
// else normalize(e) as JSON (normalize: the script's norm; none by
// default).
function describe(e, normalize = (v) => v) {
  if (e && e.stack) return e.stack;
  try {
    return JSON.stringify(normalize(e));
  } catch (_) {
    return String(e);
  }
}

// failSafe makes a batch process give up with a fatal line after ms, and
// report what escapes every scenario as a fatal line too (the process goes
// on: the other scenarios may still end).
function failSafe(ms, normalize) {
  setTimeout(() => {
    emit({ fatal: 'node process still running after ' + ms + ' ms' });
    process.exit(2);
  }, ms).unref();
  process.on('unhandledRejection', (e) => emit({ fatal: 'unhandled rejection: ' + describe(e, normalize) }));
  process.on('uncaughtException', (e) => emit({ fatal: 'uncaught exception: ' + describe(e, normalize) }));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// within rejects when p does not settle in ms, with an Error whose message
// starts "timeout after" (callers tell it from the peer's own errors so).
function within(p, ms, what) {
  let timer;
  return Promise.race([
    Promise.resolve(p).finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout after ' + ms + ' ms: ' + what)), ms);
    }),
  ]);
}

// A deferred factory with progress notification, for AutobahnJS's
// Connection option use_deferred. AutobahnJS 22.11.1 uses when.js deferreds
// when its optional dependency when is installed (it is, by npm), and ES6
// promises otherwise, whose deferreds have no notify(): a progressive RESULT
// would then throw "d.notify is not a function" in the transport's message
// handler. Scripts use it only when autobahn.when is missing.
function progressDeferred() {
  const d = {};
  const listeners = [];
  d.promise = new Promise((resolve, reject) => {
    d.resolve = resolve;
    d.reject = reject;
  });
  d.notify = (v) => listeners.forEach((f) => f(v));
  d.promise.progress = (f) => {
    listeners.push(f);
    return d.promise;
  };
  return d;
}

// closeConnection closes an AutobahnJS Connection and resolves once it has
// closed, or at once when close() throws (it was closed already).
function closeConnection(conn) {
  return new Promise((resolve) => {
    conn.onclose = () => {
      resolve();
      return true; // no retry
    };
    try {
      conn.close();
    } catch (_) {
      resolve();
    }
  });
}

// AutobahnJS's serializers by name, a new one each call.
const serializers = {
  json: () => new autobahn.serializer.JSONSerializer(),
  msgpack: () => new autobahn.serializer.MsgpackSerializer(),
  cbor: () => new autobahn.serializer.CBORSerializer(),
};

module.exports = { emit, describe, failSafe, sleep, within, progressDeferred, closeConnection, serializers };
