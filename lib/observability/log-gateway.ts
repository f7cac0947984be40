/**
 * The authenticated, push-only log path. Loki listens on the monitoring host's loopback with
 * multi-tenancy on; what watched hosts reach is an nginx gateway on the monitoring host's network
 * interface that accepts nothing but `POST /loki/api/v1/push` over TLS, with a bearer token that
 * names the host: the gateway sets Loki's tenant from the token (a host cannot write under another
 * host's name, whatever headers it sends), rate-limits per tenant, and has no query, delete or
 * admin path. Each watched host (construct) has its own Secrets Manager secret, created empty by
 * Terraform: the monitoring host writes the token and the gateway's certificate into it, the host
 * reads it with its role. No credential reaches user data or state. Pure: no cdktf imports.
 */
import { awsJsonCall, awsRoleShellFunctions, IMDS_TOKEN_LINE } from '../host/aws-shell';
import { HostProvisioning } from '../host/provisioning';
import { PORTS } from '../facts';
import { block, blank, comment, directive, renderNginx } from '../render/nginx';
import { renderBashScript, shq } from '../render/shell';
import { renderSystemdUnit } from '../render/systemd';

export const LOG_GATEWAY = {
  /** The gateway's port on the monitoring host (the one watched hosts are admitted to). */
  port: PORTS.loki,
  /** Loki itself, on the monitoring host's loopback only. */
  lokiPort: PORTS.lokiLocal,
  /** On the data volume: tokens and the gateway's key outlive a replaced monitoring host. */
  stateDir: '/srv/gohost-data/log-gateway',
  conf: '/etc/nginx/gohost-logs/nginx.conf',
  tenantsMap: '/etc/nginx/gohost-logs/tenants.map',
  dropIn: '/etc/systemd/system/nginx.service.d/60-gohost-logs.conf',
  tenantsScript: '/usr/local/lib/gohost/log-tenants',
  /** The tenants Grafana queries, joined by `|` (read by its Loki data source). */
  grafanaTenants: '/etc/grafana/gohost-loki-tenants',
  /** On a watched host: what its Alloy reads. */
  credentialDir: '/run/gohost/loki',
  credentialScript: '/usr/local/lib/gohost/log-credential',
  /** Secret tags: the stack's discovery ID, and the tenant (the host label) the secret is for. */
  monitorTag: 'gohost:monitor',
  tenantTag: 'gohost:log-tenant',
} as const;

/** A tenant is a host label: letters, digits and `-_.` (never `|`, Loki's tenant separator). */
export const TENANT_PATTERN = /^[A-Za-z0-9_.-]{1,150}$/;

export interface LogGatewaySettings {
  /** Value of the `gohost:monitor` tag: the secrets of this stack's watched hosts carry it. */
  readonly discoveryId: string;
  /** Requests per second one host may push, with this burst. */
  readonly pushRequestsPerSecond: number;
  readonly pushBurst: number;
  /** Largest push Loki accepts (nginx's client_max_body_size). */
  readonly maxPushMiB: number;
}

const paths = (tenant: string) => ({ token: `${LOG_GATEWAY.stateDir}/tokens/${tenant}`, pushed: `${LOG_GATEWAY.stateDir}/pushed/${tenant}` });

/** The gateway: TLS, one path, the tenant from the bearer token, a rate limit per tenant. */
export function logGatewayNginxConfig(s: LogGatewaySettings): string {
  const push = block('location', ['=', '/loki/api/v1/push'], [
    comment('No token of a watched host: refused (an empty tenant matches no character).'),
    block('if', ['($gohost_log_tenant', '!~', '.)'], [directive('return', 401)]),
    block('limit_except', ['POST'], [directive('deny', 'all')]),
    directive('limit_req', 'zone=gohost_log_tenant', `burst=${s.pushBurst}`, 'nodelay'),
    comment('The tenant is the token\'s, whatever the request says; the token goes no further.'),
    directive('proxy_set_header', 'X-Scope-OrgID', '$gohost_log_tenant'),
    directive('proxy_set_header', 'Authorization', ''),
    directive('proxy_http_version', '1.1'),
    directive('proxy_set_header', 'Connection', ''),
    directive('proxy_pass', `http://127.0.0.1:${LOG_GATEWAY.lokiPort}`),
  ]);
  return renderNginx([
    comment('cdktf-gohost log gateway: the one way into Loki from other hosts (push only, one tenant per host).'),
    directive('user', 'www-data'),
    directive('worker_processes', 1),
    directive('pid', '/run/nginx.pid'),
    directive('error_log', '/var/log/nginx/error.log', 'warn'),
    blank,
    block('events', [], [directive('worker_connections', 1024)]),
    blank,
    block('http', [], [
      directive('server_tokens', 'off'),
      directive('access_log', 'off'),
      directive('client_max_body_size', `${s.maxPushMiB}m`),
      comment('Keys are "Bearer " and 64 hex characters: longer than the default bucket takes.'),
      directive('map_hash_bucket_size', 128),
      block('map', ['$http_authorization', '$gohost_log_tenant'], [
        directive('default', ''),
        comment('"Bearer <token>" "<tenant>" lines, written by log-tenants.'),
        directive('include', LOG_GATEWAY.tenantsMap),
      ]),
      comment('Requests with no tenant are not counted; they are refused below.'),
      directive('limit_req_zone', '$gohost_log_tenant', 'zone=gohost_log_tenant:1m', `rate=${s.pushRequestsPerSecond}r/s`),
      directive('limit_req_status', 429),
      directive('ssl_protocols', 'TLSv1.2', 'TLSv1.3'),
      directive('ssl_session_tickets', 'off'),
      blank,
      block('server', [], [
        directive('listen', `${LOG_GATEWAY.port}`, 'ssl'),
        directive('listen', `[::]:${LOG_GATEWAY.port}`, 'ssl'),
        directive('ssl_certificate', `${LOG_GATEWAY.stateDir}/tls.crt`),
        directive('ssl_certificate_key', `${LOG_GATEWAY.stateDir}/tls.key`),
        push,
        comment('Queries, deletions, rules and the admin API are not reachable from other hosts.'),
        block('location', ['/'], [directive('return', 404)]),
      ]),
    ]),
  ]);
}

/** nginx.service runs the gateway's configuration on the monitoring host. */
export function logGatewayDropIn(): string {
  const nginx = `/usr/sbin/nginx -c ${LOG_GATEWAY.conf} -g 'daemon on; master_process on;'`;
  return renderSystemdUnit({
    header: ['nginx runs the cdktf-gohost log gateway; every start and reload is checked first (an empty line resets a list).'],
    service: {
      ExecStartPre: ['', `${nginx} -t -q`],
      ExecStart: ['', nginx],
      ExecReload: ['', `${nginx} -t -q`, `${nginx} -s reload`],
    },
  });
}

/** Bash for the monitoring host: the gateway's TLS key and certificate, made once, for the interface's address. */
function gatewayTlsLines(): string[] {
  const d = LOG_GATEWAY.stateDir;
  return [
    `install -d -m 0700 ${d} ${d}/tokens ${d}/pushed`,
    `if [[ ! -s ${d}/tls.key || ! -s ${d}/tls.crt ]]; then`,
    `  ${IMDS_TOKEN_LINE}`,
    '  address=$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/local-ipv4)',
    '  # The network interface\'s address outlives the instance, and so does this key (on the data volume).',
    `  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj '/CN=cdktf-gohost log gateway' \\`,
    `    -addext "subjectAltName=IP:$address" -keyout ${d}/tls.key -out ${d}/tls.crt 2>/dev/null`,
    'fi',
    `[[ -e ${LOG_GATEWAY.tenantsMap} ]] || install -m 0640 -g www-data /dev/null ${LOG_GATEWAY.tenantsMap}`,
  ];
}

/**
 * The monitoring host's timer: finds the log secrets of this stack's watched hosts (their tags),
 * gives each tenant a token (kept on the data volume), writes the token and the gateway's
 * certificate into the secret when they changed, and the token→tenant map nginx reads.
 */
export function logTenantsScript(s: LogGatewaySettings): string {
  const d = LOG_GATEWAY.stateDir;
  const list = awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.ListSecrets', { shellWord: '"$body"' });
  const put = awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.PutSecretValue', { shellWord: '"@$tmp/put"' }, '-o /dev/null');
  return renderBashScript({
    description: [
      'Log credentials of the watched hosts (cdktf-gohost): one token per host, written into the host\'s own secret,',
      'and the map the log gateway reads. Runs every two minutes; a host added to the stack is found by its secret\'s tags.',
    ],
    body: [
      'umask 077',
      `monitor=${shq(s.discoveryId)}`,
      ...gatewayTlsLines(),
      ...awsRoleShellFunctions(),
      'tmp=$(mktemp -d)',
      'trap \'rm -rf "$tmp"\' EXIT',
      '# Every secret of this stack\'s watched hosts, page by page: "<arn> <tenant>" lines.',
      'next=""',
      ': > "$tmp/secrets"',
      'while :; do',
      '  body=$(python3 -c \'import json, sys; b = {"Filters": [{"Key": "tag-key", "Values": [sys.argv[1]]}, {"Key": "tag-value", "Values": [sys.argv[2]]}], "MaxResults": 100}; b.update({"NextToken": sys.argv[3]} if sys.argv[3] else {}); print(json.dumps(b))\' ' +
        `${LOG_GATEWAY.monitorTag} "$monitor" "$next")`,
      `  ${list} > "$tmp/page"`,
      '  python3 -c \'import json, re, sys; page = json.load(open(sys.argv[1]))\n' +
        'for sec in page.get("SecretList", []):\n' +
        '    tags = {t["Key"]: t["Value"] for t in sec.get("Tags", [])}\n' +
        `    tenant = tags.get("${LOG_GATEWAY.tenantTag}", "")\n` +
        `    if tags.get("${LOG_GATEWAY.monitorTag}") == sys.argv[2] and re.fullmatch(r"${TENANT_PATTERN.source.slice(1, -1)}", tenant): print(sec["ARN"], tenant)\n` +
        'print(page.get("NextToken", ""), file=open(sys.argv[3], "w"))\' "$tmp/page" "$monitor" "$tmp/next" >> "$tmp/secrets"',
      '  next=$(cat "$tmp/next")',
      '  [[ -n "$next" ]] || break',
      'done',
      ': > "$tmp/map"',
      ': > "$tmp/tenants"',
      'while read -r arn tenant; do',
      `  token_file=${paths('$tenant').token}`,
      '  [[ -s "$token_file" ]] || openssl rand -hex 32 > "$token_file"',
      '  token=$(cat "$token_file")',
      '  printf \'"Bearer %s" "%s";\\n\' "$token" "$tenant" >> "$tmp/map"',
      '  printf \'%s\\n\' "$tenant" >> "$tmp/tenants"',
      '  # The host reads its token and the certificate it pins; written again only when either changed.',
      `  python3 -c 'import json, sys; print(json.dumps({"SecretId": sys.argv[1], "SecretString": json.dumps({"token": open(sys.argv[2]).read().strip(), "ca": open(sys.argv[3]).read()})}))' "$arn" "$token_file" ${d}/tls.crt > "$tmp/put"`,
      `  sum=$(python3 -c 'import hashlib, json, sys; print(hashlib.sha256(json.load(open(sys.argv[1]))["SecretString"].encode()).hexdigest())' "$tmp/put")`,
      `  pushed_file=${paths('$tenant').pushed}`,
      '  if [[ "$(cat "$pushed_file" 2>/dev/null)" != "$sum" ]]; then',
      `    ${put}`,
      '    echo "$sum" > "$pushed_file"',
      '    echo "gave $tenant its log credential"',
      '  fi',
      'done < "$tmp/secrets"',
      `if ! cmp -s "$tmp/map" ${LOG_GATEWAY.tenantsMap}; then`,
      `  install -m 0640 -g www-data "$tmp/map" ${LOG_GATEWAY.tenantsMap}`,
      '  systemctl try-reload-or-restart nginx.service',
      '  echo "the log gateway admits $(wc -l < "$tmp/map") host(s)"',
      'fi',
      '# Grafana queries every tenant at once.',
      `paste -sd '|' "$tmp/tenants" > "$tmp/grafana"`,
      `if ! cmp -s "$tmp/grafana" ${LOG_GATEWAY.grafanaTenants}; then`,
      `  install -m 0640 -g grafana "$tmp/grafana" ${LOG_GATEWAY.grafanaTenants}`,
      '  systemctl try-restart grafana-server.service',
      'fi',
    ],
  });
}

/** The monitoring host's share: the gateway, the tenants timer, and the first-boot TLS material. */
export function provisionLogGateway(s: LogGatewaySettings): HostProvisioning {
  const h = new HostProvisioning();
  h.addPackages('nginx');
  h.denyInstanceMetadata('nginx.service');
  h.allowInstanceMetadata('gohost-log-tenants.service', 'gives the watched hosts their log credentials (Secrets Manager)');
  h.addFile({ path: LOG_GATEWAY.conf, permissions: '0644', defer: true, content: logGatewayNginxConfig(s) });
  // Deferred, like the front door's: present while nginx installs, it would fail the package's own start.
  h.addFile({ path: LOG_GATEWAY.dropIn, permissions: '0644', defer: true, content: logGatewayDropIn() });
  h.addFile({ path: LOG_GATEWAY.tenantsScript, permissions: '0755', content: logTenantsScript(s) });
  h.addFile({
    path: '/etc/systemd/system/gohost-log-tenants.service',
    permissions: '0644',
    content: renderSystemdUnit({
      unit: { Description: 'Give the watched hosts their log credentials', Wants: ['network-online.target'], After: ['network-online.target', 'nginx.service'] },
      service: { Type: 'oneshot', ExecStart: [LOG_GATEWAY.tenantsScript] },
    }),
  });
  h.addFile({
    path: '/etc/systemd/system/gohost-log-tenants.timer',
    permissions: '0644',
    content: renderSystemdUnit({
      unit: { Description: 'Give hosts added to the stack their log credentials' },
      timer: { OnBootSec: '30s', OnUnitActiveSec: '2min' },
      install: { WantedBy: ['timers.target'] },
    }),
  });
  h.addStep('services', {
    name: 'log gateway',
    lines: [
      ...gatewayTlsLines(),
      'systemctl daemon-reload',
      'systemctl enable nginx.service',
      'systemctl restart nginx.service',
      '# In the background: Secrets Manager may be slow; the timer tries again every two minutes.',
      'systemctl enable gohost-log-tenants.timer',
      'systemctl start --no-block gohost-log-tenants.service gohost-log-tenants.timer',
    ],
  });
  return h;
}

/**
 * A watched host's timer: reads its own secret (its role may read exactly it) and gives Alloy the
 * token and the gateway's certificate; nothing until the monitoring host has written them.
 */
export function logCredentialScript(secretArn: string): string {
  const dir = LOG_GATEWAY.credentialDir;
  const get = awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.GetSecretValue', JSON.stringify({ SecretId: secretArn }),
    `--no-fail -o "$tmp/response" -w '%{http_code}'`);
  return renderBashScript({
    description: ['This host\'s log credential (cdktf-gohost): the token and the log gateway\'s certificate, for Alloy.'],
    body: [
      'umask 077',
      ...awsRoleShellFunctions(),
      'tmp=$(mktemp -d)',
      'trap \'rm -rf "$tmp"\' EXIT',
      `status=$(${get})`,
      'if [[ "$status" != 200 ]]; then',
      '  if grep -q ResourceNotFoundException "$tmp/response"; then echo "no log credential yet (the monitoring host writes it)"; exit 0; fi',
      '  echo "Secrets Manager answered HTTP $status: $(head -c 300 "$tmp/response")" >&2',
      '  exit 1',
      'fi',
      'json_field SecretString < "$tmp/response" > "$tmp/secret"',
      'json_field token < "$tmp/secret" > "$tmp/token"',
      'json_field ca < "$tmp/secret" > "$tmp/ca.pem"',
      'openssl x509 -noout -in "$tmp/ca.pem"',
      `install -d -m 0755 ${dir.replace(/\/loki$/, '')}`,
      `install -d -m 0750 -g alloy ${dir}`,
      `if cmp -s "$tmp/token" ${dir}/token && cmp -s "$tmp/ca.pem" ${dir}/ca.pem; then exit 0; fi`,
      `install -m 0640 -g alloy "$tmp/token" ${dir}/token`,
      `install -m 0644 "$tmp/ca.pem" ${dir}/ca.pem`,
      'systemctl try-restart alloy.service',
      'echo "log credential updated"',
    ],
  });
}

/** A watched host's share: the credential script and its timer (first run at boot). */
export function provisionLogCredential(secretArn: string): HostProvisioning {
  const h = new HostProvisioning();
  h.allowInstanceMetadata('gohost-log-credential.service', 'reads this host\'s log credential (Secrets Manager)');
  h.addFile({ path: LOG_GATEWAY.credentialScript, permissions: '0755', content: logCredentialScript(secretArn) });
  h.addFile({
    path: '/etc/systemd/system/gohost-log-credential.service',
    permissions: '0644',
    content: renderSystemdUnit({
      unit: { Description: "Read this host's log credential", Wants: ['network-online.target'], After: ['network-online.target'] },
      service: { Type: 'oneshot', ExecStart: [LOG_GATEWAY.credentialScript] },
    }),
  });
  h.addFile({
    path: '/etc/systemd/system/gohost-log-credential.timer',
    permissions: '0644',
    content: renderSystemdUnit({
      unit: { Description: "Read this host's log credential until it exists, and when it changes" },
      timer: { OnBootSec: '10s', OnUnitActiveSec: '5min' },
      install: { WantedBy: ['timers.target'] },
    }),
  });
  h.addStep('services', {
    name: 'log credential',
    lines: ['systemctl daemon-reload', 'systemctl enable --now gohost-log-credential.timer'],
  });
  return h;
}
