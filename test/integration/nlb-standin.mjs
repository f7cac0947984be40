// Stands in for the internal Network Load Balancer in the rolling-release test (test-only):
// TCP flows are pinned to a target when they open; a deregistered target gets no new flows, and
// its open flows are closed when the deregistration delay ends (connection_termination).
// Control on a second port: GET /register?port=P, /deregister?port=P, /targets.
// As the public load balancer (STANDIN_PROXY_PROTOCOL=1): each flow starts with a proxy protocol v2
// header naming the client, and reaches the target from STANDIN_SOURCE (the load balancer's address).
import * as http from 'node:http';
import * as net from 'node:net';

const [listenPort, controlPort, delaySec] = process.argv.slice(2).map(Number);
const proxyProtocol = process.env.STANDIN_PROXY_PROTOCOL === '1';
const source = process.env.STANDIN_SOURCE;

/** Proxy protocol v2, PROXY command, TCP over IPv4: signature, version/command, family, length, addresses, ports. */
function ppv2(client) {
  const ip = (a) => a.replace(/^::ffff:/, '').split('.').map(Number);
  const body = Buffer.from([...ip(client.remoteAddress), ...ip(client.localAddress), 0, 0, 0, 0]);
  body.writeUInt16BE(client.remotePort, 8);
  body.writeUInt16BE(client.localPort, 10);
  const head = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, body.length]);
  return Buffer.concat([head, body]);
}
const targets = new Map(); // port -> { flows: Set<net.Socket>, state: 'registered' | 'draining' }
let next = 0;

net.createServer((client) => {
  const live = [...targets.entries()].filter(([, t]) => t.state === 'registered');
  if (live.length === 0) { client.destroy(); return; }
  const [port, target] = live[next++ % live.length];
  const upstream = net.connect({ port, host: '127.0.0.1', ...(source ? { localAddress: source } : {}) });
  if (proxyProtocol) upstream.write(ppv2(client));
  const flow = { client, upstream };
  target.flows.add(flow);
  const close = () => { client.destroy(); upstream.destroy(); target.flows.delete(flow); };
  client.pipe(upstream).pipe(client);
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
}).listen(listenPort, '127.0.0.1');

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://control');
  const port = Number(url.searchParams.get('port'));
  if (url.pathname === '/register') targets.set(port, { flows: new Set(), state: 'registered' });
  if (url.pathname === '/deregister') {
    const t = targets.get(port);
    t.state = 'draining';
    setTimeout(() => { for (const f of t.flows) { f.client.destroy(); f.upstream.destroy(); } targets.delete(port); }, delaySec * 1000);
  }
  res.end(JSON.stringify([...targets.entries()].map(([p, t]) => ({ port: p, state: t.state, flows: t.flows.size }))) + '\n');
}).listen(controlPort, '127.0.0.1');
