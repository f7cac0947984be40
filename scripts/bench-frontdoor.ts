/**
 * npm run bench:frontdoor — wrk against (a) the Go app directly, (b) nginx with a naive
 * proxy_pass configuration, (c) the generated front door, over HTTP and HTTPS with keep-alive
 * clients, all in one private network namespace on loopback. Prints requests/s, p50/p99 and the
 * ratios generated/naive and generated/direct; writes the same to bench-results/frontdoor.json.
 * Needs root (unshare) and Debian's nginx, wrk, golang-go.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NginxFrontDoor, CertificateSource } from '../lib';
import { hostFiles } from '../test/helpers/host-files';
import { materialize } from '../test/helpers/front-door';
import { newStack, synthJson } from '../test/helpers/stacks';

const DOMAIN = 'bench.example.test';
const duration = process.env.BENCH_DURATION ?? '5s';
const connections = process.env.BENCH_CONNECTIONS ?? '64';

interface Figures { requestsPerSec: number; p50Ms: number; p99Ms: number; errors: string | null }

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

function parseWrk(text: string): Figures {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(text)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(text)?.[1] ?? '');
  const errors = /(Non-2xx or 3xx responses: \d+|Socket errors:[^\n]+)/.exec(text)?.[1] ?? null;
  return { requestsPerSec: rps, p50Ms: p50, p99Ms: p99, errors };
}

function main(): void {
  const W = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-bench-'));
  const { stack } = newStack();
  new NginxFrontDoor(stack, 'FrontDoor', {
    domainNames: [DOMAIN],
    certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }),
    subnetId: 'subnet-0123456789abcdef0',
    vpcId: 'vpc-0123456789abcdef0',
    upstreams: ['127.0.0.1:18080'],
  });
  const ci = Object.entries<any>(synthJson(stack).data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
  materialize(hostFiles(ci.part), path.join(W, 'files'), (p) => p.startsWith('/etc/nginx/gohost/'));

  const app = path.join(W, 'gohost-app');
  execFileSync('go', ['build', '-trimpath', '-o', app, '.'], {
    cwd: path.resolve(__dirname, '../examples/app'),
    env: { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOCACHE: path.join(W, 'gocache') },
    stdio: 'inherit',
  });
  const r = spawnSync('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private',
    'bash', path.resolve(__dirname, 'bench-frontdoor.sh'), W, DOMAIN, app, duration, connections], { stdio: 'inherit', timeout: 300_000 });
  const R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`benchmark did not finish (exit ${r.status})`);

  const names = ['direct-http', 'naive-http', 'generated-http', 'naive-https', 'generated-https'];
  const figures = Object.fromEntries(names.map((n) => [n, parseWrk(fs.readFileSync(path.join(R, `${n}.wrk`), 'utf8'))])) as Record<string, Figures>;
  const ratio = (a: string, b: string) => Math.round((figures[a].requestsPerSec / figures[b].requestsPerSec) * 100) / 100;
  const ratios = {
    'generated/naive (HTTP)': ratio('generated-http', 'naive-http'),
    'generated/naive (HTTPS)': ratio('generated-https', 'naive-https'),
    'generated/direct (HTTP)': ratio('generated-http', 'direct-http'),
    'generated/direct (HTTPS)': ratio('generated-https', 'direct-http'),
  };

  console.log(`\nwrk -t1 -c${connections} -d${duration}, keep-alive clients, loopback, ${os.cpus().length} CPUs\n`);
  console.log('target            requests/s     p50 ms    p99 ms   errors');
  for (const n of names) {
    const f = figures[n];
    console.log(`${n.padEnd(16)} ${f.requestsPerSec.toFixed(0).padStart(11)} ${f.p50Ms.toFixed(2).padStart(10)} ${f.p99Ms.toFixed(2).padStart(9)}   ${f.errors ?? '-'}`);
  }
  console.log('');
  for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(26)} ${v.toFixed(2)}×`);

  const out = path.resolve(__dirname, '../bench-results/frontdoor.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ tool: `wrk -t1 -c${connections} -d${duration} --latency`, cpus: os.cpus().length, figures, ratios }, null, 2) + '\n');
  console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
}

main();
