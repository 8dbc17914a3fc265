// node `ws` WebSocket peer for the interop tests in interop/websocket: the
// same protocol as autobahn_peer.py (see there), for `ws` 8.
//
// Usage: node ws_peer.js server | client   (with NODE_PATH set to the
// node_modules directory that holds ws)
//
// server: listens on 127.0.0.1 on a free port, prints {"event":"listening",
// "port":N}; the path /deny is denied with 403 (ws writes the standard
// reason phrase "Forbidden" and puts "Forbidden by ws peer" in the body);
// frag=N in the query fragments echoes into frames of N bytes;
// permessage-deflate is accepted (threshold 0: every message compressed).
// client: reads JSON lines on stdin: {"id","url","deflate","frag",
// "serverMaxWindowBits"}; the last one is added to the permessage-deflate
// offer.
'use strict';

const crypto = require('crypto');
const readline = require('readline');
const { WebSocket, WebSocketServer } = require('ws');

const TEXT_UNIT = Buffer.from('Hello-µ@ßöäüàá-UTF-8!! κόσμε 😀 ', 'utf8');

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

// genPayload is textPayload and binaryPayload of the Go tests.
function genPayload(size, binary) {
  const b = Buffer.alloc(size);
  if (binary) {
    for (let i = 0; i < size; i++) b[i] = (i * 31 + 7) & 0xff;
    return b;
  }
  let i = 0;
  while (i + TEXT_UNIT.length <= size) {
    TEXT_UNIT.copy(b, i);
    i += TEXT_UNIT.length;
  }
  b.fill('*', i);
  return b;
}

// send sends a message, in frames of frag bytes if frag > 0.
function send(ws, data, binary, frag) {
  if (!frag || data.length <= frag) {
    ws.send(data, { binary });
    return;
  }
  for (let i = 0; i < data.length; i += frag) {
    const end = Math.min(i + frag, data.length);
    ws.send(data.subarray(i, end), { binary, fin: end === data.length });
  }
}

function attach(ws, id, frag) {
  emit({ event: 'open', id, compressed: ws.extensions.includes('permessage-deflate') });
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.subarray(0, 4).toString() === 'cmd ') {
      const cmd = JSON.parse(data.subarray(4).toString('utf8'));
      emit({ event: 'cmd', id, op: cmd.op });
      if (cmd.op === 'send') {
        const payload = genPayload(cmd.size, !!cmd.binary);
        for (let n = 0; n < (cmd.count || 1); n++) send(ws, payload, !!cmd.binary, cmd.frag || 0);
      } else if (cmd.op === 'ping') {
        ws.ping(Buffer.from(cmd.payload, 'utf8'));
      } else if (cmd.op === 'close') {
        ws.close(cmd.code, cmd.reason);
      }
      return;
    }
    emit({
      event: 'message', id, binary: isBinary, size: data.length,
      sha256: crypto.createHash('sha256').update(data).digest('hex'),
    });
    send(ws, data, isBinary, frag);
  });
  ws.on('ping', (data) => emit({ event: 'ping', id, payload: data.toString('latin1') }));
  ws.on('pong', (data) => emit({ event: 'pong', id, payload: data.toString('latin1') }));
  ws.on('close', (code, reason) => emit({ event: 'close', id, wasClean: code !== 1006, code, reason: reason.toString('utf8') }));
  if (ws.listenerCount('error') === 0) ws.on('error', (err) => emit({ event: 'error', id, message: err.message }));
}

function server() {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: { threshold: 0 },
    verifyClient: (info, cb) => {
      const u = new URL(info.req.url, 'http://localhost');
      emit({
        event: 'connect', id: u.searchParams.get('id') || '?', path: u.pathname,
        offer: info.req.headers['sec-websocket-extensions'] || '',
      });
      if (u.pathname === '/deny') cb(false, 403, 'Forbidden by ws peer');
      else cb(true);
    },
  });
  wss.on('listening', () => emit({ event: 'listening', port: wss.address().port }));
  wss.on('connection', (ws, req) => {
    const u = new URL(req.url, 'http://localhost');
    attach(ws, u.searchParams.get('id') || '?', Number(u.searchParams.get('frag') || 0));
  });
}

function client(line) {
  const req = JSON.parse(line);
  const pmd = req.deflate ? { threshold: 0 } : false;
  if (pmd && req.serverMaxWindowBits) pmd.serverMaxWindowBits = req.serverMaxWindowBits;
  const ws = new WebSocket(req.url, { perMessageDeflate: pmd });
  ws.on('upgrade', (res) => emit({
    event: 'connect', id: req.id, protocol: res.headers['sec-websocket-protocol'] || '',
    extensions: res.headers['sec-websocket-extensions'] || '',
  }));
  ws.on('unexpected-response', (r, res) => {
    emit({ event: 'denied', id: req.id, status: res.statusCode, reason: res.statusMessage });
    r.destroy();
  });
  ws.on('open', () => attach(ws, req.id, req.frag || 0));
  ws.on('error', (err) => emit({ event: 'error', id: req.id, message: err.message }));
}

const mode = process.argv[2];
if (mode !== 'server' && mode !== 'client') {
  process.stderr.write('usage: node ws_peer.js server | client\n');
  process.exit(2);
}
if (mode === 'server') server();
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (mode === 'client' && line.trim() !== '') client(line);
});
rl.on('close', () => process.exit(0));
