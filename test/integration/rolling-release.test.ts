/**
 * A release under load, rolled the way the Auto Scaling group rolls it: the generated front-door
 * configuration (upstream = the load balancer's name, keepalive_time shorter than the
 * deregistration delay) in front of an NLB stand-in and two examples/app instances, each replaced
 * by a new one (healthy and registered first, then the old one deregistered, drained for the
 * delay, stopped with SIGTERM). Non-idempotent POSTs, which nginx never retries: zero may fail.
 * The control replaces the instances abruptly and must show failures.
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
  for (const t of ['nginx', 'openssl', 'wrk', 'curl', 'unshare', 'ip']) requireTool(t);
  const W = tempDir('rolling');
  // keepalive_time (2 s) shorter than the deregistration delay (4 s), as the constructs require.
  const files = frontDoorFiles({ upstreams: ['nlb.example.test:8080'], upstreamKeepaliveTimeSec: 2, proxyPaths: ['/'] });
  materialize(files, path.join(W, 'files'), (p) => p.startsWith('/etc/nginx/gohost/'));
  fs.copyFileSync(path.resolve(__dirname, 'nlb-standin.mjs'), path.join(W, 'nlb-standin.mjs'));
  const app = buildExampleApp();
  for (const mode of ['drain', 'abrupt']) {
    const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private',
      'bash', path.resolve(__dirname, 'rolling-release.sh'), W, DOMAIN, app, mode, String(DELAY_SEC)], { timeoutMs: 240_000 });
    const R = path.join(W, `results-${mode}`);
    if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`${mode} roll did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    results[mode] = R;
  }
});

const read = (mode: string, name: string) => fs.readFileSync(path.join(results[mode], name), 'utf8');

describe('rolling release through the front door (private namespaces, loopback)', () => {
  it('the generated upstream is the load balancer\'s name, with keepalive_time below the deregistration delay', () => {
    const conf = frontDoorFiles({ upstreams: ['nlb.example.test:8080'], upstreamKeepaliveTimeSec: 2 }).file('/etc/nginx/gohost/nginx.conf');
    expect(conf).toContain('server nlb.example.test:8080 max_fails=2 fail_timeout=15s;');
    expect(conf).toContain('keepalive_time 2s;');
  });

  it('replacing every instance the way instance refresh does fails no request (POST, never retried by nginx)', () => {
    const { requests, failed } = wrkFigures(read('drain', 'wrk.out'));
    expect(requests).toBeGreaterThan(200);
    expect(failed, read('drain', 'wrk.out')).toBe(0);
  });

  it('afterwards only the new instances answer', () => {
    const served = read('drain', 'after.instances').trim().split('\n');
    expect(served.length).toBe(4);
    for (const name of served) expect(name).toMatch(/^green-[12]$/);
  });

  it('the control (old instances killed at once) does fail requests: the test can tell the difference', () => {
    const { requests, failed } = wrkFigures(read('abrupt', 'wrk.out'));
    expect(requests).toBeGreaterThan(200);
    expect(failed).toBeGreaterThan(0);
  });
});
