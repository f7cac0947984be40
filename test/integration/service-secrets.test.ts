/**
 * The Go service's secrets, fetched for real in a private root: the generated fetch script against
 * a stand-in Secrets Manager and SSM (SigV4 required) and IMDSv2. The values land in root-only
 * files the unit loads as credentials, a JSON field is picked, an opted-in variable is written for
 * EnvironmentFile with systemd's escapes, nothing of a value reaches stdout or stderr, a secret
 * that cannot be read fails with its name and AWS's reason, and a refresh restarts the service
 * only when a value changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HardenedGoHost, ReleaseArtifact, ServiceSecret } from '../../lib';
import { hostFiles } from '../helpers/host-files';
import { baseProps, newStack, synthJson } from '../helpers/stacks';
import { inPrivateRoot, launchFakeAws, standInAwsTls, startFakeAws } from '../helpers/namespaces';
import { requireTool, tempDir } from '../helpers/tools';

const PASSWORD = 'p@ss "word" $HOME `id` \\ 100%';
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`;
let R: string;
const AWS_HOSTS = ['secretsmanager.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com', 'secretsmanager.us-east-1.amazonaws.com'];

function fetchScript(secrets: Record<string, ServiceSecret>): string {
  const { stack } = newStack();
  new HardenedGoHost(stack, 'Api', { ...baseProps, artifact: ReleaseArtifact.fromUrl('https://releases.example.com/orders-api', 'a'.repeat(64)), secrets });
  const tf = synthJson(stack);
  return hostFiles(Object.values<any>(tf.data.cloudinit_config)[0].part).file('/usr/local/lib/orders-api/fetch-secrets');
}

beforeAll(() => {
  for (const t of ['openssl', 'curl', 'unshare', 'python3']) requireTool(t);
  const W = tempDir('secrets');
  const o = (f: string) => path.join(W, f);
  standInAwsTls(W, AWS_HOSTS);
  fs.writeFileSync(o('secrets.json'), JSON.stringify([
    { ARN: arn('prod/orders/db'), Name: 'prod/orders/db', SecretString: JSON.stringify({ username: 'orders', password: PASSWORD, port: 5432 }) },
    { ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:shared/stripe-XyZ123', Name: 'shared/stripe', SecretString: 'sk_live_from_another_region' },
    { Parameter: '/orders/api-key', Type: 'SecureString', SecretString: 'api-key-value' },
    { Deny: 'prod/forbidden' },
  ]));
  const good = fetchScript({
    db_password: ServiceSecret.fromSecretsManager('prod/orders/db', { jsonField: 'password', environmentVariable: 'DB_PASSWORD' }),
    db_port: ServiceSecret.fromSecretsManager(arn('prod/orders/db'), { jsonField: 'port' }),
    stripe: ServiceSecret.fromSecretsManager('arn:aws:secretsmanager:us-east-1:111122223333:secret:shared/stripe-XyZ123'),
    api_key: ServiceSecret.fromSsmParameter('/orders/api-key'),
  });
  fs.writeFileSync(o('fetch-good'), good, { mode: 0o755 });
  fs.writeFileSync(o('fetch-denied'), fetchScript({ other: ServiceSecret.fromSecretsManager('prod/forbidden') }), { mode: 0o755 });
  fs.writeFileSync(o('fetch-missing'), fetchScript({ other: ServiceSecret.fromSsmParameter('/orders/nope') }), { mode: 0o755 });
  fs.writeFileSync(o('fetch-nofield'), fetchScript({ other: ServiceSecret.fromSecretsManager('prod/orders/db', { jsonField: 'token' }) }), { mode: 0o755 });
  // systemctl as the fetch script calls it: recorded, with the state a test sets.
  fs.mkdirSync(o('bin'));
  fs.writeFileSync(o('bin/systemctl'), `#!/bin/bash\necho "$*" >> ${W}/results/systemctl.log\n[[ $1 == is-failed ]] && exit 1\nexit 0\n`, { mode: 0o755 });

  const script = `set +e
W=${W} R=${W}/results
mkdir -p "$R"
export PATH="$W/bin:$PATH"
${startFakeAws(W, AWS_HOSTS, `${W}/secrets.json`, `${W}/results/calls.log`)}
D=/run/gohost-secrets/orders-api
"$W/fetch-good" start > "$R/start.out" 2> "$R/start.err"; echo $? > "$R/start.exit"
stat -c '%a %U' /run/gohost-secrets "$D" "$D/db_password" "$D/.environment" > "$R/modes"
for f in db_password db_port stripe api_key .environment; do cp "$D/$f" "$R/value.$f"; done
"$W/fetch-good" refresh > "$R/same.out" 2>&1; echo $? > "$R/same.exit"
cp "$R/systemctl.log" "$R/systemctl.same" 2>/dev/null || : > "$R/systemctl.same"
python3 - "$W/secrets.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s[2]["SecretString"] = "rotated-api-key"; json.dump(s, open(sys.argv[1], "w"))
PY
# The stand-in reads its secrets at start: start it again with the rotated value.
kill "$fake_aws"; wait "$fake_aws" 2>/dev/null
${launchFakeAws(W, `${W}/secrets.json`, `${W}/results/calls.log`)}
sleep 0.3
"$W/fetch-good" refresh > "$R/rotated.out" 2>&1; echo $? > "$R/rotated.exit"
cp "$D/api_key" "$R/value.rotated"
for c in denied missing nofield; do "$W/fetch-$c" start > "$R/$c.out" 2>&1; echo $? > "$R/$c.exit"; done
kill "$fake_aws"
echo done > "$R/finished"`;
  const r = inPrivateRoot(script);
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`secrets run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
});

const read = (f: string) => fs.readFileSync(path.join(R, f), 'utf8');

describe('the fetch script (private root, stand-in Secrets Manager, SSM and IMDSv2)', () => {
  it('fetches every secret into root-only files: a JSON field, a number field, another region by ARN, an SSM SecureString', () => {
    expect(read('start.exit').trim()).toBe('0');
    expect(read('value.db_password')).toBe(PASSWORD);
    expect(read('value.db_port')).toBe('5432');
    expect(read('value.stripe')).toBe('sk_live_from_another_region');
    expect(read('value.api_key')).toBe('api-key-value');
    expect(read('modes').trim().split('\n')).toEqual(['700 root', '700 root', '600 root', '600 root']);
    const calls = read('calls.log').trim().split('\n').map((l) => JSON.parse(l));
    expect(calls.slice(0, 4).map((c) => [c.target, c.status])).toEqual([
      ['secretsmanager.GetSecretValue', 200], ['secretsmanager.GetSecretValue', 200], ['secretsmanager.GetSecretValue', 200], ['AmazonSSM.GetParameter', 200],
    ]);
    expect(calls[3].body).toEqual({ Name: '/orders/api-key', WithDecryption: true });
  });

  it('writes the opted-in variable with the EnvironmentFile escapes (", \\, `, $) and nothing else', () => {
    expect(read('value..environment')).toBe('DB_PASSWORD="p@ss \\"word\\" \\$HOME \\`id\\` \\\\ 100%"\n');
  });

  it('prints names, never a value', () => {
    expect(read('start.out')).toBe('fetched 4 secret(s) for orders-api: db_password db_port stripe api_key\n');
    expect(read('start.err')).toBe('');
    for (const f of ['start.out', 'same.out', 'rotated.out', 'denied.out', 'missing.out', 'nofield.out']) {
      for (const v of [PASSWORD, 'api-key-value', 'rotated-api-key', 'sk_live_from_another_region']) expect(read(f)).not.toContain(v);
    }
  });

  it('a refresh with nothing changed touches nothing; after a rotation it replaces the value and restarts the service', () => {
    expect(read('same.exit').trim()).toBe('0');
    expect(read('same.out')).toBe('');
    expect(read('systemctl.same')).toBe('');
    expect(read('rotated.exit').trim()).toBe('0');
    expect(read('rotated.out')).toContain('a secret changed: restarting orders-api');
    expect(read('value.rotated')).toBe('rotated-api-key');
    expect(read('systemctl.log').trim().split('\n')).toEqual(['is-failed -q orders-api-secrets.service', 'try-restart orders-api.service']);
  });

  it.each([
    ['denied', 'cannot read secret other (prod/forbidden): HTTP 400 AccessDeniedException not authorized to perform secretsmanager:GetSecretValue'],
    ['missing', 'cannot read secret other (/orders/nope): HTTP 400 ParameterNotFound'],
    ['nofield', "secret other: its JSON has no field 'token'"],
  ])('a secret it cannot read (%s) fails the fetch, naming it and the reason', (c, message) => {
    expect(read(`${c}.exit`).trim()).toBe('1');
    expect(read(`${c}.out`)).toContain(message);
  });
});
