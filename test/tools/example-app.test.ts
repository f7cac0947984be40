/** examples/app behaves as the hosts expect: health, metrics, loopback-only pprof, graceful SIGTERM. */
import { ChildProcess, spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../helpers/app';

let binary: string;
const children: ChildProcess[] = [];
beforeAll(() => {
  binary = buildExampleApp();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(binary, [], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // 'close' waits for stdout/stderr to drain; 'exit' can fire before the last output arrives.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(url: string, tries = 50): Promise<Response> {
  for (let i = 0; i < tries; i++) {
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

describe('examples/app', () => {
  it('answers the health path and exposes Prometheus metrics', async () => {
    start({ LISTEN_ADDR: '127.0.0.1:18181', HEALTH_PATH: '/ready', PPROF_ADDR: 'off' });
    const health = await waitFor('http://127.0.0.1:18181/ready');
    expect(health.status).toBe(200);
    await fetch('http://127.0.0.1:18181/api/x');
    const metrics = await (await fetch('http://127.0.0.1:18181/metrics')).text();
    expect(metrics).toMatch(/^go_goroutines \d+$/m);
    expect(metrics).toMatch(/^http_requests_total\{code="200"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^http_request_duration_seconds_bucket\{le="0.3"\} \d+$/m);
  });

  it('with METRICS_ADDR serves metrics there only, and nothing else there', async () => {
    start({ LISTEN_ADDR: '127.0.0.1:18185', METRICS_ADDR: '127.0.0.1:19464', PPROF_ADDR: 'off' });
    await waitFor('http://127.0.0.1:18185/healthz');
    await fetch('http://127.0.0.1:18185/api/x');
    const metrics = await (await waitFor('http://127.0.0.1:19464/metrics')).text();
    expect(metrics).toMatch(/^http_requests_total\{code="200"\} [1-9]\d*$/m);
    expect(await (await fetch('http://127.0.0.1:18185/metrics')).text()).not.toContain('go_goroutines');
    expect((await fetch('http://127.0.0.1:19464/api/x')).status).toBe(404);
    expect((await fetch('http://127.0.0.1:19464/healthz')).status).toBe(404);
  });

  it('serves pprof on loopback', async () => {
    start({ LISTEN_ADDR: '127.0.0.1:18182', PPROF_ADDR: '127.0.0.1:16061' });
    await waitFor('http://127.0.0.1:18182/healthz');
    expect((await waitFor('http://127.0.0.1:16061/debug/pprof/')).status).toBe(200);
  });

  it('refuses to serve pprof on a non-loopback address', async () => {
    const app = start({ LISTEN_ADDR: '127.0.0.1:18183', PPROF_ADDR: '0.0.0.0:16062' });
    expect(await app.exited).not.toBe(0);
    expect(app.output()).toContain('is not a loopback address');
  });

  it('finishes in-flight requests after SIGTERM and exits 0', async () => {
    const app = start({ LISTEN_ADDR: '127.0.0.1:18184', PPROF_ADDR: 'off', DRAIN_TIMEOUT: '5s' });
    await waitFor('http://127.0.0.1:18184/healthz');
    const inflight = fetch('http://127.0.0.1:18184/slow?ms=800');
    await new Promise((r) => setTimeout(r, 200));
    app.child.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('done\n');
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('stopped cleanly');
  });
});
