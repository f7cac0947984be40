/**
 * A front door behind the public load balancer, run for real in private namespaces (Debian's
 * nginx on the rendered configuration, an examples/app backend): every connection on 80 and 443
 * must start with a proxy-protocol header; the client address in it is believed from the load
 * balancer's subnets only (here 127.0.0.1/32 stands in for them) and is what nginx logs and limits;
 * nginx answers the load balancer's health check on its own port without one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateSource } from '../../lib';
import { NGINX } from '../../lib/front-door/artifacts';
import { buildExampleApp } from '../helpers/app';
import { DOMAIN, frontDoorFiles, materialize } from '../helpers/front-door';
import { requireTool, run, tempDir } from '../helpers/tools';

let R: string;
const result = (name: string) => fs.readFileSync(path.join(R, name), 'utf8').trim();
let log: Array<{ remote_addr: string; uri: string; status: number }>;

beforeAll(() => {
  for (const t of ['nginx', 'openssl', 'curl', 'unshare', 'ip', 'python3']) requireTool(t);
  const W = tempDir('frontdoor-proxy-protocol');
  const files = frontDoorFiles({
    subnetId: undefined, subnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'], instanceCount: 2,
    certificate: CertificateSource.fromSecretsManager({ secretId: 'tls/api' }), rateLimitPerSecond: 1, rateLimitBurst: 2,
  });
  materialize(files, path.join(W, 'files'), (p) => p.startsWith('/etc/nginx/gohost/'));
  const client = path.resolve(__dirname, 'proxy-protocol-client.py');
  const script = `set -euo pipefail
W=${W} R=${W}/results DOMAIN=${DOMAIN}
mkdir -p "$R"
ip link set lo up
. ${path.resolve(__dirname, 'front-door-root.sh')}
front_door_root "$W" ov "$DOMAIN"
# The load balancer's subnets: loopback's 127.0.0.1 stands in for its nodes; 127.0.0.2 is anyone else.
sed -i -e 's/127.0.0.1:8080/127.0.0.1:18081/' -e 's|set_real_ip_from \\$[{]data\\.aws_subnet\\.[^}]*[}];|set_real_ip_from 127.0.0.1/32;|' /etc/nginx/gohost/nginx.conf
grep -c 'set_real_ip_from 127.0.0.1/32;' /etc/nginx/gohost/nginx.conf > "$R/trusted-ranges"
LISTEN_ADDR=127.0.0.1:18081 PPROF_ADDR=off "${buildExampleApp()}" >"$R/backend.log" 2>&1 &
for _ in $(seq 1 50); do curl -fsS -o /dev/null http://127.0.0.1:18081/healthz && break; sleep 0.1; done
nginx -c /etc/nginx/gohost/nginx.conf
sleep 1
c() { python3 ${client} "$@"; }
c 127.0.0.1 443 203.0.113.7 "$DOMAIN" /healthz > "$R/https-from-lb"
c 127.0.0.1 80 203.0.113.8 "$DOMAIN" /x > "$R/http-from-lb"
c 127.0.0.2 443 198.51.100.9 "$DOMAIN" /healthz > "$R/https-header-from-elsewhere"
c 127.0.0.1 443 - "$DOMAIN" /healthz > "$R/https-no-header"
c 127.0.0.1 80 - "$DOMAIN" /x > "$R/http-no-header"
# The rate limit keys on the client in the header: one client spends its burst at once, another still has its own.
pids=(); for i in 1 2 3 4 5 6 7 8; do c 127.0.0.1 443 203.0.113.50 "$DOMAIN" /healthz > "$R/limited-$i" & pids+=($!); done; wait "\${pids[@]}"
cat "$R"/limited-? > "$R/limited-client"
c 127.0.0.1 443 203.0.113.51 "$DOMAIN" /healthz > "$R/other-client"
# What first boot runs: curl's own header.
curl -sk --haproxy-protocol -o /dev/null -w '%{http_code}' --resolve "$DOMAIN:443:127.0.0.1" "https://$DOMAIN/healthz" > "$R/first-boot-probe" || true
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${NGINX.healthCheckPort}${NGINX.healthCheckPath}" > "$R/health" || true
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${NGINX.healthCheckPort}/healthz" > "$R/health-other-path" || true
nginx -c /etc/nginx/gohost/nginx.conf -s quit
for _ in $(seq 1 50); do [[ -e /run/nginx.pid ]] || break; sleep 0.1; done
cp /var/log/nginx/access.json "$R/access.json"
echo finished > "$R/finished"`;
  const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', '-c', script], { timeoutMs: 180_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`proxy-protocol run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  log = fs.readFileSync(path.join(R, 'access.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
});

describe('front door behind the public load balancer, on loopback (private network namespace)', () => {
  it('trusts the proxy-protocol address from the load balancer\'s subnets (both of them rendered)', () => {
    expect(result('trusted-ranges')).toBe('2');
    expect(result('https-from-lb')).toBe('200');
    expect(result('http-from-lb')).toBe('301');
    expect(log.filter((l) => l.remote_addr === '203.0.113.7' && l.uri === '/healthz')).toHaveLength(1);
    expect(log.filter((l) => l.remote_addr === '203.0.113.8' && l.status === 301)).toHaveLength(1);
  });

  it('ignores the address in a header from anywhere else: the connection\'s own is logged', () => {
    expect(result('https-header-from-elsewhere')).toBe('200');
    expect(log.some((l) => l.remote_addr === '198.51.100.9')).toBe(false);
    expect(log.filter((l) => l.remote_addr === '127.0.0.2')).toHaveLength(1);
  });

  it('refuses a connection without the header on 80 and 443 (only the load balancer reaches these ports)', () => {
    expect(result('https-no-header')).toBe('closed');
    expect(result('http-no-header')).toBe('closed');
  });

  it('rate-limits the client named in the header, not the load balancer', () => {
    const codes = result('limited-client').split('\n');
    expect(codes.filter((c) => c === '429').length).toBeGreaterThan(0);
    expect(result('other-client')).toBe('200');
  });

  it('answers first boot\'s probe (curl --haproxy-protocol) and the health check on its own port, nothing else there', () => {
    expect(result('first-boot-probe')).toBe('200');
    expect(result('health')).toBe('200');
    expect(result('health-other-path')).toBe('404');
  });
});
