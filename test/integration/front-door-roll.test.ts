/**
 * A front-door change under load, rolled the way the front doors' Auto Scaling group rolls it:
 * two generated load-balanced front doors (proxy protocol v2, health on nginx's own port) behind a
 * public-NLB stand-in, each replaced by a new one (healthy and registered first, then the old one
 * deregistered, served for the deregistration delay, stopped gracefully). Non-idempotent POSTs:
 * zero may fail. The control drops the client keepalive_time: busy connections then outlive the
 * delay and are cut, so the roll must show failures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../helpers/app';
import { DOMAIN, frontDoorFiles, materialize } from '../helpers/front-door';
import { requireTool, run, tempDir } from '../helpers/tools';
import { wrkFigures } from '../helpers/wrk';

const DELAY_SEC = 4;
const results: Record<string, string> = {};

beforeAll(() => {
  for (const t of ['nginx', 'openssl', 'wrk', 'curl', 'unshare', 'node']) requireTool(t);
  const W = tempDir('fd-roll');
  // The delay and keep-alive time scaled down from 70 s / 60 s; the constructs require the second below the first.
  const files = frontDoorFiles({
    subnetId: undefined, subnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'], instanceCount: 2,
    deregistrationDelaySec: DELAY_SEC, clientKeepaliveTimeSec: 2,
  });
  materialize(files, path.join(W, 'files'), (p) => p.startsWith('/etc/nginx/gohost/') || p.startsWith('/usr/local/lib/gohost/'));
  fs.copyFileSync(path.resolve(__dirname, 'nlb-standin.mjs'), path.join(W, 'nlb-standin.mjs'));
  const app = buildExampleApp();
  for (const mode of ['drain', 'control']) {
    const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private',
      'bash', path.resolve(__dirname, 'front-door-roll.sh'), W, DOMAIN, app, mode, String(DELAY_SEC)], { timeoutMs: 240_000 });
    const R = path.join(W, `results-${mode}`);
    if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`${mode} roll did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    results[mode] = R;
  }
});

const read = (mode: string, name: string) => fs.readFileSync(path.join(results[mode], name), 'utf8');
const accessLog = (mode: string, n: number) => read(mode, `access-${n}.json`).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('front doors rolled under load behind the public load balancer (private namespaces, loopback)', () => {
  it('runs the generated configuration: proxy protocol from the load balancer only, keepalive_time below the delay', () => {
    expect(read('drain', 'trusted-lines').trim()).not.toBe('0');
    expect(read('drain', 'keepalive-time-lines').trim()).toBe('1');
    expect(read('control', 'keepalive-time-lines').trim()).toBe('0');
  });

  it('replacing both front doors the way instance refresh does fails no request (POST, which nobody retries)', () => {
    const { requests, failed } = wrkFigures(read('drain', 'wrk.out'));
    expect(requests).toBeGreaterThan(200);
    expect(failed, read('drain', 'wrk.out')).toBe(0);
  });

  it('the new front doors took the traffic, and their access logs name the client, not the load balancer', () => {
    for (const n of [3, 4]) {
      const entries = accessLog('drain', n).filter((e) => e.uri === '/api/orders');
      expect(entries.length).toBeGreaterThan(0);
      expect(new Set(entries.map((e) => e.remote_addr))).toEqual(new Set(['127.0.0.1']));
      expect(new Set(entries.map((e) => e.status))).toEqual(new Set([200]));
    }
  });

  it('the control (client connections without keepalive_time) does fail requests: the test can tell the difference', () => {
    const { requests, failed } = wrkFigures(read('control', 'wrk.out'));
    expect(requests).toBeGreaterThan(200);
    expect(failed).toBeGreaterThan(0);
  });
});
