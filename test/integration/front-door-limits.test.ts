/**
 * The front door's per-client limits run for real in private namespaces (Debian's nginx on the
 * rendered configuration, an examples/app backend): an IPv6 client is its /64, so rotating
 * addresses inside it does not multiply its rate; a client's connections are capped; an HTTP/2
 * connection is closed after clientKeepaliveRequests requests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExampleApp } from '../helpers/app';
import { DOMAIN, frontDoorFiles, materialize } from '../helpers/front-door';
import { requireTool, run, tempDir } from '../helpers/tools';

let R: string;
const codes = (name: string) => fs.readFileSync(path.join(R, name), 'utf8').trim().split('\n');
const count = (name: string, code: string) => codes(name).filter((c) => c === code).length;

beforeAll(() => {
  for (const t of ['nginx', 'openssl', 'curl', 'unshare', 'ip']) requireTool(t);
  const W = tempDir('frontdoor-limits');
  const files = frontDoorFiles({ rateLimitPerSecond: 2, rateLimitBurst: 4, connectionLimitPerClient: 3, clientKeepaliveRequests: 100 });
  materialize(files, path.join(W, 'files'), (p) => p.startsWith('/etc/nginx/gohost/'));
  const script = `set -euo pipefail
W=${W} R=${W}/results DOMAIN=${DOMAIN}
mkdir -p "$R"
ip link set lo up
# The server's address, three IPv6 clients (two in one /64) and two IPv4 clients.
for a in 2001:db8:ffff::1 2001:db8:1:2::10 2001:db8:1:2::11 2001:db8:1:3::10; do ip -6 addr add "$a/128" dev lo nodad; done
for a in 10.203.0.11 10.203.0.12; do ip addr add "$a/32" dev lo; done
. ${path.resolve(__dirname, 'front-door-root.sh')}
front_door_root "$W" ov "$DOMAIN"
sed -i 's/127.0.0.1:8080/127.0.0.1:18081/' /etc/nginx/gohost/nginx.conf
LISTEN_ADDR=127.0.0.1:18081 PPROF_ADDR=off "${buildExampleApp()}" >"$R/backend.log" 2>&1 &
for _ in $(seq 1 50); do curl -fsS -o /dev/null http://127.0.0.1:18081/healthz && break; sleep 0.1; done
nginx -c /etc/nginx/gohost/nginx.conf
sleep 2
# n requests from one source address, one connection each, one after the other (quicker than the rate): their status codes.
burst() { local from=$1 n=$2 server=$3; for _ in $(seq 1 "$n"); do printf 'url = "https://%s/api/x"\\noutput = "/dev/null"\\n' "$DOMAIN"; done > "$W/k"
  curl -s -k --http1.1 -K "$W/k" --interface "$from" --resolve "$DOMAIN:443:$server" -w '%{http_code}\\n' || true; }
burst 2001:db8:1:2::10 10 '[2001:db8:ffff::1]' > "$R/v6-first"
burst 2001:db8:1:2::11 10 '[2001:db8:ffff::1]' > "$R/v6-same-64"
burst 2001:db8:1:3::10 10 '[2001:db8:ffff::1]' > "$R/v6-other-64"
burst 10.203.0.11 10 127.0.0.1 > "$R/v4-first"
burst 10.203.0.12 10 127.0.0.1 > "$R/v4-other"
sleep 3
# Five slow requests at once from a fresh client: three connections allowed.
for _ in 1 2 3 4 5; do printf 'url = "https://%s/slow?ms=1500"\\noutput = "/dev/null"\\n' "$DOMAIN"; done > "$W/slow"
curl -s -k --http1.1 --parallel --parallel-max 5 -K "$W/slow" --interface 10.203.0.12 --resolve "$DOMAIN:443:127.0.0.1" -w '%{http_code}\\n' > "$R/connections" || true
sleep 3
# 150 requests over HTTP/2, one after the other: the connections curl had to open.
for _ in $(seq 1 150); do printf 'url = "https://%s/healthz"\\noutput = "/dev/null"\\n' "$DOMAIN"; done > "$W/h2"
curl -s -k --http2 -K "$W/h2" --resolve "$DOMAIN:443:127.0.0.1" --interface 10.203.0.11 -w '%{num_connects} %{http_version}\\n' > "$R/h2" || true
echo finished > "$R/finished"`;
  const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', '-c', script], { timeoutMs: 180_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`limits run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

describe('front door limits on loopback (private network namespace)', () => {
  it('limits an IPv6 client by its /64: another address in it shares the allowance, another /64 has its own', () => {
    // rate 2/s with a burst of 4: ten quick requests spend the allowance, some are refused.
    expect(count('v6-first', '429')).toBeGreaterThan(0);
    // The next address of the /64 finds it spent (only what accrued since passes); the next /64 has a whole burst of its own.
    expect(count('v6-other-64', '200') - count('v6-same-64', '200')).toBeGreaterThanOrEqual(3);
  });

  it('keeps IPv4 clients apart by address: the second has a whole burst of its own', () => {
    expect(count('v4-first', '429')).toBeGreaterThan(0);
    expect(count('v4-other', '200')).toBeGreaterThanOrEqual(5);
  });

  it('caps the connections one client holds open (503 beyond connectionLimitPerClient)', () => {
    expect(count('connections', '200')).toBe(3);
    expect(count('connections', '503')).toBe(2);
  });

  it('closes an HTTP/2 connection after clientKeepaliveRequests requests', () => {
    const lines = codes('h2');
    expect(lines).toHaveLength(150);
    expect(lines.every((l) => l.endsWith(' 2'))).toBe(true);
    const connects = lines.reduce((n, l) => n + Number(l.split(' ')[0]), 0);
    expect(connects).toBe(2);
  });
});
