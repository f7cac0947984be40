/**
 * The generated front door run for real in private namespaces: Debian's nginx with the rendered
 * configuration, two examples/app backends, curl, testssl and a bounded wrk load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../helpers/app';
import { DOMAIN, frontDoorFiles, materialize } from '../helpers/front-door';
import { requireTool, run, tempDir } from '../helpers/tools';

let R: string;
const read = (name: string) => fs.readFileSync(path.join(R, name), 'utf8').trim();

beforeAll(() => {
  for (const t of ['nginx', 'openssl', 'testssl', 'wrk', 'curl', 'unshare', 'ip']) requireTool(t);
  const W = tempDir('frontdoor');
  // Everything proxied (the default "/"), so the internal paths are refused by nginx, not by a missing route.
  const files = frontDoorFiles({ staticRootDirectory: '/var/www/static' });
  materialize(files, path.join(W, 'files'), (p) => p.startsWith('/etc/nginx/gohost/') || p.startsWith('/usr/local/lib/gohost/'));
  const script = path.resolve(__dirname, 'front-door-loopback.sh');
  const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', script, W, DOMAIN, buildExampleApp()], { timeoutMs: 240_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`loopback run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

/** Random prefix of this nginx start, worker PID, connection serial number, request number on the connection. */
const REQUEST_ID = /^[0-9a-f]{16}-\d+-\d+-\d+$/;

describe('front door on loopback (private network namespace)', () => {
  it('passes its own precheck (certificate files present, nginx -t)', () => {
    expect(read('precheck')).toBe('ok');
  });

  it('proxies HTTPS to a backend with the forwarding headers', () => {
    expect(read('https.status')).toBe('200');
    const body = JSON.parse(read('https.body'));
    expect(body.instance).toMatch(/^backend-[12]$/);
    expect(body.proto).toBe('https');
    expect(body.real_ip).toBe('127.0.0.1');
    expect(body.request_id).toMatch(REQUEST_ID);
    // The client gets the ID the backend got.
    expect(read('https.headers')).toMatch(new RegExp(`^x-request-id: ${body.request_id}\\r?$`, 'mi'));
  });

  it('gives every request its own ID, with the random prefix drawn when nginx started (not the placeholder)', () => {
    const ids = ['https.headers', 'rid-1.headers', 'rid-2.headers', 'rid-3.headers'].map((f) => /^x-request-id: (\S+)\r?$/im.exec(read(f))?.[1]);
    for (const id of ids) expect(id).toMatch(REQUEST_ID);
    expect(new Set(ids).size).toBe(4);
    expect(new Set(ids.map((id) => id!.split('-')[0])).size).toBe(1);
    expect(ids[0]!.split('-')[0]).not.toBe('0000000000000000');
  });

  it('does not publish the backends\' metrics or debug handlers (the backend serves /metrics)', () => {
    expect(read('backend-metrics.status')).toBe('200');
    expect([read('metrics.status'), read('metrics-encoded.status'), read('debug.status')]).toEqual(['404', '404', '404']);
  });

  it('speaks HTTP/2', () => {
    expect(read('https.http_version')).toBe('2');
  });

  it('answers on the public address too', () => {
    expect(read('https-public.status')).toBe('200');
  });

  it('sends HSTS and the hardening headers, and no server version', () => {
    const h = read('https.headers').toLowerCase();
    expect(h).toContain('strict-transport-security: max-age=31536000');
    expect(h).toContain('x-content-type-options: nosniff');
    expect(h).toContain('x-frame-options: deny');
    expect(h).toContain("content-security-policy: frame-ancestors 'none'");
    expect(h).toContain('referrer-policy: strict-origin-when-cross-origin');
    expect(h).toMatch(/^server: nginx\r?$/m);
  });

  it('keeps the security headers in a location that adds its own (static files)', () => {
    expect(read('static.status')).toBe('200');
    const h = read('static.headers').toLowerCase();
    expect(h).toContain('cache-control: public, max-age=604800');
    expect(h).toContain('strict-transport-security: max-age=31536000');
  });

  it('serves the ACME challenge on port 80', () => {
    expect(read('acme.status')).toBe('200');
    expect(read('acme.body')).toBe('acme-token-123');
  });

  it('redirects HTTP GET with 301 and POST with 308 to HTTPS', () => {
    expect(read('redirect-get')).toBe(`301 https://${DOMAIN}/api/orders?x=1`);
    expect(read('redirect-post')).toBe(`308 https://${DOMAIN}/api/orders`);
  });

  it('refuses unknown Host headers on port 80 (connection closed) and unknown SNI on 443 (handshake rejected)', () => {
    expect(read('unknown-host-80.curl_exit')).toBe('52');
    expect(read('unknown-sni-443.curl_exit')).toBe('35');
  });

  it('answers stub_status on 127.0.0.1 and not on the public address', () => {
    expect(read('stub-loopback.status')).toBe('200');
    expect(read('stub.body')).toContain('Active connections');
    expect(read('stub-public.curl_exit')).toBe('7');
  });

  it('leaves OCSP stapling off for a certificate without an OCSP URL', () => {
    expect(read('ocsp.conf')).toContain('stapling off');
  });

  it('writes a JSON access log with timings and request IDs', () => {
    const line = read('access.json').split('\n').find((l) => l.includes('/api/orders'))!;
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({ status: expect.any(Number), request_time: expect.any(Number) });
    expect(entry.request_id).toMatch(REQUEST_ID);
    expect(entry).toHaveProperty('upstream_response_time');
  });

  it('loses no idempotent request when a backend is killed under load', () => {
    const wrk = read('wrk.out');
    const requests = Number(/(\d+) requests in/.exec(wrk)?.[1]);
    expect(requests).toBeGreaterThan(100);
    expect(wrk).not.toMatch(/Non-2xx or 3xx responses/);
    expect(wrk).not.toMatch(/Socket errors/);
  });

  it('refuses TLS 1.0 and 1.1 to a client that still speaks them (the same client reaches a server offering them)', () => {
    for (const v of ['tls1', 'tls1_1']) {
      expect(read(`${v}-control.exit`), `${v} against openssl s_server`).toBe('0');
      expect(read(`${v}-front-door.exit`), `${v} against nginx`).not.toBe('0');
      expect(read(`${v}-front-door.out`)).toMatch(/alert protocol version|unsupported protocol|no protocols available/);
    }
  });

  it('reuses upstream connections: 400 proxied requests open a few backend connections, not one each', () => {
    const opened = Number(read('upstream-connections-opened'));
    expect(opened).toBeGreaterThan(0);
    expect(opened).toBeLessThan(40);
  });

  describe('testssl', () => {
    const findings = () => JSON.parse(read('testssl.json')) as Array<{ id: string; severity: string; finding: string }>;
    const finding = (id: string) => findings().find((f) => f.id === id)?.finding ?? `(no ${id})`;

    it('offers TLS 1.2 and 1.3 only', () => {
      for (const p of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1']) expect(finding(p), p).toMatch(/not offered/);
      expect(finding('TLS1_2')).toMatch(/^offered/);
      expect(finding('TLS1_3')).toMatch(/^offered/);
    });

    it('offers no weak cipher', () => {
      for (const id of ['cipherlist_NULL', 'cipherlist_aNULL', 'cipherlist_EXPORT', 'cipherlist_LOW', 'cipherlist_3DES_IDEA', 'cipherlist_AVERAGE']) {
        expect(finding(id), id).toMatch(/not offered/);
      }
    });

    it('sees HSTS', () => {
      expect(finding('HSTS_time')).toMatch(/^365 days/);
      expect(finding('HSTS_preload')).toMatch(/NOT marked for preloading/);
    });

    it('finds nothing HIGH or CRITICAL beyond the self-signed placeholder certificate', () => {
      const bad = findings().filter((f) => ['HIGH', 'CRITICAL'].includes(f.severity) && !f.id.startsWith('cert'));
      expect(bad).toEqual([]);
    });
  });
});
