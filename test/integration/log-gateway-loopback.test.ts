/**
 * The authenticated log path run for real in private namespaces: the fleet's monitoring host
 * gives each watched host its token through the host's own secret (stand-in Secrets Manager), the
 * log gateway (Debian's nginx on the rendered configuration) admits pushes by token alone and sets
 * the tenant from it, and each host's script reads its own credential. A stand-in Loki records
 * what reaches it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import * as YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { FleetStack } from '../../examples/fleet/main';
import { synthJson } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

let R: string;
const read = (name: string) => fs.readFileSync(path.join(R, name), 'utf8');
const lines = (name: string) => read(name).trim().split('\n').filter(Boolean);
const fakeArn = (id: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${id}`;
let tenants: string[] = [];
let watchedArns: string[] = [];

beforeAll(() => {
  for (const t of ['nginx', 'curl', 'openssl', 'unshare', 'python3', 'groupadd']) requireTool(t);
  const tf = synthJson(new FleetStack(Testing.app(), 'fleet'));
  const W = tempDir('log-gateway');
  // The hosts' files as EC2 would get them, each secret reference resolved to an ARN of its own.
  const resolve = (text: string) => text
    .replace(/\$\{aws_secretsmanager_secret\.([A-Za-z0-9_-]+)\.arn\}/g, (_, id: string) => fakeArn(id))
    .replace(/\$\{data\.aws_region\.[^}]+\.name\}/g, 'eu-west-1')
    .replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  const write = (host: string, prefix: string, keep: (p: string) => boolean) => {
    const entry = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith(prefix))![1];
    const doc = YAML.parse(resolve(entry.part[0].content), { version: '1.1' });
    for (const f of doc.write_files.filter((x: any) => keep(x.path))) {
      const target = path.join(W, 'files', host, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { mode: parseInt(f.permissions, 8) });
    }
  };
  write('monitoring', 'Observability_Monitoring', (p) => p.startsWith('/etc/nginx/gohost-logs/') || p === '/usr/local/lib/gohost/log-tenants');
  const hosts = { Api: 'Api_', FrontDoor: 'FrontDoor_Host_' };
  for (const [host, prefix] of Object.entries(hosts)) write(host, prefix, (p) => p === '/usr/local/lib/gohost/log-credential');
  fs.writeFileSync(path.join(W, 'hosts'), Object.keys(hosts).join('\n') + '\n');

  // The secrets Terraform creates, with their tags, plus one of another stack and one with a tenant Loki cannot take.
  const secrets = Object.entries<any>(tf.resource.aws_secretsmanager_secret)
    .filter(([, s]) => s.tags?.['gohost:log-tenant'])
    .map(([id, s]) => ({ ARN: fakeArn(id), Name: `${s.name_prefix}AbCdEf`, Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })) }));
  tenants = secrets.map((s) => s.Tags.find((t) => t.Key === 'gohost:log-tenant')!.Value as string).sort();
  watchedArns = secrets.map((s) => s.ARN).sort();
  secrets.push(
    { ARN: fakeArn('Other'), Name: 'gohost-logs-other', Tags: [{ Key: 'gohost:monitor', Value: 'other/Observability' }, { Key: 'gohost:log-tenant', Value: 'other-Api' }] },
    { ARN: fakeArn('Bad'), Name: 'gohost-logs-bad', Tags: [{ Key: 'gohost:monitor', Value: 'fleet/Observability' }, { Key: 'gohost:log-tenant', Value: 'a|b' }] },
  );
  fs.writeFileSync(path.join(W, 'secrets.json'), JSON.stringify(secrets));

  // A CA the namespace trusts, and Secrets Manager's certificate from it.
  const o = (f: string) => path.join(W, f);
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test CA', '-keyout', o('ca.key'), '-out', o('ca.crt')]);
  run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=secretsmanager.eu-west-1.amazonaws.com', '-keyout', o('sm.key'), '-out', o('sm.csr')]);
  fs.writeFileSync(o('sm.ext'), 'subjectAltName=DNS:secretsmanager.eu-west-1.amazonaws.com\n');
  run('openssl', ['x509', '-req', '-in', o('sm.csr'), '-CA', o('ca.crt'), '-CAkey', o('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', o('sm.ext'), '-out', o('sm.crt')]);
  fs.copyFileSync(path.resolve(__dirname, 'fake-aws.py'), o('fake-aws.py'));

  const r = run('unshare', ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', path.resolve(__dirname, 'log-gateway-loopback.sh'), W], { timeoutMs: 240_000 });
  R = path.join(W, 'results');
  if (!fs.existsSync(path.join(R, 'finished'))) throw new Error(`loopback run did not finish (exit ${r.status}):\n${r.stdout}\n${r.stderr}\n${fs.existsSync(R) ? fs.readdirSync(R).map((f) => `--- ${f}\n${fs.readFileSync(path.join(R, f), 'utf8').slice(-2000)}`).join('\n') : ''}`);
});

describe('the log path (loopback)', () => {
  it('the monitoring host finds exactly its watched hosts by their secrets\' tags and writes each its credential, once', () => {
    expect(tenants).toEqual(['fleet-Api', 'fleet-FrontDoor-Host']);
    const calls = lines('secretsmanager.log').map((l) => JSON.parse(l));
    const puts = calls.filter((c) => c.target === 'secretsmanager.PutSecretValue');
    expect(puts.map((c) => c.body.SecretId).sort()).toEqual(watchedArns);
    // Both runs listed the secrets page by page; only the first wrote.
    expect(calls.filter((c) => c.target === 'secretsmanager.ListSecrets').length).toBeGreaterThanOrEqual(2);
    expect(puts).toHaveLength(2);
    expect(read('tenants-2.out')).toBe('');
    expect(lines('tenants.map').map((l) => l.replace(/Bearer [0-9a-f]{64}/, 'Bearer <token>'))).toEqual(tenants.map((t) => `"Bearer <token>" "${t}";`));
    expect(read('grafana-tenants').trim()).toBe(tenants.join('|'));
  });

  it('each host reads its own credential: a token for Alloy alone, and the certificate it pins', () => {
    for (const host of ['Api', 'FrontDoor']) {
      expect(read(`token-mode-${host}`).trim()).toBe('640 root alloy');
      expect(read(`credential-${host}.out`)).toContain('log credential updated');
    }
  });

  it('admits a push by token alone, with the tenant the token names, whatever header the host sends; the token goes no further', () => {
    const p = Object.fromEntries(lines('pushes').map((l) => l.split(' ')));
    expect(p.own).toBe('204');
    expect(p.posing).toBe('204');
    const loki = lines('loki.log').map((l) => JSON.parse(l)).filter((x) => x.path !== '/ready');
    const first = loki.slice(0, 2);
    expect(first.map((x) => x.tenant)).toEqual(['fleet-Api', 'fleet-Api']);
    expect(loki.every((x) => x.authorization === null && x.path === '/loki/api/v1/push' && x.method === 'POST')).toBe(true);
  });

  it('refuses pushes without a token or with a wrong one, and has no query, delete or read path', () => {
    const p = Object.fromEntries(lines('pushes').map((l) => l.split(' ')));
    expect([p['no-token'], p['wrong-token'], p.query, p.delete, p['get-push']]).toEqual(['401', '401', '404', '404', '403']);
    // The gateway's certificate is self-made: only a host that pinned it connects.
    expect(p.unpinned).toBe('000');
  });

  it("a flood from one host is refused beyond its rate, and the other host's logs still arrive", () => {
    const flood = lines('flood');
    expect(flood).toHaveLength(1000);
    expect(flood.filter((c) => c === '429').length).toBeGreaterThan(100);
    expect(lines('during-flood')).toEqual(Array(10).fill('204'));
    const loki = lines('loki.log').map((l) => JSON.parse(l));
    expect(loki.filter((x) => x.tenant === 'fleet-FrontDoor-Host')).toHaveLength(10);
  });
});
