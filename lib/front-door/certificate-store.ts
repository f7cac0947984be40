/**
 * Let's Encrypt with any number of front doors: the scripts that obtain, keep, restore and renew
 * one certificate for the whole fleet. Pure: no cdktf imports.
 *
 * - One ACME account for the fleet, kept in the certificate store (its own version stage). Every
 *   front door answers every HTTP-01 challenge of that account without knowing the token
 *   (RFC 8555 §8.3: the answer is `token.thumbprint`), so validation succeeds whichever front door
 *   the load balancer sends it to.
 * - One order at a time: a front door orders only while it holds the order lock, a Secrets
 *   Manager version whose ClientRequestToken names the hour and the certificate it replaces (a
 *   second writer with another value is refused: versions cannot change).
 * - Every front door restores the stored certificate when it is newer than its own (at boot before
 *   nginx starts, and daily), so a renewal made by one reaches all, and none orders while the
 *   stored certificate is fresh.
 */
import { awsJsonCall, awsRoleShellFunctions, IMDS_TOKEN_LINE } from '../host/aws-shell';
import { renderBashScript, shq } from '../render/shell';
import { NGINX } from './nginx-paths';

/** The version stages of the certificate store besides AWSCURRENT (the certificate and key). */
export const STORE_STAGES = { account: 'GOHOST_ACME_ACCOUNT', orderLock: 'GOHOST_ACME_ORDER_LOCK' } as const;

export interface AcmeSettings {
  readonly domainNames: readonly string[];
  readonly email: string;
  readonly staging: boolean;
  /** ARN of the Secrets Manager secret the certificate, key and ACME account are kept in. */
  readonly store?: string;
}

/** Bash: `live_certificate_fresh` is true for a real certificate naming every domain with more than a third of its lifetime left. */
function liveCertificateFresh(): string[] {
  return [
    'live_certificate_fresh() {',
    `  local cert d not_before not_after now`,
    `  cert=$(readlink -f ${NGINX.liveCert})`,
    `  [[ -s "$cert" && "$cert" != "$(readlink -f ${NGINX.placeholderCert})" ]] || return 1`,
    '  for d in "${domains[@]}"; do',
    '    openssl x509 -noout -checkhost "$d" -in "$cert" | grep -q "does match" || return 1',
    '  done',
    '  not_before=$(date -d "$(openssl x509 -noout -startdate -in "$cert" | cut -d = -f 2)" +%s)',
    '  not_after=$(date -d "$(openssl x509 -noout -enddate -in "$cert" | cut -d = -f 2)" +%s)',
    '  now=$(date +%s)',
    '  (( (not_after - now) * 3 > not_after - not_before ))',
    '}',
  ];
}

/**
 * Bash: `store_put_version TOKEN STAGE VALUE-FILE` writes the file's text as the store's version
 * TOKEN under STAGE (a version cannot change: another value under a taken token is refused);
 * prints the HTTP status, the response in $tmp/put-response. A file, so no key is ever an argument.
 */
function storePutVersion(store: string): string[] {
  return [
    'store_put_version() {',
    `  python3 -c 'import json, sys; print(json.dumps({"SecretId": sys.argv[1], "ClientRequestToken": sys.argv[2], "VersionStages": [sys.argv[3]], "SecretString": open(sys.argv[4]).read().strip()}))' ${shq(store)} "$1" "$2" "$3" > "$tmp/put"`,
    `  ${awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.PutSecretValue', { shellWord: '"@$tmp/put"' }, `--no-fail -o "$tmp/put-response" -w '%{http_code}'`)}`,
    '}',
  ];
}

/**
 * Makes this front door use the fleet's one ACME account and answer its challenges. `--restore-only`
 * (at boot, before nginx serves) installs a stored account and never calls the ACME server;
 * without it (before every order) a front door with no stored account registers one and stores
 * it with a fixed version token: the first to store wins, the others adopt the winner's.
 */
export function acmeAccountScript(a: AcmeSettings & { readonly store: string }): string {
  // 32–64 characters, and per ACME server so switching to staging does not reuse a production account.
  const token = `gohost-shared-acme-account-v1-${a.staging ? 'staging' : 'production'}`;
  const get = awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.GetSecretValue',
    JSON.stringify({ SecretId: a.store, VersionStage: STORE_STAGES.account }), `--no-fail -o "$tmp/response" -w '%{http_code}'`);
  return renderBashScript({
    description: [
      "Makes this front door use the fleet's one ACME account (kept in the certificate store) and answer",
      'its HTTP-01 challenges statelessly, so a validation may reach any front door.',
      'Usage: acme-account [--restore-only]',
    ],
    body: [
      'umask 077',
      'restore_only=false; [[ "${1:-}" == --restore-only ]] && restore_only=true',
      'accounts=/etc/letsencrypt/accounts',
      ...awsRoleShellFunctions(),
      'tmp=$(mktemp -d)',
      'trap \'rm -rf "$tmp"\' EXIT',
      ...storePutVersion(a.store),
      '# stored_account: the stored account as pack prints it ({"acmeAccount": {path: content}}) in $tmp/stored; false when none is stored.',
      'stored_account() {',
      '  local status',
      `  status=$(${get})`,
      '  if [[ "$status" == 200 ]]; then',
      '    json_field SecretString < "$tmp/response" |',
      '      python3 -c \'import json, sys; v = json.load(sys.stdin); sys.exit(1) if "acmeAccount" not in v else print(json.dumps({"acmeAccount": v["acmeAccount"]}, sort_keys=True))\' > "$tmp/stored"',
      '    return',
      '  fi',
      '  grep -q ResourceNotFoundException "$tmp/response" && return 1',
      '  echo "Secrets Manager answered HTTP $status: $(head -c 300 "$tmp/response")" >&2',
      '  exit 1',
      '}',
      'pack() {',
      "  python3 - \"$accounts\" <<'PY'",
      'import json, os, sys',
      'root, files = sys.argv[1], {}',
      'for d, _, names in os.walk(root):',
      '    for n in names:',
      '        p = os.path.join(d, n)',
      '        files[os.path.relpath(p, root)] = open(p).read()',
      'print(json.dumps({"acmeAccount": files}, sort_keys=True))',
      'PY',
      '}',
      '# unpack FILE: the stored account replaces any other (certbot asks which one when it finds two).',
      'unpack() {',
      "  python3 - \"$accounts\" \"$1\" <<'PY'",
      'import json, os, shutil, sys',
      'root, files = sys.argv[1], json.load(open(sys.argv[2]))["acmeAccount"]',
      'if any(os.path.isabs(p) or ".." in p.split("/") for p in files): sys.exit("refused a stored account path outside " + root)',
      'shutil.rmtree(root, ignore_errors=True)',
      'for p, content in files.items():',
      '    target = os.path.join(root, p)',
      '    os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)',
      '    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o400 if p.endswith("private_key.json") else 0o644), "w") as f: f.write(content)',
      'PY',
      '}',
      '# thumbprint: RFC 7638 of the one account key (the key authorization of a challenge is token.thumbprint).',
      'thumbprint() {',
      "  python3 - \"$accounts\" <<'PY'",
      'import base64, hashlib, json, os, sys',
      'keys = [os.path.join(d, "private_key.json") for d, _, names in os.walk(sys.argv[1]) if "private_key.json" in names]',
      'if len(keys) != 1: sys.exit(1)',
      'jwk = json.load(open(keys[0]))',
      'members = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x", "y")',
      'digest = hashlib.sha256(json.dumps({k: jwk[k] for k in members}, separators=(",", ":"), sort_keys=True).encode()).digest()',
      'print(base64.urlsafe_b64encode(digest).decode().rstrip("="))',
      'PY',
      '}',
      'if stored_account; then',
      '  if [[ "$(pack 2>/dev/null || true)" != "$(cat "$tmp/stored")" ]]; then',
      '    unpack "$tmp/stored"',
      '    echo "installed the fleet\'s ACME account from the certificate store"',
      '  fi',
      'elif [[ "$restore_only" == true ]]; then',
      '  echo "no ACME account stored yet"',
      '  exit 0',
      'else',
      '  if ! find "$accounts" -name private_key.json 2>/dev/null | grep -q .; then',
      `    certbot register --email ${shq(a.email)} --agree-tos --no-eff-email --non-interactive${a.staging ? ' --staging' : ''}`,
      '  fi',
      '  pack > "$tmp/mine"',
      `  status=$(store_put_version ${token} ${STORE_STAGES.account} "$tmp/mine")`,
      '  if [[ "$status" == 200 ]]; then',
      '    echo "stored this front door\'s ACME account for the fleet"',
      '  elif grep -q ResourceExistsException "$tmp/put-response" && stored_account; then',
      '    # Another front door stored its account first: the fleet uses that one.',
      '    unpack "$tmp/stored"',
      '    echo "adopted the ACME account another front door stored first"',
      '  else',
      '    echo "could not store the ACME account: HTTP $status $(head -c 300 "$tmp/put-response")" >&2',
      '    exit 1',
      '  fi',
      'fi',
      'answer="return 200 \\"\\$1.$(thumbprint)\\";"',
      `if [[ "$(cat ${NGINX.acmeChallenge} 2>/dev/null)" != "$answer" ]]; then`,
      `  printf '%s\\n' "$answer" > ${NGINX.acmeChallenge}.tmp`,
      `  chmod 0644 ${NGINX.acmeChallenge}.tmp`,
      `  mv ${NGINX.acmeChallenge}.tmp ${NGINX.acmeChallenge}`,
      '  if systemctl is-active --quiet nginx.service; then systemctl reload nginx.service; fi',
      '  echo "nginx answers every challenge of the fleet\'s ACME account"',
      'fi',
    ],
  });
}

export function obtainCertificateScript(a: AcmeSettings): string {
  const domainArgs = a.domainNames.map((d) => `-d ${shq(d)}`).join(' ');
  const store = a.store;
  return renderBashScript({
    description: [
      "Obtains or renews the Let's Encrypt certificate once DNS points here, backing off between attempts",
      '(failed validations count against a rate limit of 5 per hour, so none is tried before DNS is right).',
      ...(store ? ['With several front doors: the stored certificate first, then one order at a time (the hour\'s lock).'] : []),
    ],
    body: [
      `domains=(${a.domainNames.map(shq).join(' ')})`,
      ...liveCertificateFresh(),
      ...(store
        ? [
          ...awsRoleShellFunctions(),
          'tmp=$(mktemp -d)',
          'trap \'rm -rf "$tmp"\' EXIT',
          ...storePutVersion(store),
          '# One id per instance, so a retry within the hour holds the lock it took (a version with the same value).',
          'install -d -m 0700 /var/lib/gohost',
          '[[ -s /var/lib/gohost/acme-lock-holder ]] || echo "$(imds meta-data/instance-id || echo instance)-$(cat /proc/sys/kernel/random/uuid)" > /var/lib/gohost/acme-lock-holder',
          'holder=$(cat /var/lib/gohost/acme-lock-holder)',
          '# The lock is the right to replace the live certificate (every front door restored the same) this hour.',
          'take_order_lock() {',
          '  local hour status current=none cert',
          '  hour=$(date -u +%Y%m%d%H)',
          `  cert=$(readlink -f ${NGINX.liveCert})`,
          `  if [[ -s "$cert" && "$cert" != "$(readlink -f ${NGINX.placeholderCert})" ]]; then`,
          '    current=$(openssl x509 -noout -fingerprint -sha256 -in "$cert" | cut -d = -f 2 | tr -d : | tr A-F a-f | cut -c 1-16)',
          '  fi',
          `  printf '{"orderLock": {"holder": "%s", "replaces": "%s"}}' "$holder" "$hour-$current" > "$tmp/lock"`,
          `  status=$(store_put_version "gohost-acme-order-lock-$hour-$current" ${STORE_STAGES.orderLock} "$tmp/lock")`,
          '  [[ "$status" == 200 ]] && return 0',
          '  grep -q ResourceExistsException "$tmp/put-response" && return 1',
          '  echo "could not take the order lock: HTTP $status $(head -c 300 "$tmp/put-response")" >&2',
          '  return 1',
          '}',
        ]
        : [IMDS_TOKEN_LINE]),
      '# No public IP (behind a load balancer): IMDS answers 404.',
      'public_ip=$(curl -fs -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/public-ipv4 || true)',
      'dns_points_here() {',
      '  # Without a public IP (behind a load balancer) there is nothing to compare: try.',
      '  [[ -z "$public_ip" ]] && return 0',
      '  local d',
      '  for d in "${domains[@]}"; do',
      '    getent ahostsv4 "$d" | awk \'{ print $1 }\' | grep -qxF "$public_ip" || return 1',
      '  done',
      '}',
      'delay=60',
      'attempt=0',
      'lock_waits=0',
      'while (( attempt < 12 )); do',
      ...(store
        ? ['  # A certificate another front door obtained or renewed goes live here first.',
          `  ${NGINX.restoreCertificate} --reload || true`]
        : []),
      '  if live_certificate_fresh; then',
      '    echo "the live certificate names ${domains[*]} and has more than a third of its lifetime left: nothing to do"',
      '    exit 0',
      '  fi',
      '  attempt=$((attempt + 1))',
      '  if ! dns_points_here; then',
      '    echo "attempt $attempt: ${domains[*]} does not resolve to $public_ip yet"',
      ...(store
        ? [
          `  elif ! ${NGINX.acmeAccount}; then`,
          '    echo "attempt $attempt: no ACME account shared by the fleet yet"',
          '  elif ! take_order_lock; then',
          '    # Waits for the holder\'s certificate (restored above on the next turn); a holder that died is replaced next hour.',
          '    attempt=$((attempt - 1)) lock_waits=$((lock_waits + 1))',
          '    (( lock_waits > 240 )) && { echo "another front door held the order lock for two hours" >&2; exit 1; }',
          '    echo "another front door holds the order lock for this certificate this hour: waiting for its certificate"',
          '    sleep 30',
          '    continue',
        ]
        : []),
      `  elif certbot certonly --webroot -w ${NGINX.acmeRoot} --cert-name gohost ${domainArgs} \\`,
      `      --email ${shq(a.email)} --agree-tos --non-interactive --keep-until-expiring${a.staging ? ' --staging' : ''}; then`,
      `    ln -sfn /etc/letsencrypt/live/gohost/fullchain.pem ${NGINX.liveCert}`,
      `    ln -sfn /etc/letsencrypt/live/gohost/privkey.pem ${NGINX.liveKey}`,
      `    ${NGINX.reloadCertificate}`,
      ...(store ? [`    ${NGINX.persistCertificate}`] : []),
      '    exit 0',
      '  fi',
      '  sleep "$delay"',
      '  delay=$((delay * 2 > 1800 ? 1800 : delay * 2))',
      'done',
      'echo "no certificate after 12 attempts; nginx keeps serving the placeholder" >&2',
      'exit 1',
    ],
  });
}

/**
 * Restores the certificate and key kept in Secrets Manager before nginx starts, so a replaced
 * front door serves its real certificate at once and does not ask Let's Encrypt again; daily, it
 * brings a certificate another front door renewed. Only a newer certificate than the live one goes live.
 */
export function restoreCertificateScript(store: string): string {
  const call = awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.GetSecretValue', JSON.stringify({ SecretId: store }),
    `--no-fail -o "$tmp/response" -w '%{http_code}'`);
  const notAfter = (file: string) => `date -d "$(openssl x509 -noout -enddate -in ${file} | cut -d = -f 2)" +%s`;
  return renderBashScript({
    description: [
      'Restores the certificate and key kept in Secrets Manager when newer than the live one (nothing stored yet is not an error).',
      'Usage: restore-certificate [--reload]  (--reload: nginx serves it at once; at boot nginx starts on it)',
    ],
    body: [
      'umask 077',
      ...awsRoleShellFunctions(),
      'tmp=$(mktemp -d)',
      'trap \'rm -rf "$tmp"\' EXIT',
      `status=$(${call})`,
      'if [[ "$status" != 200 ]]; then',
      '  if grep -q ResourceNotFoundException "$tmp/response"; then echo "no certificate stored yet"; exit 0; fi',
      '  echo "Secrets Manager answered HTTP $status: $(head -c 300 "$tmp/response")" >&2',
      '  exit 1',
      'fi',
      'json_field SecretString < "$tmp/response" > "$tmp/secret"',
      '# The store\'s first version may be the shared ACME account alone (it then carries AWSCURRENT too).',
      'if ! python3 -c \'import json, sys; sys.exit(0 if "certificate" in json.load(open(sys.argv[1])) else 1)\' "$tmp/secret"; then echo "no certificate stored yet"; exit 0; fi',
      'json_field certificate < "$tmp/secret" > "$tmp/cert"',
      'json_field privateKey < "$tmp/secret" > "$tmp/key"',
      '# Nothing goes live that nginx would refuse: every block of the chain, the chain itself, the key, then nginx -t.',
      'refuse() { echo "refused the stored certificate: $*; nginx keeps the placeholder until a new one is issued" >&2; exit 1; }',
      'awk -v dir="$tmp" \'/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (dir "/block" n ".pem") }\' "$tmp/cert"',
      'blocks=("$tmp"/block*.pem)',
      '[[ -e "${blocks[0]}" ]] || refuse "no certificate in it"',
      'for b in "${blocks[@]}"; do openssl x509 -noout -in "$b" 2>/dev/null || refuse "block $(basename "$b" .pem) of the chain does not parse"; done',
      'if (( ${#blocks[@]} > 1 )); then',
      '  cat "${blocks[@]:1}" > "$tmp/chain"',
      '  openssl verify -no-CAfile -no-CApath -partial_chain -trusted "$tmp/chain" "${blocks[0]}" >/dev/null 2>&1 || refuse "the chain does not sign the certificate"',
      'fi',
      '[[ "$(openssl x509 -noout -pubkey -in "$tmp/cert")" == "$(openssl pkey -pubout -in "$tmp/key" 2>/dev/null)" ]] || refuse "the key is not the certificate\'s"',
      `live=$(readlink -f ${NGINX.liveCert} || true)`,
      `if [[ -s "$live" && "$live" != "$(readlink -f ${NGINX.placeholderCert})" ]] && (( $(${notAfter('"${blocks[0]}"')}) <= $(${notAfter('"$live"')}) )); then`,
      '  echo "the live certificate is as new as the stored one: kept"',
      '  exit 0',
      'fi',
      `install -d -m 0750 ${NGINX.tlsDir}`,
      `install -m 0644 "$tmp/cert" ${NGINX.storedCert}`,
      `install -m 0600 "$tmp/key" ${NGINX.storedKey}`,
      `previous_cert=$(readlink ${NGINX.liveCert} || true) previous_key=$(readlink ${NGINX.liveKey} || true)`,
      `ln -sfn stored.crt ${NGINX.liveCert}`,
      `ln -sfn stored.key ${NGINX.liveKey}`,
      `if ! ${NGINX.precheck} 2>"$tmp/nginx-t"; then`,
      `  ln -sfn "\${previous_cert:-placeholder.crt}" ${NGINX.liveCert}`,
      `  ln -sfn "\${previous_key:-placeholder.key}" ${NGINX.liveKey}`,
      '  refuse "nginx -t fails with it: $(tr \'\\n\' \' \' < "$tmp/nginx-t")"',
      'fi',
      `if [[ "\${1:-}" == --reload ]]; then ${NGINX.reloadCertificate}; fi`,
      `echo "restored the stored certificate ($(openssl x509 -noout -enddate -in ${NGINX.storedCert}))"`,
    ],
  });
}

/** Keeps the live certificate and key in Secrets Manager, after issuance and after every renewal. */
export function persistCertificateScript(store: string): string {
  return renderBashScript({
    description: [
      'Stores the live certificate and key in Secrets Manager, where a replaced front door restores them.',
    ],
    body: [
      'umask 077',
      `cert=$(readlink -f ${NGINX.liveCert})`,
      `key=$(readlink -f ${NGINX.liveKey})`,
      `if [[ "$cert" == "$(readlink -f ${NGINX.placeholderCert})" ]]; then echo "the live certificate is the placeholder: nothing to store"; exit 0; fi`,
      ...awsRoleShellFunctions(),
      'tmp=$(mktemp -d)',
      'trap \'rm -rf "$tmp"\' EXIT',
      '# The key goes from file to request body without passing through a command line; a raw request names its version.',
      `python3 - ${shq(store)} "$cert" "$key" > "$tmp/body" <<'PY'`,
      'import json, sys, uuid',
      'secret, cert, key = sys.argv[1:]',
      'value = {"certificate": open(cert).read(), "privateKey": open(key).read()}',
      'print(json.dumps({"SecretId": secret, "ClientRequestToken": str(uuid.uuid4()), "SecretString": json.dumps(value)}))',
      'PY',
      'aws_curl secretsmanager -o /dev/null -H \'Content-Type: application/x-amz-json-1.1\' -H \'X-Amz-Target: secretsmanager.PutSecretValue\' --data-binary "@$tmp/body" "https://secretsmanager.$region.amazonaws.com/"',
      'echo "stored the certificate in Secrets Manager"',
    ],
  });
}
