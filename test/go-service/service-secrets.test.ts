/**
 * The Go service's `secrets`: what the host gets (units, the fetch script, credentials), the IAM
 * policy naming exactly those secrets, references checked at plan, bad input refused, and the
 * artifacts through their programs (systemd-analyze verify, shellcheck). The fetch itself runs in
 * test/integration/service-secrets.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { HardenedGoHost, HardenedGoHostProps, HardenedGoService, ServiceSecret } from '../../lib';
import { validationError } from '../helpers/errors';
import { hostFiles } from '../helpers/host-files';
import { baseProps, newStack, resourcesOf, synthJson } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

const KMS = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SECRETS = {
  db_password: ServiceSecret.fromSecretsManager('prod/orders/db', { jsonField: 'password', environmentVariable: 'DB_PASSWORD' }),
  stripe: ServiceSecret.fromSecretsManager('arn:aws:secretsmanager:eu-west-1:111122223333:secret:shared/stripe-XyZ123', { kmsKeyArn: KMS }),
  api_key: ServiceSecret.fromSsmParameter('/orders/api-key', { kmsKeyArn: KMS }),
};

function host(props: Partial<HardenedGoHostProps> = {}) {
  const { stack } = newStack();
  const h = new HardenedGoHost(stack, 'Api', { ...baseProps, secrets: SECRETS, ...props });
  const tf = synthJson(stack);
  return { h, tf, files: hostFiles(Object.values<any>(tf.data.cloudinit_config)[0].part) };
}
const policy = (tf: any, name: string) => JSON.parse(resourcesOf(tf, 'aws_iam_role_policy').find((p) => p.name === name)!.policy).Statement;
const directives = (unit: string, key: string) => unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

describe('secrets on a Go host', () => {
  const { h, tf, files } = host();
  const unit = files.file('/etc/systemd/system/orders-api.service');

  it('the service requires the fetch unit and loads each secret as a credential; only the opted-in one is in its environment', () => {
    expect(directives(unit, 'Requires')).toEqual(['orders-api-secrets.service']);
    expect(directives(unit, 'After')).toContain('orders-api-secrets.service');
    expect(directives(unit, 'LoadCredential')).toEqual([
      'db_password:/run/gohost-secrets/orders-api/db_password', 'stripe:/run/gohost-secrets/orders-api/stripe', 'api_key:/run/gohost-secrets/orders-api/api_key',
    ]);
    expect(directives(unit, 'EnvironmentFile')).toEqual(['/run/gohost-secrets/orders-api/.environment']);
    expect(unit).not.toMatch(/DB_PASSWORD|prod\/orders\/db/);
  });

  it('the fetch script is root-only; the fetch unit and the refresh timer keep the instance role (the service does not)', () => {
    expect(files.mode('/usr/local/lib/orders-api/fetch-secrets')).toBe(0o700);
    expect(files.file('/etc/systemd/system/orders-api-secrets.service')).toMatch(/Type=oneshot\nRemainAfterExit=yes\nExecStart=\/usr\/local\/lib\/orders-api\/fetch-secrets start/);
    expect(files.file('/etc/systemd/system/orders-api-secrets-refresh.timer')).toMatch(/OnUnitActiveSec=15min\nRandomizedDelaySec=15min/);
    expect(files.script).toContain('systemctl enable --now orders-api-secrets-refresh.timer');
    const access = h.provisioning().instanceMetadataAccess;
    expect(access.get('orders-api-secrets.service')).toMatchObject({ access: 'allowed' });
    expect(access.get('orders-api-secrets-refresh.service')).toMatchObject({ access: 'allowed' });
    expect(access.get('orders-api.service')).toMatchObject({ access: 'denied' });
    expect(directives(unit, 'IPAddressDeny')).toHaveLength(1);
  });

  it('the role may read exactly these secrets, and decrypt with their key only through Secrets Manager or SSM', () => {
    expect(policy(tf, 'read-service-secrets')).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [expect.stringMatching(/:secretsmanager:.*:secret:prod\/orders\/db-\?\?\?\?\?\?$/), 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:shared/stripe-XyZ123'] },
      { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: [expect.stringMatching(/:ssm:.*:parameter\/orders\/api-key$/)] },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: [KMS], Condition: { StringEquals: { 'kms:ViaService': [expect.stringMatching(/^secretsmanager\..*\.amazonaws\.com$/), expect.stringMatching(/^ssm\..*\.amazonaws\.com$/)] } } },
    ]);
  });

  it('says so in readiness (G26); a host without secrets says off', () => {
    expect(h.readiness().find((r) => r.id === 'G26')).toMatchObject({ status: 'enforced' });
    const { stack } = newStack();
    expect(new HardenedGoHost(stack, 'Api', baseProps).readiness().find((r) => r.id === 'G26')).toMatchObject({ status: 'off' });
  });

  it('secretsRefreshIntervalMin: 0 fetches at start only (no timer); a group gets the same', () => {
    const once = host({ secretsRefreshIntervalMin: 0 }).files;
    expect(once.paths().filter((p) => p.includes('secrets-refresh'))).toEqual([]);
    const { stack } = newStack();
    new HardenedGoService(stack, 'Svc', { ...baseProps, subnetId: undefined, subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], secrets: SECRETS } as any);
    const tf2 = synthJson(stack);
    expect(hostFiles(Object.values<any>(tf2.data.cloudinit_config)[0].part).paths()).toContain('/usr/local/lib/orders-api/fetch-secrets');
    expect(policy(tf2, 'read-service-secrets')).toHaveLength(3);
  });

  it('a reference as the secret ID: the policy decides name or ARN in Terraform, and the plan checks its form', () => {
    const { stack } = newStack();
    const id = new TerraformVariable(stack, 'db_secret', { type: 'string' }).stringValue;
    new HardenedGoHost(stack, 'Api', { ...baseProps, secrets: { db: ServiceSecret.fromSecretsManager(id) } });
    const tf2 = synthJson(stack);
    // A Terraform template inside the policy text: JSON once Terraform has evaluated it.
    const text = resourcesOf(tf2, 'aws_iam_role_policy').find((p) => p.name === 'read-service-secrets')!.policy;
    expect(text).toContain('"Resource":["${startswith(var.db_secret, \"arn:\") ? var.db_secret : \"arn:');
    const [instance] = resourcesOf(tf2, 'aws_instance');
    expect(JSON.stringify(instance.lifecycle.precondition)).toContain('test/Api: secrets.db must be a Secrets Manager secret name or ARN.');
    expect(hostFiles(Object.values<any>(tf2.data.cloudinit_config)[0].part).file('/usr/local/lib/orders-api/fetch-secrets')).toContain('fetch db secretsmanager ${var.db_secret}');
  });

  it('refuses what cannot work or would read more than it names, each naming the prop', () => {
    const failing = (secrets: unknown, extra: Partial<HardenedGoHostProps> = {}) => {
      const { stack } = newStack();
      return validationError(() => new HardenedGoHost(stack, 'Api', { ...baseProps, secrets, ...extra } as HardenedGoHostProps)).message;
    };
    expect(failing({ db: ServiceSecret.fromSecretsManager('prod/*') })).toContain('secrets.db.id = "prod/*": has an IAM wildcard');
    expect(failing({ db: ServiceSecret.fromSsmParameter('arn:aws:secretsmanager:eu-west-1:111122223333:secret:x') })).toContain('is not the ARN of a parameter');
    expect(failing({ '../db': ServiceSecret.fromSsmParameter('/a') })).toContain('secrets.../db = "../db": is not a credential name');
    expect(failing({ db: { kind: 'ssm', id: '/a' } })).toContain('secrets.db = {"kind":"ssm","id":"/a"}: is not a ServiceSecret');
    expect(failing({ db: ServiceSecret.fromSsmParameter('/a', { environmentVariable: 'PORT' }) })).toContain('secrets.db.environmentVariable = "PORT": is already set');
    expect(failing({ db: ServiceSecret.fromSsmParameter('/a', { environmentVariable: 'A' }) }, { environment: { A: '1' } })).toContain('secrets.db.environmentVariable = "A": is already set');
    expect(failing({ db: ServiceSecret.fromSsmParameter('/a', { environmentVariable: 'LD_PRELOAD' }) })).toContain('secrets.db.environmentVariable = "LD_PRELOAD": changes how every program of the unit runs');
    expect(failing({ db: ServiceSecret.fromSecretsManager('a', { jsonField: 'x\ny' }) })).toContain('secrets.db.jsonField');
    expect(failing({ db: ServiceSecret.fromSecretsManager('a', { kmsKeyArn: '*' }) })).toContain('secrets.db.kmsKeyArn = "*"');
    expect(failing({}, { secretsRefreshIntervalMin: 2 })).toContain('secretsRefreshIntervalMin = 2');
  });

  it('systemd-analyze verify accepts the service with its credentials and the fetch units; shellcheck accepts the fetch script', () => {
    for (const t of ['systemd-analyze', 'unshare', 'shellcheck']) requireTool(t);
    const dir = tempDir('secret-units');
    const names = ['orders-api.service', 'orders-api-secrets.service', 'orders-api-secrets-refresh.service', 'orders-api-secrets-refresh.timer'];
    for (const n of names) fs.writeFileSync(path.join(dir, n), files.file(`/etc/systemd/system/${n}`));
    fs.writeFileSync(path.join(dir, 'fetch-secrets'), files.file('/usr/local/lib/orders-api/fetch-secrets'), { mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'precheck'), files.file('/usr/local/lib/orders-api/precheck'), { mode: 0o755 });
    const r = run('unshare', ['--mount', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c',
      'mount -t tmpfs tmpfs /opt && mount -t tmpfs tmpfs /usr/local/lib && mkdir -p /opt/orders-api/current /usr/local/lib/orders-api && cp /bin/true /opt/orders-api/current/orders-api && '
        + `cp -p ${dir}/precheck ${dir}/fetch-secrets /usr/local/lib/orders-api/ && cd ${dir} && systemd-analyze verify ${names.join(' ')}`], { timeoutMs: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const sc = run('shellcheck', [path.join(dir, 'fetch-secrets')]);
    expect(sc.stdout + sc.stderr).toBe('');
  });
});
