/** Where the front door's files live on the host. Pure. */
import { PATHS, PORTS } from '../facts';

export const NGINX = {
  dir: '/etc/nginx/gohost',
  conf: '/etc/nginx/gohost/nginx.conf',
  headers: '/etc/nginx/gohost/security-headers.conf',
  ocsp: '/etc/nginx/gohost/ocsp.conf',
  clientCa: '/etc/nginx/gohost/client-ca.pem',
  tlsDir: '/etc/nginx/gohost/tls',
  liveCert: '/etc/nginx/gohost/tls/live.crt',
  liveKey: '/etc/nginx/gohost/tls/live.key',
  placeholderCert: '/etc/nginx/gohost/tls/placeholder.crt',
  placeholderKey: '/etc/nginx/gohost/tls/placeholder.key',
  acmeRoot: '/var/www/acme',
  /** Included by the port-80 challenge location: the shared ACME account's stateless answer, once known. */
  acmeChallenge: '/etc/nginx/gohost/acme-challenge.conf',
  /** Defines $gohost_request_id; rewritten with a new random prefix before every nginx start and reload. */
  requestId: '/etc/nginx/gohost/request-id.conf',
  writeRequestId: '/usr/local/lib/gohost/nginx-request-id',
  libDir: '/usr/local/lib/gohost',
  precheck: '/usr/local/lib/gohost/nginx-precheck',
  reloadCertificate: '/usr/local/lib/gohost/nginx-reload-certificate',
  obtainCertificate: '/usr/local/lib/gohost/obtain-certificate',
  fetchCertificate: '/usr/local/lib/gohost/fetch-certificate',
  restoreCertificate: '/usr/local/lib/gohost/restore-certificate',
  persistCertificate: '/usr/local/lib/gohost/persist-certificate',
  acmeAccount: '/usr/local/lib/gohost/acme-account',
  storedCert: '/etc/nginx/gohost/tls/stored.crt',
  storedKey: '/etc/nginx/gohost/tls/stored.key',
  dropIn: '/etc/systemd/system/nginx.service.d/60-gohost.conf',
  stubStatusPort: PORTS.stubStatus,
  /** What a public load balancer's health check asks: nginx itself, never the upstream. */
  healthCheckPort: PORTS.nginxHealth,
  healthCheckPath: '/gohost-nginx-health',
  accessLog: PATHS.nginxAccessLog,
} as const;
