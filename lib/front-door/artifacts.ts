/**
 * What an nginx front door host gets (the N rows of GUIDANCE.md), built from resolved settings.
 * Pure: no cdktf imports.
 */
import { awsJsonCall, awsRoleShellFunctions } from '../host/aws-shell';
import { versionAtLeast } from '../host/distro';
import { HostProvisioning } from '../host/provisioning';
import { MOZILLA_GUIDELINE_VERSION, TLS_PROFILES, TlsProfileName } from './tls-profiles';
import { blank, block, comment, directive, NginxNode, renderNginx } from '../render/nginx';
import { renderBashScript, shq } from '../render/shell';
import { dailyTimer, renderSystemdUnit } from '../render/systemd';
import { NGINX } from './nginx-paths';
import { acmeAccountScript, obtainCertificateScript, persistCertificateScript, restoreCertificateScript } from './certificate-store';
import { GoHostError } from '../errors';

export { NGINX };

export type CertificateSettings =
  | {
      readonly kind: 'letsencrypt';
      readonly email: string;
      readonly staging: boolean;
      /** ARN of the Secrets Manager secret the issued certificate and key are kept in (restored at boot). */
      readonly store?: string;
    }
  | { readonly kind: 'ssm'; readonly certificateParameter: string; readonly privateKeyParameter: string }
  | { readonly kind: 'secretsmanager'; readonly secretId: string };

export interface FrontDoorSettings {
  readonly domainNames: readonly string[];
  readonly tlsProfile: TlsProfileName;
  readonly certificate: CertificateSettings;
  /** `address:port` of every backend: a load balancer's DNS name, or 127.0.0.1 on the same instance. */
  readonly upstreams: readonly string[];
  readonly upstreamKeepalive: number;
  /** nginx `keepalive_time`: an upstream connection is closed after this long, between requests (nginx ≥ 1.21.3). */
  readonly upstreamKeepaliveTimeSec: number;
  /** Extra response headers on every HTTPS response. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** Paths of the backends that are never proxied (metrics, debug handlers): answered 404 by nginx. */
  readonly internalPaths: readonly string[];
  /** The backends are on other instances (booting at the same time): first boot checks nginx, not the backend. */
  readonly remoteUpstreams: boolean;
  /**
   * Behind a public load balancer: 80 and 443 take proxy protocol, whose client address is trusted
   * from the load balancer's subnets only; nginx answers the health check on NGINX.healthCheckPort.
   */
  readonly behindLoadBalancer?: { readonly trustedCidrs: readonly string[] };
  /**
   * How the public address reaches this host: claimed by the host itself once every first-boot
   * check passed (a group), associated by Terraform (one instance), or none (no Elastic IP).
   */
  readonly publicAddress: 'claimed-when-healthy' | 'associated-by-terraform' | 'load-balancer' | 'none';
  readonly upstreamMaxFails: number;
  readonly upstreamFailTimeoutSec: number;
  readonly proxyPaths: readonly string[];
  readonly staticUrlPath?: string;
  readonly staticRootDirectory?: string;
  readonly clientMaxBodySizeMiB: number;
  readonly proxyConnectTimeoutSec: number;
  readonly proxyReadTimeoutSec: number;
  readonly clientTimeoutSec: number;
  readonly rateLimitPerSecond?: number;
  readonly rateLimitBurst: number;
  /** Open connections per client (an IPv4 address or an IPv6 /64). */
  readonly connectionLimitPerClient: number;
  /** Requests (HTTP/2: streams) per client connection. */
  readonly clientKeepaliveRequests: number;
  readonly clientKeepaliveTimeSec: number;
  readonly mtlsPaths: readonly string[];
  readonly mtlsClientCaBundle?: string;
  /** `b64` when the bundle is base64 (a Terraform reference, encoded by Terraform). */
  readonly mtlsClientCaBundleEncoding?: 'b64';
  readonly hsts: boolean;
  readonly hstsMaxAgeSeconds: number;
  readonly hstsIncludeSubdomains: boolean;
  readonly hstsPreload: boolean;
  readonly http3: boolean;
  /** Listen backlog: the host's somaxconn. */
  readonly backlog: number;
  readonly workerRlimitNofile: number;
  readonly nginxVersion: string;
  /** Where the health check goes through the front door at first boot. */
  readonly healthPath: string;
}

/** Let's Encrypt kept in a store: one ACME account for every front door, challenges answered by any of them. */
function sharedAcmeAccount(s: FrontDoorSettings): boolean {
  return s.certificate.kind === 'letsencrypt' && s.certificate.store !== undefined;
}

const UPSTREAM = 'gohost_backend';
const RATE_ZONE = 'gohost_per_ip';
const CONN_ZONE = 'gohost_conn_per_client';
/** The client a limit counts: an IPv4 address, or the /64 of an IPv6 one (its first 8 of 16 bytes). */
const CLIENT_KEY = '$gohost_client';
/** The request's ID (X-Request-ID, the access log), defined in NGINX.requestId. */
const REQUEST_ID = '$gohost_request_id';
const REQUEST_ID_PREFIX_MARK = '@PREFIX@';

/**
 * NGINX.requestId: a random prefix drawn at each start or reload, then the worker's PID, nginx's
 * connection serial number and the request's number on its connection: unique, without nginx's
 * $request_id drawing 16 random bytes from OpenSSL for every request (~12 % of the front door's CPU
 * per proxied request on Debian 12). Like HAProxy's documented unique-id-format, it shows a client
 * how many connections this nginx accepted since it started.
 */
export function requestIdConf(prefix: string): string {
  return renderNginx([
    comment(`Written by ${NGINX.writeRequestId} before every start and reload of nginx.`),
    block('map', ['$pid', REQUEST_ID], [directive('default', `${prefix}-$pid-$connection-$connection_requests`)]),
  ]);
}

/** Draws the request-ID prefix of this nginx start (run by the drop-in before the precheck). */
export function writeRequestIdScript(): string {
  return renderBashScript({
    description: ['Gives $gohost_request_id a new random prefix; runs before every start and reload of nginx.'],
    body: [
      'prefix=$(od -An -N8 -tx1 /dev/urandom | tr -d \' \\n\')',
      `[[ "$prefix" =~ ^[0-9a-f]{16}$ ]] || { echo "nginx-request-id: no random prefix" >&2; exit 1; }`,
      `tmp=$(mktemp ${NGINX.requestId}.XXXXXX)`,
      `cat > "$tmp" <<'CONF'`,
      ...requestIdConf(REQUEST_ID_PREFIX_MARK).trimEnd().split('\n'),
      'CONF',
      `sed -i "s/${REQUEST_ID_PREFIX_MARK}/$prefix/" "$tmp"`,
      'chmod 0644 "$tmp"',
      `mv -f "$tmp" ${NGINX.requestId}`,
    ],
  });
}

/** Response headers every HTTPS response carries; repeated in any location with its own add_header. */
export function securityHeaders(s: FrontDoorSettings): string {
  const hsts = [`max-age=${s.hstsMaxAgeSeconds}`, s.hstsIncludeSubdomains && 'includeSubDomains', s.hstsPreload && 'preload']
    .filter(Boolean)
    .join('; ');
  return renderNginx([
    comment('nginx drops inherited add_header lines in any block that sets its own: include this file there too.'),
    s.hsts ? directive('add_header', 'Strict-Transport-Security', hsts, 'always') : comment('HSTS turned off (hsts: false)'),
    directive('add_header', 'X-Content-Type-Options', 'nosniff', 'always'),
    directive('add_header', 'X-Frame-Options', 'DENY', 'always'),
    directive('add_header', 'Content-Security-Policy', "frame-ancestors 'none'", 'always'),
    directive('add_header', 'Referrer-Policy', 'strict-origin-when-cross-origin', 'always'),
    directive('add_header', 'X-Request-ID', REQUEST_ID, 'always'),
    ...(s.http3 ? [directive('add_header', 'Alt-Svc', 'h3=":443"; ma=86400', 'always')] : []),
    ...Object.entries(s.responseHeaders).map(([name, value]) => directive('add_header', name, value, 'always')),
  ]);
}

function listen(port: number | string, opts: { ipv6?: boolean; ssl?: boolean; http2?: boolean; defaultServer?: boolean; backlog?: number; quic?: boolean; proxyProtocol?: boolean }): NginxNode {
  const addr = opts.ipv6 ? `[::]:${port}` : `${port}`;
  return directive(
    'listen', addr,
    opts.quic && 'quic',
    opts.ssl && 'ssl',
    opts.http2 && 'http2',
    opts.proxyProtocol && 'proxy_protocol',
    opts.defaultServer && 'default_server',
    // Listen options may appear once per address:port, so only the default server carries them.
    opts.backlog !== undefined && `backlog=${opts.backlog}`,
    opts.backlog !== undefined && 'reuseport',
  );
}

function proxyLocation(path: string, mtls: boolean): NginxNode {
  return block('location', [path], [
    mtls && block('if', ['($ssl_client_verify', '!=', 'SUCCESS)'], [directive('return', 403)]),
    directive('proxy_pass', `http://${UPSTREAM}`),
  ]);
}

export function frontDoorNginxConfig(s: FrontDoorSettings): string {
  const tls = TLS_PROFILES[s.tlsProfile];
  const http2InListen = !versionAtLeast(s.nginxVersion, '1.25.1');
  const rejectHandshake = versionAtLeast(s.nginxVersion, '1.19.4');
  const names = s.domainNames;
  const connections = Math.floor(s.workerRlimitNofile / 2);
  // Behind a public load balancer every connection on 80 and 443 starts with a proxy-protocol header.
  const pp = s.behindLoadBalancer !== undefined;

  const catchAll = block('server', [], [
    comment('Unknown Host headers and SNI names are refused.'),
    listen(80, { defaultServer: true, backlog: s.backlog, proxyProtocol: pp }),
    listen(80, { ipv6: true, defaultServer: true, backlog: s.backlog, proxyProtocol: pp }),
    listen(443, { ssl: true, http2: http2InListen, defaultServer: true, backlog: s.backlog, proxyProtocol: pp }),
    listen(443, { ipv6: true, ssl: true, http2: http2InListen, defaultServer: true, backlog: s.backlog, proxyProtocol: pp }),
    ...(rejectHandshake
      ? [directive('ssl_reject_handshake', 'on')]
      : [comment('nginx < 1.19.4 has no ssl_reject_handshake: answer with the placeholder certificate.'),
        directive('ssl_certificate', NGINX.placeholderCert), directive('ssl_certificate_key', NGINX.placeholderKey)]),
    directive('return', 444),
  ]);

  const http80 = block('server', [], [
    listen(80, { proxyProtocol: pp }),
    listen(80, { ipv6: true, proxyProtocol: pp }),
    directive('server_name', ...names),
    block('location', ['^~', '/.well-known/acme-challenge/'], [
      directive('root', NGINX.acmeRoot),
      directive('default_type', 'text/plain'),
      ...(sharedAcmeAccount(s)
        ? [comment('Any front door answers any challenge of the fleet\'s ACME account (token.thumbprint, RFC 8555 8.3): the validation may reach any of them.'),
          block('location', ['~', '^/[.]well-known/acme-challenge/([-_A-Za-z0-9]+)$'], [directive('include', NGINX.acmeChallenge)])]
        : []),
    ]),
    block('location', ['/'], [
      comment('301 keeps GET/HEAD cacheable; 308 keeps the method and body of everything else.'),
      block('if', ['($request_method', '!~', '^(GET|HEAD)$)'], [directive('return', 308, 'https://$host$request_uri')]),
      directive('return', 301, 'https://$host$request_uri'),
    ]),
  ]);

  const locations: NginxNode[] = [];
  if (s.internalPaths.length > 0) {
    locations.push(comment('The backends\' internal paths (metrics, debug) are not published; nginx matches the decoded path.'));
    for (const path of s.internalPaths) {
      if (!path.endsWith('/')) locations.push(block('location', ['=', path], [directive('return', 404)]));
      locations.push(block('location', ['^~', path.endsWith('/') ? path : `${path}/`], [directive('return', 404)]));
    }
  }
  for (const path of s.proxyPaths) locations.push(proxyLocation(path, s.mtlsPaths.includes(path)));
  for (const path of s.mtlsPaths.filter((p) => !s.proxyPaths.includes(p))) locations.push(proxyLocation(path, true));
  if (s.staticRootDirectory) {
    locations.push(block('location', [s.staticUrlPath ?? '/static/'], [
      directive('alias', s.staticRootDirectory.endsWith('/') ? s.staticRootDirectory : `${s.staticRootDirectory}/`),
      directive('sendfile', 'on'),
      directive('tcp_nopush', 'on'),
      directive('add_header', 'Cache-Control', 'public, max-age=604800', 'always'),
      directive('include', NGINX.headers),
    ]));
  }

  const https = block('server', [], [
    listen(443, { ssl: true, http2: http2InListen, proxyProtocol: pp }),
    listen(443, { ipv6: true, ssl: true, http2: http2InListen, proxyProtocol: pp }),
    ...(s.http3 ? [listen(443, { quic: true }), directive('http3', 'on')] : []),
    ...(http2InListen ? [] : [directive('http2', 'on')]),
    directive('server_name', ...names),
    directive('ssl_certificate', NGINX.liveCert),
    directive('ssl_certificate_key', NGINX.liveKey),
    comment('Stapling only when the certificate names an OCSP responder (Let\'s Encrypt no longer does); written at boot.'),
    directive('include', NGINX.ocsp),
    ...(s.mtlsPaths.length > 0
      ? [
          comment('Client certificates are asked for, and required only in the mTLS locations.'),
          directive('ssl_client_certificate', NGINX.clientCa),
          directive('ssl_verify_client', 'optional'),
          directive('ssl_verify_depth', 2),
        ]
      : []),
    directive('include', NGINX.headers),
    ...(s.rateLimitPerSecond !== undefined ? [directive('limit_req', `zone=${RATE_ZONE}`, `burst=${s.rateLimitBurst}`, 'nodelay')] : []),
    directive('limit_conn', CONN_ZONE, s.connectionLimitPerClient),
    comment('Proxy settings here are inherited by every location that sets none of its own.'),
    directive('proxy_http_version', '1.1'),
    comment('An empty Connection header keeps upstream connections alive (keepalive needs it).'),
    directive('proxy_set_header', 'Connection', ''),
    directive('proxy_set_header', 'Host', '$host'),
    directive('proxy_set_header', 'X-Real-IP', '$remote_addr'),
    comment('This is the edge: the client address replaces whatever X-Forwarded-For the client sent.'),
    directive('proxy_set_header', 'X-Forwarded-For', '$remote_addr'),
    directive('proxy_set_header', 'X-Forwarded-Proto', '$scheme'),
    directive('proxy_set_header', 'X-Request-ID', REQUEST_ID),
    directive('proxy_connect_timeout', `${s.proxyConnectTimeoutSec}s`),
    directive('proxy_send_timeout', `${s.proxyReadTimeoutSec}s`),
    directive('proxy_read_timeout', `${s.proxyReadTimeoutSec}s`),
    comment('Retries go to the next backend for idempotent requests only (nginx never retries POST, PATCH, LOCK).'),
    directive('proxy_next_upstream', 'error', 'timeout', 'http_502', 'http_503', 'http_504'),
    directive('proxy_next_upstream_tries', 3),
    directive('proxy_next_upstream_timeout', '10s'),
    ...locations,
  ]);

  const stubStatus = block('server', [], [
    comment('Connection metrics for nginx-prometheus-exporter, on loopback only.'),
    directive('listen', `127.0.0.1:${NGINX.stubStatusPort}`),
    directive('server_name', 'localhost'),
    directive('access_log', 'off'),
    block('location', ['=', '/stub_status'], [directive('stub_status'), directive('allow', '127.0.0.1'), directive('deny', 'all')]),
    block('location', ['/'], [directive('return', 404)]),
  ]);

  const health = s.behindLoadBalancer && block('server', [], [
    comment('The public load balancer\'s health check: nginx itself answers, so a backend outage keeps every front door in service.'),
    directive('listen', NGINX.healthCheckPort),
    directive('server_name', '_'),
    directive('access_log', 'off'),
    block('location', ['=', NGINX.healthCheckPath], [directive('default_type', 'text/plain'), directive('return', 200, 'ok')]),
    block('location', ['/'], [directive('return', 404)]),
  ]);

  const json = [
    '"time":"$time_iso8601"', '"remote_addr":"$remote_addr"', '"host":"$host"', '"method":"$request_method"', '"uri":"$request_uri"',
    '"status":$status', '"bytes_sent":$body_bytes_sent', '"request_time":$request_time', '"upstream_addr":"$upstream_addr"',
    '"upstream_status":"$upstream_status"', '"upstream_response_time":"$upstream_response_time"', `"request_id":"${REQUEST_ID}"`,
    '"user_agent":"$http_user_agent"',
  ];

  return renderNginx([
    comment(`cdktf-gohost front door for ${names.join(', ')}: Mozilla ${s.tlsProfile} TLS (guideline ${MOZILLA_GUIDELINE_VERSION}).`),
    comment('Started by nginx.service with -c (see the drop-in), so the distribution nginx.conf stays untouched for upgrades.'),
    directive('user', 'www-data'),
    directive('worker_processes', 'auto'),
    directive('worker_rlimit_nofile', s.workerRlimitNofile),
    comment('The client-key map runs a regular expression for every request: JIT-compiled, it costs less.'),
    directive('pcre_jit', 'on'),
    directive('pid', '/run/nginx.pid'),
    directive('error_log', '/var/log/nginx/error.log', 'warn'),
    directive('include', '/etc/nginx/modules-enabled/*.conf'),
    blank,
    block('events', [], [
      comment('Each proxied request holds two descriptors (client and upstream).'),
      directive('worker_connections', connections),
    ]),
    blank,
    block('http', [], [
      directive('include', '/etc/nginx/mime.types'),
      directive('default_type', 'application/octet-stream'),
      directive('sendfile', 'on'),
      directive('tcp_nopush', 'on'),
      directive('tcp_nodelay', 'on'),
      directive('server_tokens', 'off'),
      directive('keepalive_timeout', '65s'),
      comment('Also the streams of an HTTP/2 connection: nginx\'s rapid-reset mitigation counts against it.'),
      directive('keepalive_requests', s.clientKeepaliveRequests),
      ...(versionAtLeast(s.nginxVersion, '1.19.10')
        ? [comment('A busy connection ends cleanly (after a response) before a leaving front door\'s deregistration delay does.'),
          directive('keepalive_time', `${s.clientKeepaliveTimeSec}s`)]
        : []),
      directive('client_max_body_size', `${s.clientMaxBodySizeMiB}m`),
      directive('client_body_timeout', `${s.clientTimeoutSec}s`),
      directive('client_header_timeout', `${s.clientTimeoutSec}s`),
      directive('send_timeout', `${s.clientTimeoutSec}s`),
      blank,
      comment('TLS at http level, so the default server negotiates with the same policy.'),
      directive('ssl_protocols', ...tls.protocols),
      tls.ciphers ? directive('ssl_ciphers', tls.ciphers) : false,
      directive('ssl_prefer_server_ciphers', 'off'),
      directive('ssl_ecdh_curve', tls.curves),
      directive('ssl_session_timeout', '1d'),
      directive('ssl_session_cache', 'shared:GOHOST_TLS:10m'),
      directive('ssl_session_tickets', 'off'),
      blank,
      directive('include', NGINX.requestId),
      directive('log_format', 'gohost_json', 'escape=json', `{${json.join(',')}}`),
      directive('access_log', NGINX.accessLog, 'gohost_json', 'buffer=64k', 'flush=1s'),
      ...(s.behindLoadBalancer
        ? [
            comment('The client\'s address comes in the proxy-protocol header, believed only from the load balancer\'s subnets.'),
            ...s.behindLoadBalancer.trustedCidrs.map((cidr) => directive('set_real_ip_from', cidr)),
            directive('real_ip_header', 'proxy_protocol'),
          ]
        : []),
      comment('One subscriber gets an IPv6 /64: its first 8 bytes are the client, so rotating addresses inside it gains nothing.'),
      block('map', ['$binary_remote_addr', CLIENT_KEY], [
        // Quoted: a map key is printed as it is, and its braces would open a block.
        directive('"~^(?s)(?<prefix>.{8}).{8}$"', '$prefix'),
        directive('default', '$binary_remote_addr'),
      ]),
      directive('limit_conn_zone', CLIENT_KEY, `zone=${CONN_ZONE}:10m`),
      directive('limit_conn_status', 503),
      ...(s.rateLimitPerSecond !== undefined
        ? [directive('limit_req_zone', CLIENT_KEY, `zone=${RATE_ZONE}:10m`, `rate=${s.rateLimitPerSecond}r/s`), directive('limit_req_status', 429)]
        : []),
      blank,
      block('upstream', [UPSTREAM], [
        comment('least_conn must come before keepalive.'),
        directive('least_conn'),
        ...s.upstreams.map((u) => directive('server', u, `max_fails=${s.upstreamMaxFails}`, `fail_timeout=${s.upstreamFailTimeoutSec}s`)),
        directive('keepalive', s.upstreamKeepalive),
        comment('nginx closes an upstream connection after 1000 requests by default; reconnecting costs more than it saves.'),
        directive('keepalive_requests', 10000),
        comment('Shorter than the Go server\'s IdleTimeout, so nginx closes idle connections first.'),
        directive('keepalive_timeout', '60s'),
        ...(versionAtLeast(s.nginxVersion, '1.21.3')
          ? [comment('Busy connections are renewed too, so none outlives a draining backend\'s deregistration delay.'),
            directive('keepalive_time', `${s.upstreamKeepaliveTimeSec}s`)]
          : []),
      ]),
      blank,
      catchAll,
      blank,
      http80,
      blank,
      https,
      blank,
      stubStatus,
      ...(health ? [blank, health] : []),
    ]),
  ]);
}

export function nginxDropIn(s: FrontDoorSettings): string {
  const nginx = `/usr/sbin/nginx -c ${NGINX.conf} -g 'daemon on; master_process on;'`;
  return renderSystemdUnit({
    header: ['nginx runs the cdktf-gohost configuration; every start and reload is checked first (an empty line resets a list).'],
    service: {
      ExecStartPre: ['', NGINX.writeRequestId, NGINX.precheck],
      ExecStart: ['', nginx],
      ExecReload: ['', NGINX.writeRequestId, NGINX.precheck, `${nginx} -s reload`],
      LimitNOFILE: s.workerRlimitNofile,
    },
  });
}

export function nginxPrecheck(): string {
  return renderBashScript({
    description: [
      'nginx precheck: certificate files present, configuration valid. Runs before every start and reload.',
    ],
    body: [
      `for f in ${NGINX.liveCert} ${NGINX.liveKey}; do`,
      '  [[ -s "$(readlink -f "$f")" ]] || { echo "nginx precheck: $f is missing or empty" >&2; exit 1; }',
      'done',
      `exec /usr/sbin/nginx -t -q -c ${NGINX.conf}`,
    ],
  });
}

/** Turns OCSP stapling on only for certificates that name a responder, then checks and reloads nginx. */
export function reloadCertificateScript(): string {
  return renderBashScript({
    description: [
      'After a certificate change: stapling only if the certificate has an OCSP URL, then nginx -t and reload.',
    ],
    body: [
      `if [[ -n "$(openssl x509 -noout -ocsp_uri -in ${NGINX.liveCert})" ]]; then`,
      `  printf 'ssl_stapling on;\\nssl_stapling_verify on;\\n' > ${NGINX.ocsp}`,
      'else',
      `  echo '# The certificate names no OCSP responder: stapling off.' > ${NGINX.ocsp}`,
      'fi',
      NGINX.precheck,
      'if systemctl is-active --quiet nginx.service; then systemctl reload nginx.service; fi',
      '# The certificate\'s lifetime for node_exporter\'s textfile collector (alerts at a third of it left).',
      'textfile=/var/lib/prometheus/node-exporter',
      'if [[ -d "$textfile" ]]; then',
      `  not_before=$(date -d "$(openssl x509 -noout -startdate -in ${NGINX.liveCert} | cut -d = -f 2)" +%s)`,
      `  not_after=$(date -d "$(openssl x509 -noout -enddate -in ${NGINX.liveCert} | cut -d = -f 2)" +%s)`,
      '  printf \'# TYPE gohost_tls_certificate_not_before_seconds gauge\\ngohost_tls_certificate_not_before_seconds %s\\n# TYPE gohost_tls_certificate_not_after_seconds gauge\\ngohost_tls_certificate_not_after_seconds %s\\n\' "$not_before" "$not_after" > "$textfile/gohost_tls.prom.tmp"',
      '  mv "$textfile/gohost_tls.prom.tmp" "$textfile/gohost_tls.prom"',
      'fi',
    ],
  });
}

/** Fetches a bring-your-own certificate and key with the instance role; the key never passes through user data or state. */
export function fetchCertificateScript(s: FrontDoorSettings): string {
  const c = s.certificate;
  let fetch: string[];
  if (c.kind === 'ssm') {
    const get = (name: string) => awsJsonCall('ssm', 'ssm', 'AmazonSSM.GetParameter', JSON.stringify({ Name: name, WithDecryption: true }));
    fetch = [
      `${get(c.certificateParameter)} | json_field Parameter.Value > "$tmp/cert"`,
      `${get(c.privateKeyParameter)} | json_field Parameter.Value > "$tmp/key"`,
    ];
  } else if (c.kind === 'secretsmanager') {
    fetch = [
      `${awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.GetSecretValue', JSON.stringify({ SecretId: c.secretId }))} | json_field SecretString > "$tmp/secret"`,
      'json_field certificate < "$tmp/secret" > "$tmp/cert"',
      'json_field privateKey < "$tmp/secret" > "$tmp/key"',
    ];
  } else {
    throw new GoHostError('fetchCertificateScript is for bring-your-own certificates');
  }
  return renderBashScript({
    description: [
      'Fetches the certificate and private key with the instance role and installs them if they changed.',
    ],
    body: [
      'umask 077',
      ...awsRoleShellFunctions(),
      'tmp=$(mktemp -d)',
      'trap \'rm -rf "$tmp"\' EXIT',
      ...fetch,
      'openssl x509 -noout -in "$tmp/cert"',
      'openssl pkey -noout -in "$tmp/key"',
      `if cmp -s "$tmp/cert" ${NGINX.tlsDir}/byo.crt && cmp -s "$tmp/key" ${NGINX.tlsDir}/byo.key; then exit 0; fi`,
      `install -m 0644 "$tmp/cert" ${NGINX.tlsDir}/byo.crt`,
      `install -m 0600 "$tmp/key" ${NGINX.tlsDir}/byo.key`,
      `ln -sfn byo.crt ${NGINX.liveCert}`,
      `ln -sfn byo.key ${NGINX.liveKey}`,
      NGINX.reloadCertificate,
    ],
  });
}

/** Builds the front door's share of a host's user data. */
export function provisionFrontDoor(s: FrontDoorSettings): HostProvisioning {
  const h = new HostProvisioning();
  const le = s.certificate.kind === 'letsencrypt';
  h.addPackages('nginx', 'openssl', ...(le ? ['certbot'] : []));
  // nginx parses everything the internet sends and never calls AWS; the certificate units do, as root.
  h.denyInstanceMetadata('nginx.service');
  // Files under /etc/nginx belong to the package's directory: written after it is installed.
  h.addFile({ path: NGINX.conf, permissions: '0644', defer: true, content: frontDoorNginxConfig(s) });
  h.addFile({ path: NGINX.headers, permissions: '0644', defer: true, content: securityHeaders(s) });
  h.addFile({ path: NGINX.ocsp, permissions: '0644', defer: true, content: '# Written by nginx-reload-certificate.\n' });
  if (s.mtlsClientCaBundle) {
    h.addFile({ path: NGINX.clientCa, permissions: '0644', defer: true, content: s.mtlsClientCaBundle, encoding: s.mtlsClientCaBundleEncoding });
  }
  // Deferred: present while the nginx package installs, it would make the package's own first start fail
  // (no certificate yet) and dpkg would leave nginx half-configured.
  h.addFile({ path: NGINX.dropIn, permissions: '0644', defer: true, content: nginxDropIn(s) });
  h.addFile({ path: NGINX.precheck, permissions: '0755', content: nginxPrecheck() });
  // Present from the start: the certificate restore runs the precheck before nginx ever started.
  h.addFile({ path: NGINX.requestId, permissions: '0644', defer: true, content: requestIdConf('0000000000000000') });
  h.addFile({ path: NGINX.writeRequestId, permissions: '0755', content: writeRequestIdScript() });
  h.addFile({ path: NGINX.reloadCertificate, permissions: '0755', content: reloadCertificateScript() });
  if (s.certificate.kind === 'letsencrypt') {
    const c = s.certificate;
    const store = c.store;
    h.addFile({ path: NGINX.obtainCertificate, permissions: '0755', content: obtainCertificateScript({ domainNames: s.domainNames, email: c.email, staging: c.staging, store }) });
    h.allowInstanceMetadata('gohost-certificate.service', `obtains the certificate (public IP${store ? ', keeps it in Secrets Manager, one order at a time' : ''})`);
    if (store) {
      h.addFile({ path: NGINX.restoreCertificate, permissions: '0755', content: restoreCertificateScript(store) });
      h.addFile({ path: NGINX.persistCertificate, permissions: '0755', content: persistCertificateScript(store) });
      h.addFile({ path: NGINX.acmeAccount, permissions: '0755', content: acmeAccountScript({ domainNames: s.domainNames, email: c.email, staging: c.staging, store }) });
      h.addFile({ path: NGINX.acmeChallenge, permissions: '0644', defer: true, content: "# No ACME account shared yet: certbot's webroot files answer (acme-account writes the stateless answer here).\n" });
    } else {
      h.addFile({
        path: '/etc/letsencrypt/renewal-hooks/deploy/gohost-nginx',
        permissions: '0755',
        defer: true,
        content: renderBashScript({ description: ['certbot deploy hook: runs after every successful renewal.'], body: [NGINX.reloadCertificate] }),
      });
    }
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate.timer',
      permissions: '0644',
      content: dailyTimer("Renew the front door's certificate when a third of its lifetime is left (restored certificates too)"),
    });
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate.service',
      permissions: '0644',
      content: renderSystemdUnit({
        unit: { Description: "Obtain the front door's Let's Encrypt certificate", Wants: ['network-online.target'], After: ['network-online.target', 'nginx.service'] },
        service: { Type: 'oneshot', ExecStart: [NGINX.obtainCertificate], TimeoutStartSec: 0 },
      }),
    });
  } else {
    h.addFile({ path: NGINX.fetchCertificate, permissions: '0755', content: fetchCertificateScript(s) });
    h.allowInstanceMetadata('gohost-certificate-refresh.service', 'fetches the certificate with the instance role');
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate-refresh.service',
      permissions: '0644',
      content: renderSystemdUnit({
        unit: { Description: 'Refresh the front door certificate from AWS', Wants: ['network-online.target'], After: ['network-online.target'] },
        service: { Type: 'oneshot', ExecStart: [NGINX.fetchCertificate] },
      }),
    });
    h.addFile({
      path: '/etc/systemd/system/gohost-certificate-refresh.timer',
      permissions: '0644',
      content: dailyTimer('Refresh the front door certificate daily'),
    });
  }

  const domains = s.domainNames;
  h.addStep('services', {
    name: 'nginx front door on a placeholder certificate',
    lines: [
      `install -d -m 0750 ${NGINX.tlsDir}`,
      `install -d -m 0755 ${NGINX.acmeRoot}`,
      '# Self-signed and outside /etc/letsencrypt/live, so nginx starts before any real certificate exists.',
      `if [[ ! -s ${NGINX.placeholderCert} ]]; then`,
      `  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj ${shq(`/CN=${domains[0]}`)} \\`,
      `    -addext ${shq(`subjectAltName=${domains.map((d) => `DNS:${d}`).join(',')}`)} -keyout ${NGINX.placeholderKey} -out ${NGINX.placeholderCert} 2>/dev/null`,
      'fi',
      `[[ -e ${NGINX.liveCert} ]] || ln -sfn placeholder.crt ${NGINX.liveCert}`,
      `[[ -e ${NGINX.liveKey} ]] || ln -sfn placeholder.key ${NGINX.liveKey}`,
      ...(le ? [] : [NGINX.fetchCertificate]),
      ...(sharedAcmeAccount(s)
        ? ['# A replaced front door serves the certificate its predecessor kept, before nginx starts.',
          `${NGINX.restoreCertificate} || log "could not restore the stored certificate; starting on the placeholder"`]
        : []),
      'systemctl daemon-reload',
      'systemctl enable nginx.service',
      'systemctl restart nginx.service',
      NGINX.reloadCertificate,
      ...(sharedAcmeAccount(s)
        ? ['# The fleet\'s ACME account (if one is stored): this front door answers its challenges before it joins.',
          `${NGINX.acmeAccount} --restore-only || log "could not restore the fleet's ACME account (gohost-certificate.service retries)"`,
          '# Renewals go through gohost-certificate.service, one front door at a time; the package\'s timer would renew on its own.',
          'if systemctl cat certbot.timer > /dev/null 2>&1; then systemctl disable --now certbot.timer; fi']
        : []),
      ...(le
        ? ['# In the background: DNS may not point here yet. Daily afterwards: renewal at a third of the lifetime.',
          'systemctl enable gohost-certificate.timer',
          'systemctl start --no-block gohost-certificate.service gohost-certificate.timer']
        : ['systemctl enable --now gohost-certificate-refresh.timer']),
    ],
  });
  // Behind a load balancer nginx expects a proxy-protocol header on 443: curl sends one.
  const pp = s.behindLoadBalancer ? '--haproxy-protocol ' : '';
  const probe = `curl ${pp}-sSk --max-time 2 -o /dev/null -w '%{http_code}' --resolve ${shq(`${domains[0]}:443:127.0.0.1`)} ${shq(`https://${domains[0]}${s.healthPath}`)}`;
  h.addStep('verify', s.remoteUpstreams
    ? {
        name: 'front door answers over HTTPS',
        lines: [
          '# The backends are behind a load balancer and may still be booting: nginx itself must answer.',
          'code=000',
          'for _ in $(seq 1 30); do',
          `  code=$(${probe} || true)`,
          '  [[ "$code" != 000 ]] && break',
          '  sleep 2',
          'done',
          'if [[ "$code" == 000 ]]; then log "the front door did not answer over HTTPS"; exit 1; fi',
          ...(s.behindLoadBalancer
            ? [`curl -fsS --max-time 2 -o /dev/null http://127.0.0.1:${NGINX.healthCheckPort}${NGINX.healthCheckPath} || { log "nginx does not answer the load balancer's health check"; exit 1; }`]
            : []),
          `log ${shq(`the front door answers over HTTPS (${s.healthPath} through the load balancer:`)} "HTTP $code)"`,
        ],
      }
    : {
        name: `front door answers ${s.healthPath} over HTTPS`,
        lines: [
          'healthy=0',
          'for _ in $(seq 1 60); do',
          `  if curl ${pp}-fsSk --max-time 2 -o /dev/null --resolve ${shq(`${domains[0]}:443:127.0.0.1`)} ${shq(`https://${domains[0]}${s.healthPath}`)}; then healthy=1; break; fi`,
          '  sleep 2',
          'done',
          'if [[ "$healthy" -ne 1 ]]; then log "the front door did not answer over HTTPS"; exit 1; fi',
          'log "the front door answers over HTTPS"',
        ],
      });
  return h;
}
