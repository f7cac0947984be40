/**
 * The front door's nginx configuration (the N rows of GUIDANCE.md) and the programs systemd runs
 * around nginx: the request-ID prefix, the precheck and the unit drop-in. Pure: no cdktf imports.
 */
import { versionAtLeast } from '../host/distro';
import { MOZILLA_GUIDELINE_VERSION, TLS_PROFILES } from './tls-profiles';
import { blank, block, comment, directive, NginxNode, renderNginx } from '../render/nginx';
import { renderBashScript } from '../render/shell';
import { renderSystemdUnit } from '../render/systemd';
import { NGINX } from './nginx-paths';
import { FrontDoorSettings, sharedAcmeAccount } from './render-input';

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
