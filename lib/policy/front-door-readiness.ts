/** Readiness rows for a host running the nginx front door (the N rows of GUIDANCE.md). Pure. */
import { FrontDoorSettings } from '../model/front-door';
import { ReadinessRow } from './readiness';
import { PORTS } from '../facts';

export function frontDoorReadiness(s: FrontDoorSettings): ReadinessRow[] {
  const e = (id: string, detail: string): ReadinessRow => ({ id, status: 'enforced', detail });
  const off = (id: string, detail: string): ReadinessRow => ({ id, status: 'off', detail });
  const byo = s.certificate.kind !== 'letsencrypt';
  return [
    e('N1', 'port 80 serves /.well-known/acme-challenge/ and redirects everything else (301 GET/HEAD, 308 others)'),
    e('N2', `Mozilla ${s.tlsProfile} (${s.tlsProfile === 'modern' ? 'TLS 1.3' : 'TLS 1.2 + 1.3, AEAD suites'}), session tickets off`),
    e('N3', 'OCSP stapling turned on at boot only if the certificate names a responder (Let\'s Encrypt certificates do not)'),
    s.hsts ? e('N4', `HSTS max-age=${s.hstsMaxAgeSeconds}${s.hstsIncludeSubdomains ? ' includeSubDomains' : ''}${s.hstsPreload ? ' preload' : ' (preload opt-in)'}`) : off('N4', 'hsts: false'),
    e('N5', byo
      ? `bring-your-own certificate from ${s.certificate.kind === 'ssm' ? 'SSM Parameter Store' : 'Secrets Manager'}, fetched with a grant on exactly it, refreshed daily; placeholder until then`
      : `Let's Encrypt via certbot webroot${(s.certificate as { staging: boolean }).staging ? ' (staging)' : ''}, retried with back-off, deploy hook runs nginx -t then reloads; placeholder until then${(s.certificate as { store?: string }).store ? '; kept in Secrets Manager and restored at boot, so a replaced front door does not ask again' : ''}`),
    e('N6', `least_conn over ${s.upstreams.length} backend(s)${s.remoteUpstreams ? ' (internal load balancers: stable addresses)' : ''}, keepalive ${s.upstreamKeepalive} renewed every ${s.upstreamKeepaliveTimeSec}s, max_fails=${s.upstreamMaxFails} fail_timeout=${s.upstreamFailTimeoutSec}s, proxy_next_upstream for idempotent requests`),
    e('N7', 'proxy_http_version 1.1 with an empty Connection header'),
    s.staticRootDirectory ? e('N8', `${s.staticUrlPath} from ${s.staticRootDirectory} with sendfile and tcp_nopush`) : off('N8', 'no staticRootDirectory'),
    e('N9', 'X-Real-IP, X-Forwarded-For, X-Forwarded-Proto, X-Request-ID to the backends'),
    s.http3 ? e('N10', 'HTTP/2 and HTTP/3 (UDP 443 open)') : e('N10', 'HTTP/2 on; HTTP/3 off (distribution nginx < 1.25)'),
    e('N11', `stub_status on 127.0.0.1:${PORTS.stubStatus} only`),
    e('N12', 'nginx.service drop-in: precheck (certificate files, nginx -t) before every start and reload'),
    e('N13', 'JSON access log with request_time, upstream_response_time, status, request_id'),
    s.rateLimitPerSecond !== undefined ? e('N14', `limit_req ${s.rateLimitPerSecond} r/s per client, burst ${s.rateLimitBurst}`) : off('N14', 'no rateLimitPerSecond (off by default)'),
    s.mtlsPaths.length > 0 ? e('N15', `client certificates required on ${s.mtlsPaths.join(', ')}`) : off('N15', 'no mtlsPaths'),
    e('N16', `worker_processes auto, worker_rlimit_nofile ${s.workerRlimitNofile}, worker_connections ${Math.floor(s.workerRlimitNofile / 2)}, backlog=${s.backlog} reuseport`),
    e('N17', '80/443 from anywhere (IPv4 + IPv6), SSH only from admin CIDRs; UFW from the same model'),
    e('N18', 'server_tokens off, nosniff, X-Frame-Options/CSP frame-ancestors, Referrer-Policy, repeated where locations add headers'),
  ];
}
