/**
 * The Go service's secrets on the host: a root unit fetches each one with the instance role
 * (SigV4, no AWS CLI) into a root-only directory under /run, the service's unit loads them as
 * systemd credentials ($CREDENTIALS_DIRECTORY, readable by the service alone), and a timer
 * fetches them again and restarts the service when one changed. Values never reach user data,
 * Terraform state or the journal. Pure: no cdktf imports.
 */
import { awsJsonCall, awsRoleShellFunctions } from '../host/aws-shell';
import { PropChecks } from '../input/prop-checks';
import { environmentNameProblem } from '../input/validators';
import { renderBashScript, shq } from '../render/shell';
import { renderSystemdUnit } from '../render/systemd';
import { ServiceSecret } from './service-secret';

/** One secret as the host's text needs it: the ID bound for a bash word. */
export interface SecretSetting {
  /** The credential's name: `$CREDENTIALS_DIRECTORY/<name>`. */
  readonly name: string;
  readonly kind: 'secretsmanager' | 'ssm';
  readonly id: string;
  readonly jsonField?: string;
  readonly environmentVariable?: string;
}

export interface ServiceSecretsSettings {
  readonly serviceName: string;
  readonly secrets: readonly SecretSetting[];
  /** Minutes between fetches that restart the service on a change; 0: fetched at start only. */
  readonly refreshIntervalMin: number;
}

export function secretPaths(serviceName: string) {
  return {
    dir: `/run/gohost-secrets/${serviceName}`,
    environmentFile: `/run/gohost-secrets/${serviceName}/.environment`,
    script: `/usr/local/lib/${serviceName}/fetch-secrets`,
    unit: `${serviceName}-secrets.service`,
    refreshUnit: `${serviceName}-secrets-refresh.service`,
    refreshTimer: `${serviceName}-secrets-refresh.timer`,
  };
}

const CREDENTIAL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const SECRET_ID = /^[A-Za-z0-9/_+=.@:-]+$/;
const PARAMETER_ID = /^[A-Za-z0-9_./:-]+$/;
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;

/** Checks `secrets` and `secretsRefreshIntervalMin` (references are checked at plan by the host). */
export function checkServiceSecrets(
  secrets: Readonly<Record<string, ServiceSecret>> | undefined,
  refreshIntervalMin: number,
  takenEnvironment: readonly string[],
  isToken: (v: unknown) => boolean,
  c: PropChecks,
): void {
  if (!(Number.isInteger(refreshIntervalMin) && (refreshIntervalMin === 0 || (refreshIntervalMin >= 5 && refreshIntervalMin <= 1440)))) {
    c.fail('secretsRefreshIntervalMin', refreshIntervalMin, 'is not 0 (never) or a whole number of minutes from 5 to 1440', 'use e.g. 15');
  }
  if (secrets === undefined) return;
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    c.fail('secrets', secrets, 'is not an object of name → ServiceSecret', 'pass e.g. { db_password: ServiceSecret.fromSecretsManager("prod/db", { jsonField: "password" }) }');
    return;
  }
  const envSeen = new Set(takenEnvironment);
  for (const [name, s] of Object.entries(secrets)) {
    const prop = `secrets.${name}`;
    if (!CREDENTIAL_NAME.test(name)) c.fail(prop, name, 'is not a credential name (letters, digits, _ . -, at most 64, not starting with . or -)', 'name it like "db_password"');
    if (!(s instanceof ServiceSecret)) {
      c.fail(prop, s, 'is not a ServiceSecret', 'use ServiceSecret.fromSecretsManager(…) or ServiceSecret.fromSsmParameter(…)');
      continue;
    }
    const known = (v: unknown): v is string => typeof v === 'string' && !isToken(v);
    if (typeof s.id !== 'string' || s.id === '') c.fail(`${prop}.id`, s.id, 'is required', 'pass the secret\'s name or ARN');
    else if (known(s.id) && /[*?]/.test(s.id)) c.fail(`${prop}.id`, s.id, 'has an IAM wildcard (* or ?): the role would read every matching secret of the account', 'name the one secret or parameter');
    else if (known(s.id) && !(s.kind === 'secretsmanager' ? SECRET_ID : PARAMETER_ID).test(s.id)) {
      c.fail(`${prop}.id`, s.id, `is not a ${s.kind === 'secretsmanager' ? 'Secrets Manager secret name or ARN' : 'parameter name or ARN'}`, 'pass e.g. "prod/orders/db" or its ARN');
    } else if (known(s.id) && s.id.startsWith('arn:') && !new RegExp(`^arn:aws[a-z-]*:${s.kind}:[a-z0-9-]+:[0-9]{12}:${s.kind === 'ssm' ? 'parameter/' : 'secret:'}`).test(s.id)) {
      c.fail(`${prop}.id`, s.id, `is not the ARN of a ${s.kind === 'ssm' ? 'parameter' : 'secret'}`, 'pass the ARN the console shows, or the name');
    }
    if (s.jsonField !== undefined && (!known(s.jsonField) || s.jsonField === '' || /[\u0000-\u001f\u007f]/.test(s.jsonField))) {
      c.fail(`${prop}.jsonField`, s.jsonField, 'must be a literal field name without control characters', 'name the field, e.g. "password"');
    }
    if (s.kmsKeyArn !== undefined && known(s.kmsKeyArn) && !KMS_ARN.test(s.kmsKeyArn)) {
      c.fail(`${prop}.kmsKeyArn`, s.kmsKeyArn, 'is not the ARN of one KMS key (no wildcard)', "give the key's ARN");
    }
    const env = s.environmentVariable;
    if (env !== undefined) {
      const nameProblem = known(env) ? environmentNameProblem(env) : { problem: 'is not an environment variable name', fix: 'use letters, digits and _, e.g. "DB_PASSWORD"' };
      if (known(env) && envSeen.has(env)) c.fail(`${prop}.environmentVariable`, env, 'is already set (by environment, the library or another secret)', 'choose another name');
      else if (nameProblem) c.fail(`${prop}.environmentVariable`, env, nameProblem.problem, nameProblem.fix);
      else envSeen.add(env);
    }
  }
}

const PYTHON_JSON_BODY = (key: string, extra = '') => `python3 -c 'import json, sys; print(json.dumps({"${key}": sys.argv[1]${extra}}))' "$id"`;

/** The value of one response, as the file the service reads: a JSON field, a binary secret, or the string. */
const EXTRACT = [
  'import base64, json, sys',
  'kind, field, response, target, name = sys.argv[1:6]',
  'r = json.load(open(response))',
  'if kind == "ssm":',
  '    value = r["Parameter"]["Value"].encode()',
  'elif "SecretString" in r:',
  '    value = r["SecretString"].encode()',
  'else:',
  '    value = base64.b64decode(r["SecretBinary"])',
  'if field:',
  '    try:',
  '        doc = json.loads(value)',
  '    except ValueError:',
  '        sys.exit(f"secret {name}: the value is not JSON, so it has no field {field!r}")',
  '    if not isinstance(doc, dict) or field not in doc:',
  '        sys.exit(f"secret {name}: its JSON has no field {field!r}")',
  '    value = (doc[field] if isinstance(doc[field], str) else json.dumps(doc[field])).encode()',
  'open(target, "wb").write(value)',
];

/** systemd EnvironmentFile lines for the secrets opted into the environment: double-quoted, its escapes applied. */
const ENVIRONMENT = [
  'import sys',
  'out = []',
  'for pair in sys.argv[2:]:',
  '    name, var = pair.split("=", 1)',
  '    value = open(f"{sys.argv[1]}/{name}", encoding="utf-8", errors="strict").read()',
  '    if any(ch in value for ch in "\\n\\r\\0"):',
  '        sys.exit(f"secret {name}: holds a line break or NUL, which an environment variable cannot carry; read it from $CREDENTIALS_DIRECTORY/{name}")',
  '    escaped = "".join("\\\\" + ch if ch in "\\"\\\\`$" else ch for ch in value)',
  '    out.append(f\'{var}="{escaped}"\\n\')',
  'open(f"{sys.argv[1]}/.environment", "w").write("".join(out))',
];

/** The root script that fetches every secret (`start`) or fetches and restarts on a change (`refresh`). */
export function fetchSecretsScript(s: ServiceSecretsSettings): string {
  const p = secretPaths(s.serviceName);
  const envPairs = s.secrets.filter((x) => x.environmentVariable).map((x) => `${x.name}=${x.environmentVariable}`);
  const files = [...s.secrets.map((x) => x.name), ...(envPairs.length ? ['.environment'] : [])];
  const response = `--no-fail -o "$tmp/$name.response" -w '%{http_code}'`;
  return renderBashScript({
    description: [
      `${s.serviceName}'s secrets (cdktf-gohost): each fetched with the instance role into ${p.dir} (root only),`,
      'loaded by the service as systemd credentials. `refresh`: fetch again and restart the service if one changed.',
      'Values never go to stdout, stderr or the journal: only names and errors.',
    ],
    body: [
      'umask 077',
      'mode=${1:-start}',
      `dir=${p.dir}`,
      ...awsRoleShellFunctions(),
      'fail() { echo "$*" >&2; exit 1; }',
      'install -d -m 0700 /run/gohost-secrets',
      'tmp=$(mktemp -d /run/gohost-secrets/.fetch.XXXXXX)',
      'trap \'rm -rf "$tmp"\' EXIT',
      '# fetch NAME KIND ID [JSON-FIELD]: the value into $tmp/NAME.',
      'fetch() {',
      '  local name=$1 kind=$2 id=$3 field=${4:-} status body',
      '  # A secret named by ARN may live in another region.',
      '  local region=$region',
      '  if [[ $id == arn:* ]]; then region=$(cut -d: -f4 <<<"$id"); fi',
      '  if [[ $kind == secretsmanager ]]; then',
      `    body=$(${PYTHON_JSON_BODY('SecretId')})`,
      `    status=$(${awsJsonCall('secretsmanager', 'secretsmanager', 'secretsmanager.GetSecretValue', { shellWord: '"$body"' }, response)}) || status=000`,
      '  else',
      `    body=$(${PYTHON_JSON_BODY('Name', ', "WithDecryption": True')})`,
      `    status=$(${awsJsonCall('ssm', 'ssm', 'AmazonSSM.GetParameter', { shellWord: '"$body"' }, response)}) || status=000`,
      '  fi',
      '  if [[ $status != 200 ]]; then',
      '    fail "cannot read secret $name ($id): HTTP $status $(python3 -c \'import json, sys; r = json.load(sys.stdin); print(r.get("__type", ""), r.get("message", r.get("Message", "")))\' < "$tmp/$name.response" 2>/dev/null || true)"',
      '  fi',
      '  python3 - "$kind" "$field" "$tmp/$name.response" "$tmp/$name" "$name" <<\'PY\' || exit 1',
      ...EXTRACT,
      'PY',
      '  rm -f "$tmp/$name.response"',
      '}',
      ...s.secrets.map((x) => `fetch ${shq(x.name)} ${x.kind} ${x.id}${x.jsonField !== undefined ? ` ${shq(x.jsonField)}` : ''}`),
      ...(envPairs.length
        ? ['python3 - "$tmp" ' + envPairs.map(shq).join(' ') + ' <<\'PY\' || exit 1', ...ENVIRONMENT, 'PY']
        : []),
      `files=(${files.map(shq).join(' ')})`,
      'changed=0',
      'for f in "${files[@]}"; do cmp -s "$tmp/$f" "$dir/$f" || changed=1; done',
      'if [[ $mode == refresh && $changed -eq 0 ]]; then exit 0; fi',
      'install -d -m 0700 "$dir"',
      'for f in "${files[@]}"; do mv -f "$tmp/$f" "$dir/$f"; done',
      `echo "fetched ${s.secrets.length} secret(s) for ${s.serviceName}: ${s.secrets.map((x) => x.name).join(' ')}"`,
      'if [[ $mode != refresh ]]; then exit 0; fi',
      // A secret that could not be read at start held the service back: start it now that it can.
      `if systemctl is-failed -q ${p.unit}; then`,
      `  echo "its secrets can be read now: starting ${s.serviceName}"`,
      `  systemctl restart ${p.unit} ${s.serviceName}.service`,
      'else',
      `  echo "a secret changed: restarting ${s.serviceName}"`,
      `  systemctl try-restart ${s.serviceName}.service`,
      'fi',
    ],
  });
}

/** The fetch unit (the service requires it), and the refresh service and timer. */
export function secretUnits(s: ServiceSecretsSettings): Array<{ path: string; content: string }> {
  const p = secretPaths(s.serviceName);
  const units = [
    {
      path: `/etc/systemd/system/${p.unit}`,
      content: renderSystemdUnit({
        header: [`${s.serviceName}'s secrets, fetched before it starts (cdktf-gohost). Root, with the instance role.`],
        unit: { Description: `Fetch ${s.serviceName}'s secrets`, Wants: ['network-online.target'], After: ['network-online.target'] },
        service: { Type: 'oneshot', RemainAfterExit: true, ExecStart: [`${p.script} start`] },
      }),
    },
  ];
  if (s.refreshIntervalMin === 0) return units;
  return [
    ...units,
    {
      path: `/etc/systemd/system/${p.refreshUnit}`,
      content: renderSystemdUnit({
        unit: { Description: `Fetch ${s.serviceName}'s secrets again; restart it if one changed`, After: [p.unit] },
        service: { Type: 'oneshot', ExecStart: [`${p.script} refresh`] },
      }),
    },
    {
      path: `/etc/systemd/system/${p.refreshTimer}`,
      content: renderSystemdUnit({
        unit: { Description: `Fetch ${s.serviceName}'s secrets every ${s.refreshIntervalMin} min` },
        // Spread over the interval, so a group's instances do not all restart at once after a rotation.
        timer: { OnBootSec: `${s.refreshIntervalMin}min`, OnUnitActiveSec: `${s.refreshIntervalMin}min`, RandomizedDelaySec: `${s.refreshIntervalMin}min` },
        install: { WantedBy: ['timers.target'] },
      }),
    },
  ];
}
