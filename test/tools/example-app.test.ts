/** examples/app behaves as the hosts expect: health, metrics, loopback-only pprof, graceful SIGTERM; its worker mode speaks sd_notify. */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../helpers/app';
import { tempDir } from '../helpers/tools';

let binary: string;
const children: ChildProcess[] = [];
beforeAll(() => {
  binary = buildExampleApp();
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(env: Record<string, string>, args: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(binary, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** A stand-in for systemd's notification socket: every datagram the app sends, in order. */
function notifySocket(): { path: string; messages: () => string[] } {
  const socket = path.join(tempDir('notify'), 'notify.sock');
  const listener = spawn('python3', ['-u', '-c', [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    's.bind(sys.argv[1])',
    'print("bound", flush=True)',
    'while True: print(s.recv(4096).decode().replace("\\n", " "), flush=True)',
  ].join('\n'), socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(listener);
  let out = '';
  listener.stdout!.on('data', (d) => (out += d));
  return { path: socket, messages: () => out.split('\n').filter((l) => l && l !== 'bound') };
}

async function until(what: string, ok: () => boolean, tries = 100): Promise<void> {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!ok()) throw new Error(`never: ${what}`);
}

describe('examples/app worker mode', () => {
  it('reports READY, pings the watchdog from its job loop, serves job metrics on METRICS_ADDR; a hang stops the pings', async () => {
    const n = notifySocket();
    await until('the notification socket is bound', () => fs.existsSync(n.path));
    const app = start({ NOTIFY_SOCKET: n.path, WATCHDOG_USEC: '400000', JOB_INTERVAL: '100ms', JOB_DURATION: '10ms', METRICS_ADDR: '127.0.0.1:19466' }, ['worker']);
    await until('READY=1', () => n.messages().includes('READY=1'));
    await until('watchdog pings', () => n.messages().filter((m) => m === 'WATCHDOG=1').length >= 3);
    const metrics = await (await waitFor('http://127.0.0.1:19466/metrics')).text();
    expect(metrics).toMatch(/^worker_jobs_processed_total [1-9]\d*$/m);
    app.child.kill('SIGUSR1');
    await until('the hang is logged', () => app.output().includes('the job loop hangs'));
    const pings = n.messages().length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(n.messages().length).toBe(pings);
  });

  it('on SIGTERM finishes the job in flight, says STOPPING and exits 0', async () => {
    const n = notifySocket();
    await until('the notification socket is bound', () => fs.existsSync(n.path));
    const app = start({ NOTIFY_SOCKET: n.path, JOB_INTERVAL: '100ms', JOB_DURATION: '800ms' }, ['worker']);
    await until('a job started', () => /job 1 started/.test(app.output()));
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    const out = app.output();
    expect(out.indexOf('job 1 finished')).toBeGreaterThan(out.indexOf('job 1 started'));
    expect(out.indexOf('stopped cleanly after 1 jobs')).toBeGreaterThan(out.indexOf('job 1 finished'));
    await until('STOPPING=1', () => n.messages().includes('STOPPING=1'));
    expect(n.messages()[0]).toBe('READY=1');
  });
});
