/**
 * npm run bench:frontdoor — wrk against (a) the Go app directly, (b) nginx with a naive
 * proxy_pass configuration, (c) a hand-tuned expert configuration of the same proxy, (d) the
 * generated front door, over HTTP and HTTPS with keep-alive clients, all in one private network
 * namespace on loopback, in interleaved rounds (BENCH_ROUNDS, 5). Prints the medians of
 * requests/s, p50/p99 and nginx's CPU time per request, and the ratios generated/expert,
 * generated/naive and generated/direct; writes the same to bench-results/frontdoor.json.
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
const rounds = Number(process.env.BENCH_ROUNDS ?? '5');

interface Figures { requestsPerSec: number; p50Ms: number; p99Ms: number; errors: string | null; requests: number }
/** Medians over the rounds; nginxCpuUsPerRequest is the nginx workers' CPU time per request. */
interface Summary { requestsPerSec: number; p50Ms: number; p99Ms: number; nginxCpuUsPerRequest: number | null; errors: string[] }

const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); const m = a.length >> 1; return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2; };

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
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  return { requestsPerSec: rps, p50Ms: p50, p99Ms: p99, errors, requests };
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
    'bash', path.resolve(__dirname, 'bench-frontdoor.sh'), W, DOMAIN, app, duration, connections, String(rounds)], { stdio: 'inherit', timeout: 3_600_000 });
  const R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`benchmark did not finish (exit ${r.status})`);

  const names = ['direct-http', 'naive-http', 'expert-http', 'generated-http', 'naive-https', 'expert-https', 'generated-https'];
  const clkTck = Number(fs.readFileSync(path.join(R, 'clk_tck'), 'utf8'));
  const summary = (n: string): Summary => {
    const runs = Array.from({ length: rounds }, (_, i) => {
      const f = parseWrk(fs.readFileSync(path.join(R, `${n}.${i + 1}.wrk`), 'utf8'));
      const ticks = Number(fs.readFileSync(path.join(R, `${n}.${i + 1}.ticks`), 'utf8'));
      return { ...f, cpuUs: (ticks / clkTck / f.requests) * 1e6 };
    });
    return {
      requestsPerSec: median(runs.map((r) => r.requestsPerSec)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      nginxCpuUsPerRequest: n.startsWith('direct') ? null : median(runs.map((r) => r.cpuUs)),
      errors: runs.flatMap((r) => (r.errors ? [r.errors] : [])),
    };
  };
  const figures = Object.fromEntries(names.map((n) => [n, summary(n)])) as Record<string, Summary>;
  const ratio = (a: string, b: string) => Math.round((figures[a].requestsPerSec / figures[b].requestsPerSec) * 100) / 100;
  const ratios = {
    'generated/expert (HTTP)': ratio('generated-http', 'expert-http'),
    'generated/expert (HTTPS)': ratio('generated-https', 'expert-https'),
    'generated/naive (HTTP)': ratio('generated-http', 'naive-http'),
    'generated/naive (HTTPS)': ratio('generated-https', 'naive-https'),
    'generated/direct (HTTP)': ratio('generated-http', 'direct-http'),
    'generated/direct (HTTPS)': ratio('generated-https', 'direct-http'),
  };

  console.log(`\nwrk -t1 -c${connections} -d${duration}, keep-alive clients, loopback, ${os.cpus().length} CPUs, median of ${rounds} interleaved rounds\n`);
  console.log('target            requests/s     p50 ms    p99 ms   nginx CPU µs/request   errors');
  for (const n of names) {
    const f = figures[n];
    const cpu = f.nginxCpuUsPerRequest === null ? '-' : f.nginxCpuUsPerRequest.toFixed(1);
    console.log(`${n.padEnd(16)} ${f.requestsPerSec.toFixed(0).padStart(11)} ${f.p50Ms.toFixed(2).padStart(10)} ${f.p99Ms.toFixed(2).padStart(9)} ${cpu.padStart(22)}   ${f.errors.join('; ') || '-'}`);
  }
  console.log('');
  for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(26)} ${v.toFixed(2)}×`);

  const out = path.resolve(__dirname, '../bench-results/frontdoor.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ tool: `wrk -t1 -c${connections} -d${duration} --latency`, rounds, cpus: os.cpus().length, figures, ratios }, null, 2) + '\n');
  console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
}

main();
