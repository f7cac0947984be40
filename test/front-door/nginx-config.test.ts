import { describe, expect, it } from 'vitest';
import { frontDoorNginxConfig, nginxDropIn, nginxPrecheck, securityHeaders } from '../../lib/front-door/nginx-config';
import type { FrontDoorSettings } from '../../lib/front-door/render-input';

const base: FrontDoorSettings = {
  domainNames: ['shop.example.test'],
  tlsProfile: 'intermediate',
  certificate: { kind: 'letsencrypt', email: 'ops@example.test', staging: false },
  upstreams: ['127.0.0.1:8080'],
  upstreamKeepalive: 32,
  clientKeepaliveTimeSec: 60,
  upstreamKeepaliveTimeSec: 30,
  connectionLimitPerClient: 100,
  clientKeepaliveRequests: 1000,
  responseHeaders: {},
  internalPaths: [],
  remoteUpstreams: false,
  publicAddress: 'associated-by-terraform',
  upstreamMaxFails: 2,
  upstreamFailTimeoutSec: 15,
  proxyPaths: ['/'],
  clientMaxBodySizeMiB: 10,
  proxyConnectTimeoutSec: 5,
  proxyReadTimeoutSec: 60,
  clientTimeoutSec: 30,
  rateLimitBurst: 0,
  mtlsPaths: [],
  hsts: true,
  hstsMaxAgeSeconds: 31536000,
  hstsIncludeSubdomains: false,
  hstsPreload: false,
  http3: false,
  backlog: 65535,
  workerRlimitNofile: 65536,
  nginxVersion: '1.24.0',
  healthPath: '/healthz',
};

describe('front door nginx configuration', () => {
  it('renews upstream connections after keepalive_time where nginx has it (1.21.3+), not on 1.18', () => {
    expect(frontDoorNginxConfig(base)).toContain(
      "        # Busy connections are renewed too, so none outlives a draining backend's deregistration delay.\n        keepalive_time 30s;\n",
    );
    expect(frontDoorNginxConfig({ ...base, nginxVersion: '1.18.0' })).not.toMatch(/keepalive_time \d/);
  });

  it('answers 404 for the backends\' internal paths, before any proxy location', () => {
    const conf = frontDoorNginxConfig({ ...base, internalPaths: ['/metrics', '/debug/'] });
    expect(conf).toContain(
      "        # The backends' internal paths (metrics, debug) are not published; nginx matches the decoded path.\n" +
        '        location = /metrics {\n            return 404;\n        }\n' +
        '        location ^~ /metrics/ {\n            return 404;\n        }\n' +
        '        location ^~ /debug/ {\n            return 404;\n        }\n' +
        '        location / {\n',
    );
  });

  it('adds extra response headers to every HTTPS response, quoted for nginx', () => {
    expect(securityHeaders({ ...base, responseHeaders: { 'X-Release': 'v1.2 "blue"' } })).toContain(`add_header X-Release 'v1.2 "blue"' always;`);
  });

  it('balances with least_conn before keepalive, with failure limits', () => {
    expect(frontDoorNginxConfig(base)).toContain(
      '    upstream gohost_backend {\n        # least_conn must come before keepalive.\n        least_conn;\n' +
        '        server 127.0.0.1:8080 max_fails=2 fail_timeout=15s;\n        keepalive 32;\n',
    );
  });

  it('puts backlog and reuseport on the default server only, backlog equal to somaxconn', () => {
    const conf = frontDoorNginxConfig({ ...base, backlog: 4096 });
    expect(conf.match(/backlog=4096 reuseport;/g)).toHaveLength(4);
    expect(conf).toContain('        listen 443 ssl http2 default_server backlog=4096 reuseport;\n');
    expect(conf).toContain('        listen 443 ssl http2;\n');
  });

  it('matches worker limits to the host nofile (two descriptors per proxied request)', () => {
    const conf = frontDoorNginxConfig({ ...base, workerRlimitNofile: 10000 });
    expect(conf).toContain('worker_rlimit_nofile 10000;\n');
    expect(conf).toContain('    worker_connections 5000;\n');
  });

  it('serves ACME challenges on port 80 before redirecting everything else', () => {
    expect(frontDoorNginxConfig(base)).toContain(
      '        location ^~ /.well-known/acme-challenge/ {\n            root /var/www/acme;\n            default_type text/plain;\n        }\n' +
        '        location / {\n            # 301 keeps GET/HEAD cacheable; 308 keeps the method and body of everything else.\n' +
        '            if ($request_method !~ ^(GET|HEAD)$) {\n                return 308 https://$host$request_uri;\n            }\n' +
        '            return 301 https://$host$request_uri;\n        }\n',
    );
  });

  it('uses the Mozilla intermediate protocols and AEAD suites', () => {
    const conf = frontDoorNginxConfig(base);
    expect(conf).toContain('    ssl_protocols TLSv1.2 TLSv1.3;\n');
    expect(conf).toContain('    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;\n');
    expect(conf).toContain('    ssl_session_tickets off;\n');
  });

  it('uses TLS 1.3 only for the modern profile, without a TLS 1.2 cipher list', () => {
    const conf = frontDoorNginxConfig({ ...base, tlsProfile: 'modern' });
    expect(conf).toContain('    ssl_protocols TLSv1.3;\n');
    expect(conf).not.toContain('ssl_ciphers');
  });

  it('rejects unknown SNI on nginx ≥ 1.19.4 and answers with the placeholder on older nginx', () => {
    expect(frontDoorNginxConfig(base)).toContain('        ssl_reject_handshake on;\n        return 444;\n');
    const old = frontDoorNginxConfig({ ...base, nginxVersion: '1.18.0' });
    expect(old).not.toContain('ssl_reject_handshake on;');
    expect(old).toContain('        ssl_certificate /etc/nginx/gohost/tls/placeholder.crt;\n');
  });

  it('writes `http2 on;` instead of the listen flag from nginx 1.25.1', () => {
    const conf = frontDoorNginxConfig({ ...base, nginxVersion: '1.26.0' });
    expect(conf).toContain('        listen 443 ssl;\n');
    expect(conf).toContain('        http2 on;\n');
  });

  it('sends HTTP/1.1 with an empty Connection header and the forwarding headers', () => {
    const conf = frontDoorNginxConfig(base);
    for (const line of [
      'proxy_http_version 1.1;', "proxy_set_header Connection '';", 'proxy_set_header X-Real-IP $remote_addr;',
      'proxy_set_header X-Forwarded-For $remote_addr;', 'proxy_set_header X-Forwarded-Proto $scheme;', 'proxy_set_header X-Request-ID $gohost_request_id;',
      'proxy_next_upstream error timeout http_502 http_503 http_504;',
    ]) expect(conf).toContain(`        ${line}\n`);
  });

  it('serves stub_status on loopback only', () => {
    expect(frontDoorNginxConfig(base)).toContain(
      '        listen 127.0.0.1:8088;\n        server_name localhost;\n        access_log off;\n        location = /stub_status {\n            stub_status;\n            allow 127.0.0.1;\n            deny all;\n        }\n',
    );
  });

  it('adds a limit_req zone and rule only when a rate is set', () => {
    expect(frontDoorNginxConfig(base)).not.toContain('limit_req');
    const conf = frontDoorNginxConfig({ ...base, rateLimitPerSecond: 20, rateLimitBurst: 40 });
    expect(conf).toContain('    limit_req_zone $gohost_client zone=gohost_per_ip:10m rate=20r/s;\n    limit_req_status 429;\n');
    expect(conf).toContain('        limit_req zone=gohost_per_ip burst=40 nodelay;\n');
  });

  it('requires a verified client certificate in mTLS locations only', () => {
    const conf = frontDoorNginxConfig({ ...base, mtlsPaths: ['/internal/'], mtlsClientCaBundle: 'x' });
    expect(conf).toContain('        ssl_verify_client optional;\n');
    expect(conf).toContain('        location /internal/ {\n            if ($ssl_client_verify != SUCCESS) {\n                return 403;\n            }\n            proxy_pass http://gohost_backend;\n        }\n');
    expect(conf).toContain('        location / {\n            proxy_pass http://gohost_backend;\n        }\n');
  });

  it('repeats the security headers in the static location, which adds its own header', () => {
    expect(frontDoorNginxConfig({ ...base, staticRootDirectory: '/srv/static', staticUrlPath: '/static/' })).toContain(
      '        location /static/ {\n            alias /srv/static/;\n            sendfile on;\n            tcp_nopush on;\n' +
        "            add_header Cache-Control 'public, max-age=604800' always;\n            include /etc/nginx/gohost/security-headers.conf;\n        }\n",
    );
  });
});

describe('security headers', () => {
  it('sends HSTS for a year without preload by default, and the hardening headers', () => {
    expect(securityHeaders(base)).toBe(
      '# nginx drops inherited add_header lines in any block that sets its own: include this file there too.\n' +
        'add_header Strict-Transport-Security max-age=31536000 always;\n' +
        'add_header X-Content-Type-Options nosniff always;\n' +
        'add_header X-Frame-Options DENY always;\n' +
        `add_header Content-Security-Policy "frame-ancestors 'none'" always;\n` +
        'add_header Referrer-Policy strict-origin-when-cross-origin always;\n' +
        'add_header X-Request-ID $gohost_request_id always;\n',
    );
  });

  it('adds includeSubDomains and preload when opted in', () => {
    expect(securityHeaders({ ...base, hstsIncludeSubdomains: true, hstsPreload: true })).toContain(
      "add_header Strict-Transport-Security 'max-age=31536000; includeSubDomains; preload' always;\n",
    );
  });
});

describe('nginx.service drop-in and precheck', () => {
  it('resets and replaces start, pre-start and reload so the request-ID prefix and the precheck run before both', () => {
    expect(nginxDropIn(base)).toBe(
      '# nginx runs the cdktf-gohost configuration; every start and reload is checked first (an empty line resets a list).\n\n' +
        '[Service]\nExecStartPre=\nExecStartPre=/usr/local/lib/gohost/nginx-request-id\nExecStartPre=/usr/local/lib/gohost/nginx-precheck\n' +
        "ExecStart=\nExecStart=/usr/sbin/nginx -c /etc/nginx/gohost/nginx.conf -g 'daemon on; master_process on;'\n" +
        "ExecReload=\nExecReload=/usr/local/lib/gohost/nginx-request-id\nExecReload=/usr/local/lib/gohost/nginx-precheck\nExecReload=/usr/sbin/nginx -c /etc/nginx/gohost/nginx.conf -g 'daemon on; master_process on;' -s reload\n" +
        'LimitNOFILE=65536\n',
    );
  });

  it('checks the certificate files, then the configuration', () => {
    expect(nginxPrecheck()).toContain('for f in /etc/nginx/gohost/tls/live.crt /etc/nginx/gohost/tls/live.key; do\n');
    expect(nginxPrecheck()).toContain('exec /usr/sbin/nginx -t -q -c /etc/nginx/gohost/nginx.conf\n');
  });
});
