'use strict';
// AutobahnJS 22.11.1 (Node) peers of the Go client (package wamp), which
// client_test.go runs against an embedded router. One process runs a batch
// of scenarios concurrently, with the same kinds, argument and output as
// py_peer.py (see there):
//   argument {ws, rsHost, rsPort, realm, scenarios: [{id, kind, prefix, transport, serializer, ...}]}
//   output   {"s", "k", "v"} | {"s", "done"} | {"s", "fail"} | {"end"} | {"fatal"}
// Bytes: {"$bytes": hex} in the argument becomes a Buffer (msgpack, cbor), or
// with JSON the "\0"+base64 string of the WAMP bytes convention, which
// AutobahnJS's JSON serializer does not implement itself; Buffers and typed
// arrays received are reported as {"$bytes": hex}.
// AutobahnJS callees do not announce call_canceling: they never see an
// INTERRUPT, so the "callee" kind adds P.slow (answers after some ms) to show
// that a late answer to a canceled call does no harm.
// Helpers it shares with the other AutobahnJS peers: interop/testdata/peer_lib.js.
//
// Modules resolve through NODE_PATH (interop/node/node_modules, installed by
// scripts/install-peers.sh).

const autobahn = require('autobahn');
const {
  emit, describe: describeWith, failSafe, sleep, within, progressDeferred, closeConnection, serializers,
} = require('../../testdata/peer_lib.js');

const CFG = JSON.parse(process.argv[2]);
const SCENARIO_TIMEOUT = 30000;
const PROCESS_TIMEOUT = 45000;

const DATA = Buffer.concat([Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0]), Buffer.from('\u00e9\u2713\u0000end', 'utf8')]);

failSafe(PROCESS_TIMEOUT, norm);

function norm(v) {
  if (v === undefined) return null;
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof ArrayBuffer) return { $bytes: Buffer.from(v).toString('hex') };
  if (ArrayBuffer.isView(v)) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
  if (Array.isArray(v)) return v.map(norm);
  if (v instanceof autobahn.Result) return { args: norm(v.args), kwargs: norm(v.kwargs) };
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) {
      if (v[k] !== undefined) o[k] = norm(v[k]);
    }
    return o;
  }
  return v;
}

function describe(e) {
  return describeWith(e, norm);
}

function typename(v) {
  if (v === null || v === undefined) return 'null';
  if (Buffer.isBuffer(v)) return 'Buffer';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return 'Array';
  return typeof v;
}

async function until(cond, ms) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

class Ctx {
  constructor(spec) {
    this.spec = spec;
    this.id = spec.id;
    this.p = spec.prefix;
    this.conns = [];
  }

  out(k, v) {
    emit({ s: this.id, k, v: norm(v) });
  }

  // bytes turns {"$bytes": hex} into the bytes of this scenario's serializer.
  bytes(b) {
    return this.spec.serializer === 'json' ? '\u0000' + b.toString('base64') : Buffer.from(b);
  }

  denorm(v) {
    if (Array.isArray(v)) return v.map((x) => this.denorm(x));
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$bytes') return this.bytes(Buffer.from(v.$bytes, 'hex'));
      const o = {};
      for (const k of keys) o[k] = this.denorm(v[k]);
      return o;
    }
    return v;
  }

  // session opens an AutobahnJS session on the scenario's transport and
  // serializer. A connection lost before the scenario ends is reported as
  // "unexpected_close".
  session(label) {
    let transport;
    if (this.spec.transport === 'rs') {
      transport = { type: 'rawsocket', host: CFG.rsHost, port: CFG.rsPort };
    } else {
      transport = { type: 'websocket', url: CFG.ws, serializers: [serializers[this.spec.serializer]()] };
    }
    const options = { realm: CFG.realm, transports: [transport], max_retries: 0, retry_if_unreachable: false };
    if (!autobahn.when) options.use_deferred = progressDeferred;
    const conn = new autobahn.Connection(options);
    const entry = { conn, closing: false, closed: false, opened: false };
    this.conns.push(entry);
    return within(new Promise((resolve, reject) => {
      conn.onopen = (session, details) => {
        entry.opened = true;
        session.welcome = details;
        resolve(session);
      };
      conn.onclose = (reason, details) => {
        entry.closed = true;
        if (!entry.opened) {
          reject(new Error('connection failed: ' + reason + ' ' + JSON.stringify(details)));
        } else if (!entry.closing) {
          this.out('unexpected_close.' + label, { reason, details });
        }
        return true;
      };
      conn.open();
    }), 10000, 'opening session ' + label);
  }

  async close() {
    await Promise.race([Promise.all(this.conns.map((e) => {
      e.closing = true;
      return e.closed || !e.opened ? Promise.resolve() : closeConnection(e.conn);
    })), sleep(2000)]);
  }
}

function identity(s) {
  return { session: s.id, authid: s.welcome.authid, authrole: s.welcome.authrole };
}

function outcomeOfResult(r) {
  if (r instanceof autobahn.Result) return { args: r.args, kwargs: r.kwargs };
  if (r === null || r === undefined) return { args: [], kwargs: {} };
  return { args: [r], kwargs: {} };
}

function outcomeOfError(e) {
  if (e instanceof autobahn.Error) return { error: e.error, args: e.args, kwargs: e.kwargs };
  return { exception: e && e.message ? e.message : String(e) };
}

async function call(c, s, spec, args) {
  const progress = [];
  const opts = {};
  if (spec.progress) opts.receive_progress = true;
  if (spec.timeout) opts.timeout = spec.timeout;
  if (spec.disclose_me) opts.disclose_me = true;
  const t0 = Date.now();
  const p = s.call(c.p + spec.proc, args, c.denorm(spec.kwargs || {}), opts);
  if (spec.progress) {
    const onProgress = (v) => progress.push(outcomeOfResult(v));
    if (autobahn.when) p.then(null, null, onProgress);
    else p.progress(onProgress);
  }
  if (spec.cancel_after) setTimeout(() => p.cancel({ mode: spec.cancel_mode || 'kill' }), spec.cancel_after);
  let o;
  try {
    o = outcomeOfResult(await within(p, 10000, 'call ' + spec.label));
  } catch (e) {
    if (e instanceof Error && /^timeout after/.test(e.message)) throw e;
    o = outcomeOfError(e);
  }
  o.elapsed_ms = Date.now() - t0;
  if (spec.progress) o.progress = progress;
  return o;
}

const SCENARIOS = {
  async caller(c) {
    const s = await c.session('caller');
    c.out('session', identity(s));
    for (const spec of c.spec.calls) {
      if (spec.parallel) {
        // that many calls at once, with args [i]
        const calls = [];
        for (let i = 0; i < spec.parallel; i++) calls.push(call(c, s, spec, [i]));
        const o = await Promise.all(calls);
        o.forEach((r) => delete r.elapsed_ms);
        c.out(spec.label, o);
      } else {
        c.out(spec.label, await call(c, s, spec, c.denorm(spec.args || [])));
      }
    }
  },

  async callee(c) {
    const s = await c.session('callee');
    let finished;
    const done = new Promise((resolve) => {
      finished = resolve;
    });
    const procs = {
      echo: (args, kwargs) => new autobahn.Result(args, kwargs),
      describe: (args, kwargs) => {
        const kw = {};
        for (const k of Object.keys(kwargs)) kw[k] = typename(kwargs[k]);
        return new autobahn.Result(args.map(typename), kw);
      },
      bytes: (args, kwargs) => {
        const same = (v) => (typeof v === 'string' ? v === c.bytes(DATA) : Buffer.isBuffer(v) && v.equals(DATA));
        const rev = Buffer.from(DATA).reverse();
        return new autobahn.Result([c.bytes(DATA), c.bytes(rev)], {
          blob: c.bytes(DATA), got: [typename(args[0]), same(args[0]), typename(kwargs.blob), same(kwargs.blob)],
        });
      },
      fail: (args) => {
        throw new autobahn.Error('com.example.oops', ['bad', 1], { why: 'test', got: args });
      },
      progress: async (args, kwargs, details) => {
        if (!details.progress) return 'no progress requested';
        const n = args[0];
        const delay = args.length > 1 ? args[1] : 10;
        for (let i = 1; i <= n; i++) {
          details.progress([i], { step: 'p' + i });
          if (delay) await sleep(delay);
        }
        return new autobahn.Result(['done', n], { last: true });
      },
      hang: (args) => {
        c.out('invoked.' + args[0], true);
        return new Promise(() => {});
      },
      slow: async (args) => {
        c.out('invoked.' + args[0], true);
        await sleep(args[1]);
        c.out('answered.' + args[0], true);
        return 'late';
      },
      who: (args, kwargs, details) => new autobahn.Result([details.caller, details.caller_authid, details.caller_authrole].map(norm)),
      finish: () => {
        setTimeout(finished, 50);
        return 'bye';
      },
    };
    for (const name of Object.keys(procs)) {
      await within(s.register(c.p + '.' + name, procs[name]), 5000, 'register ' + name);
    }
    c.out('ready', identity(s));
    await done;
  },

  async publisher(c) {
    const s = await c.session('publisher');
    c.out('session', identity(s));
    const topic = c.p + '.t';
    for (let i = 0; i < c.spec.count; i++) {
      s.publish(topic, [i], { i }, { disclose_me: true });
    }
    s.publish(topic, ['bytes', c.bytes(DATA)], { blob: c.bytes(DATA) });
    s.publish(topic, ['anon']);
    const pub = await within(s.publish(topic, ['end'], {}, { acknowledge: true }), 5000, 'acknowledged publish');
    c.out('published', pub.id);
  },

  async subscriber(c) {
    const got = {};
    const ready = {};
    for (const label of c.spec.labels) {
      const s = await c.session(label);
      const events = (got[label] = []);
      await within(s.subscribe(c.p + '.t', (args, kwargs, details) => {
        events.push({ args, kwargs, publication: details.publication, publisher: details.publisher === undefined ? null : details.publisher });
      }), 5000, 'subscribe');
      ready[label] = identity(s);
    }
    c.out('ready', ready);
    const ended = () => Object.values(got).every((e) => e.length > 0 && e[e.length - 1].args[0] === 'end');
    const ok = await until(ended, 20000);
    await sleep(100);
    c.out('events', got);
    if (!ok) throw new Error('not every subscriber got "end"');
  },
};

async function run(spec) {
  const c = new Ctx(spec);
  try {
    await within(SCENARIOS[spec.kind](c), SCENARIO_TIMEOUT, 'scenario ' + spec.id);
    await c.close();
    emit({ s: c.id, done: true });
  } catch (e) {
    emit({ s: c.id, fail: describe(e) });
    await c.close();
  }
}

Promise.all(CFG.scenarios.map(run)).then(() => {
  emit({ end: true });
  process.exit(0);
});
