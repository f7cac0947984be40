/** Checklist items of the nginx front door (N). Pure. */
import { PORTS } from '../facts';
import { FrontDoorSettings } from './render-input';
import { ChecklistItem, enforced, off, notApplicable } from '../readiness/checklist';

type Item = ChecklistItem<FrontDoorSettings>;
const item = (id: string, title: string, why: string, assess: Item['assess']): Item => ({ id, title, why, owner: 'NginxFrontDoor', assess });

export const FRONT_DOOR_ITEMS: readonly Item[] = [
  item('N1', 'HTTP redirects to HTTPS', 'No request or cookie travels in clear text; only the ACME challenge is answered on port 80.',
    () => enforced('port 80 serves /.well-known/acme-challenge/ and redirects everything else (301 GET/HEAD, 308 others)')),
  item('N2', 'Current TLS only', 'Mozilla\'s profiles: no protocol or cipher with known breaks; session tickets off for forward secrecy.',
    (s) => enforced(`Mozilla ${s.tlsProfile} (${s.tlsProfile === 'modern' ? 'TLS 1.3' : 'TLS 1.2 + 1.3, AEAD suites'}), session tickets off`)),
  item('N3', 'OCSP stapling only where it exists', "Let's Encrypt ended OCSP in 2025; stapling a certificate without a responder only logs errors.",
    () => enforced('OCSP stapling turned on at boot only if the certificate names a responder (Let\'s Encrypt certificates do not)')),
  item('N4', 'HSTS', 'Browsers never try plain HTTP again; preload is opt-in because it is hard to undo.',
    (s) => (s.hsts ? enforced(`HSTS max-age=${s.hstsMaxAgeSeconds}${s.hstsIncludeSubdomains ? ' includeSubDomains' : ''}${s.hstsPreload ? ' preload' : ' (preload opt-in)'}`) : off('hsts: false'))),
  item('N5', 'Certificates that renew themselves, and no private key in user data', 'Expired certificates are outages; keys in user data or state leak.',
    (s) => enforced(s.certificate.kind !== 'letsencrypt'
      ? `bring-your-own certificate from ${s.certificate.kind === 'ssm' ? 'SSM Parameter Store' : 'Secrets Manager'}, fetched with a grant on exactly it, refreshed daily; placeholder until then`
      : `Let's Encrypt via certbot webroot${(s.certificate as { staging: boolean }).staging ? ' (staging)' : ''}, retried with back-off, deploy hook runs nginx -t then reloads; placeholder until then${(s.certificate as { store?: string }).store ? '; kept in Secrets Manager and restored at boot and daily when newer (only once every block of its chain parses and signs it, the key is its own and nginx -t passes; otherwise the placeholder stays and a new one is issued), so a replaced front door does not ask again; with several front doors: one ACME account for all, stored there, whose challenges every front door answers (stateless HTTP-01), and one order at a time (a lock in the same secret on the certificate it replaces, per hour)' : ''}`)),
  item('N6', 'Balanced, kept-alive upstreams', 'Load follows the least busy backend; reused connections save a handshake per request; failures are retried only where safe.',
    (s) => enforced(`least_conn over ${s.upstreams.length} backend(s)${s.remoteUpstreams ? ' (internal load balancers: stable addresses)' : ''}, keepalive ${s.upstreamKeepalive} renewed every ${s.upstreamKeepaliveTimeSec}s, max_fails=${s.upstreamMaxFails} fail_timeout=${s.upstreamFailTimeoutSec}s, proxy_next_upstream for idempotent requests`)),
  item('N7', 'HTTP/1.1 to the upstreams', 'Upstream keepalive does nothing without it.',
    () => enforced('proxy_http_version 1.1 with an empty Connection header')),
  item('N8', 'Static files served by nginx', 'sendfile serves them without waking the Go service.',
    (s) => (s.staticRootDirectory ? enforced(`${s.staticUrlPath} from ${s.staticRootDirectory} with sendfile and tcp_nopush`) : off('no staticRootDirectory'))),
  item('N9', 'Client address and request ID forwarded', 'The service logs the real client and one ID follows a request through every log.',
    () => enforced('X-Real-IP, X-Forwarded-For, X-Forwarded-Proto, X-Request-ID to the backends')),
  item('N10', 'HTTP/2, and HTTP/3 where nginx supports it', 'Fewer connections and head-of-line blocking for browsers.',
    (s) => enforced(s.http3 ? 'HTTP/2 and HTTP/3 (UDP 443 open)' : 'HTTP/2 on; HTTP/3 off (distribution nginx < 1.25)')),
  item('N11', 'nginx metrics on loopback only', 'The exporter reads them; nobody else can.',
    () => enforced(`stub_status on 127.0.0.1:${PORTS.stubStatus} only`)),
  item('N12', 'Configuration tested before every start and reload', 'A bad configuration never replaces a working one.',
    () => enforced('nginx.service drop-in: precheck (certificate files, nginx -t) before every start and reload')),
  item('N13', 'JSON access logs with timings', 'Loki can query latency and status per route without parsing text.',
    () => enforced('JSON access log with request_time, upstream_response_time, status, request_id')),
  item('N14', 'Rate limiting, when asked for', 'Caps what one client can cost; off by default because the right figure depends on the service.',
    (s) => (s.rateLimitPerSecond !== undefined ? enforced(`limit_req ${s.rateLimitPerSecond} r/s per client (an IPv4 address or an IPv6 /64), burst ${s.rateLimitBurst}`) : off('no rateLimitPerSecond (off by default)'))),
  item('N15', 'Client certificates where paths need them', 'Machine-to-machine paths are closed to anyone without a certificate from your CA.',
    (s) => (s.mtlsPaths.length > 0 ? enforced(`client certificates required on ${s.mtlsPaths.join(', ')}`) : off('no mtlsPaths'))),
  item('N16', 'Workers sized to the host', 'Enough connections per worker and descriptors for each; no accept contention.',
    (s) => enforced(`worker_processes auto, worker_rlimit_nofile ${s.workerRlimitNofile}, worker_connections ${Math.floor(s.workerRlimitNofile / 2)}, backlog=${s.backlog} reuseport; at most ${s.connectionLimitPerClient} connections per client (an IPv4 address or an IPv6 /64), keepalive_requests ${s.clientKeepaliveRequests} (HTTP/2 streams too)`)),
  item('N17', 'Only 80 and 443 open to the world', 'The front door is the only public surface.',
    () => enforced('80/443 from anywhere (IPv4 + IPv6), SSH only from admin CIDRs; UFW from the same model')),
  item('N18', 'Hardening headers', 'No version disclosure, no MIME sniffing, no framing by other sites.',
    () => enforced('server_tokens off, nosniff, X-Frame-Options/CSP frame-ancestors, Referrer-Policy, repeated where locations add headers')),
  item('N19', 'The public address moves only to a healthy front door', 'A replacement takes the address once it serves, not when it starts booting: a change interrupts for the seconds the address takes to move, not for a boot.',
    (s) => (s.publicAddress === 'claimed-when-healthy'
      ? enforced('the Elastic IP is claimed by the new instance itself after every first-boot check passed (AssociateAddress on exactly that allocation); its predecessor serves until then; a failed boot never takes it')
      : s.publicAddress === 'load-balancer'
        ? enforced('Elastic IPs on the public load balancer, which sends traffic only to front doors that pass its health check on nginx itself; a new one joins only after its first boot passed every check (launch hook)')
      : s.publicAddress === 'associated-by-terraform'
        ? off('one instance whose Elastic IP Terraform associates: it moves when the successor is running, before it serves (use subnetIds for a front door that claims it when healthy)')
        : notApplicable('no Elastic IP (elasticIp: false)'))),
];
