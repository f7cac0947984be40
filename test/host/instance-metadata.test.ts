/**
 * The instance metadata fence (X4): every unit that does not call AWS carries IPAddressDeny= for
 * both metadata addresses; the units that call AWS are named; the Go service's opt-in warns with
 * the role's grants and needs an acknowledgement beside a front door. The VM proofs (verify:boot,
 * verify:units) show the deny holds; these tests hold the configuration to it.
 */
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { buildExamples } from '../../examples/main';
import { CertificateSource, HardenedGoHost, HardenedGoService, HardenedHostBase, NginxFrontDoor, ReleaseArtifact } from '../../lib';
import { INSTANCE_METADATA_DENY, METADATA_FENCE_PROBE } from '../../lib/host/instance-metadata';
import { hostsOf } from '../../lib/readiness/report';
import { artifactsOf, readinessOf } from '../../lib/testing';
import { baseProps, hostStack, newStack, SHA } from '../helpers/stacks';

const DENY = '169.254.169.254 fd00:ec2::254';
const dropIn = (unit: string) => `${unit}.d/40-gohost-no-instance-metadata.conf`;
// A group has no subnetId of its own.
const { subnetId: _subnetId, ...groupProps } = baseProps;

/** Units a synthesized host fences or lets through, read from its own record. */
function access(host: HardenedHostBase) {
  const all = [...host.provisioning().instanceMetadataAccess];
  return {
    denied: all.filter(([, a]) => a.access === 'denied').map(([u]) => u),
    allowed: all.filter(([, a]) => a.access === 'allowed').map(([u]) => u),
  };
}

/** The host's warnings about the instance role. */
function warningsOf(host: HardenedHostBase): string[] {
  return host.node.metadata.filter((m) => m.type.includes('warn')).map((m) => String(m.data)).filter((w) => w.includes('instance role'));
}
const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];

describe('every unit of the examples that does not call AWS is behind the fence', () => {
  const app = buildExamples(Testing.app().outdir);
  app.synth();
  const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  const cases: Array<[string, string, string[], string[]]> = [
    ['single-host', 'Api', ['nginx.service', 'orders-api.service', 'prometheus-nginx-exporter.service', 'prometheus-node-exporter.service'],
      ['cloud-final.service', 'gohost-certificate.service']],
    ['fleet', 'Api', ['alloy.service', 'orders-api.service', 'prometheus-node-exporter.service'],
      ['cloud-final.service', 'gohost-log-credential.service', 'gohost-termination-watch.service', 'orders-api-secrets-refresh.service', 'orders-api-secrets.service']],
    ['fleet', 'FrontDoor/Host', ['alloy.service', 'nginx.service', 'prometheus-nginx-exporter.service', 'prometheus-node-exporter.service'],
      ['cloud-final.service', 'gohost-certificate.service', 'gohost-log-credential.service']],
    ['fleet', 'Observability/Monitoring', ['grafana-server.service', 'loki.service', 'nginx.service', 'prometheus-blackbox-exporter.service', 'prometheus-node-exporter.service'],
      ['cloud-final.service', 'gohost-log-tenants.service', 'prometheus-alertmanager.service', 'prometheus.service']],
  ];

  it.each(cases)('%s/%s: fenced and allowed units', (stackName, path, denied, allowed) => {
    const stack = stacks.find((s) => s.node.id === stackName)!;
    const host = hostsOf(stack).find((h) => h.node.path === `${stackName}/${path}`)!;
    expect(access(host)).toEqual({ denied, allowed });
    const a = artifactsOf(stack, `${stackName}/${path}`);
    for (const unit of denied) {
      // The library's own unit carries the deny itself; a package's unit gets a drop-in.
      const file = unit === 'orders-api.service' ? a.units[unit] : a.units[dropIn(unit)];
      expect(file?.Service?.IPAddressDeny, unit).toEqual([DENY]);
    }
    for (const unit of allowed) expect(a.units[dropIn(unit)], unit).toBeUndefined();
    expect(a.units['prometheus.service.d/40-gohost-no-instance-metadata.conf']).toBeUndefined();
    // First boot checks the deny of exactly these units after every other check (only claiming an address
    // and telling a group follow), and proves this kernel enforces it.
    const fence = a.script.indexOf('# --- instance metadata fenced off the units that do not call AWS');
    expect(fence).toBeGreaterThan(0);
    const next = a.script.indexOf('# --- ', fence + 1);
    const step = a.script.slice(fence, next === -1 ? undefined : next);
    for (const later of a.script.slice(fence).match(/^# --- .*$/gm)!.slice(1)) expect(later).toMatch(/^# --- (claim the public address|tell the Auto Scaling group)/);
    expect(step).toContain(`fenced_units=(${denied.join(' ')})`);
    expect(step).toContain(`systemctl start ${METADATA_FENCE_PROBE}`);
    expect(a.units[METADATA_FENCE_PROBE].Service.IPAddressDeny).toEqual([DENY]);
    expect(a.units[METADATA_FENCE_PROBE].Service.ExecStart[0]).toMatch(/^\/bin\/sh -c "! curl .* http:\/\/169\.254\.169\.254\/"$/);
  });

  it('X4 is enforced on every host of the examples, naming the fenced units; off only where the service calls AWS (the worker example consumes SQS), saying so', () => {
    const optedIn: string[] = [];
    for (const stack of stacks) {
      for (const r of readinessOf(stack)) {
        const host = hostsOf(stack).find((h) => h.node.path === r.host)!;
        const service = host instanceof HardenedGoHost || host instanceof HardenedGoService ? host.settings : undefined;
        const row = r.rows.find((x) => x.id === 'X4')!;
        expect(row.detail).toContain('IPAddressDeny=');
        if (service?.instanceMetadataAccess) {
          optedIn.push(r.host);
          expect(row.status, r.host).toBe('off');
          expect(row.detail).toMatch(new RegExp(`^allowInstanceMetadataAccess: ${service.serviceName} may use the instance role; `));
        } else expect(row.status, r.host).toBe('enforced');
      }
    }
    expect(optedIn).toEqual(['worker/Workers']);
  });
});

describe('the Go service and the instance role', () => {
  it('is fenced by default, on one instance and in a group', () => {
    const { stack, host } = hostStack();
    const group = new HardenedGoService(stack, 'Workers', { ...groupProps, serviceName: 'workers', subnetIds: SUBNETS });
    expect(artifactsOf(stack, 'test/Api').units['orders-api.service'].Service.IPAddressDeny).toEqual([INSTANCE_METADATA_DENY]);
    expect(artifactsOf(stack, 'test/Workers').units['workers.service'].Service.IPAddressDeny).toEqual([INSTANCE_METADATA_DENY]);
    expect(warningsOf(host)).toEqual([]);
    expect(warningsOf(group)).toEqual([]);
  });

  it('allowInstanceMetadataAccess takes the deny out of the unit, warns with every grant of the role, and X4 says so', () => {
    const { stack } = newStack();
    const group = new HardenedGoService(stack, 'Workers', { ...groupProps, serviceName: 'workers', subnetIds: SUBNETS, allowInstanceMetadataAccess: true });
    group.addToRolePolicy('read-queue', [{ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: 'arn:aws:sqs:eu-west-1:111122223333:jobs' }], 'the jobs queue');
    Testing.synth(stack, true);
    const a = artifactsOf(stack, 'test/Workers');
    expect(a.units['workers.service'].Service.IPAddressDeny).toBeUndefined();
    expect(a.script).not.toMatch(/fenced_units=\(.*workers\.service/);
    const warnings = warningsOf(group);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^allowInstanceMetadataAccess = true: workers can use the instance role of test\/Workers, which allows /);
    expect(warnings[0]).toContain('s3:GetObject on the release artifact (read-release-artifact)');
    expect(warnings[0]).toContain('sqs:ReceiveMessage, sqs:DeleteMessage on the jobs queue (read-queue)');
    const x4 = readinessOf(stack).find((r) => r.host === 'test/Workers')!.rows.find((r) => r.id === 'X4')!;
    expect(x4.status).toBe('off');
    expect(x4.detail).toMatch(/^allowInstanceMetadataAccess: workers may use the instance role; /);
    expect(x4.detail).toContain('workers.service (the service calls AWS (allowInstanceMetadataAccess))');
  });

  it('beside a front door the opt-in fails synthesis, naming the construct, the prop and both fixes', () => {
    const { stack, host } = hostStack({ allowInstanceMetadataAccess: true });
    new NginxFrontDoor(stack, 'FrontDoor', { host, domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
    expect(() => Testing.synth(stack, true)).toThrow(
      /\[test\/Api\] allowInstanceMetadataAccess = true: lets orders-api use the instance role it shares with the front door test\/FrontDoor: .*TLS private key.*Fix: run the front door on its own instance .*allowInstanceMetadataAccessBesideFrontDoor: true/,
    );
  });

  it('with allowInstanceMetadataAccessBesideFrontDoor it synthesizes, and the warning names the certificate store', () => {
    const { stack, host } = hostStack({ allowInstanceMetadataAccess: true, allowInstanceMetadataAccessBesideFrontDoor: true });
    new NginxFrontDoor(stack, 'FrontDoor', { host, domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
    Testing.synth(stack, true);
    const [warning] = warningsOf(host);
    expect(warning).toContain("secretsmanager:GetSecretValue, secretsmanager:PutSecretValue on the front door's certificate store (its TLS certificate and private key, restored by every replacement) (keep-tls-certificate)");
  });

  it('a front door on its own instance needs no acknowledgement', () => {
    const { stack, host } = hostStack({ allowInstanceMetadataAccess: true });
    new NginxFrontDoor(stack, 'FrontDoor', { subnetId: 'subnet-0123456789abcdef1', upstreams: [host], domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
    Testing.synth(stack, true);
    expect(warningsOf(host)[0]).not.toContain('certificate');
  });

  it('plain JavaScript: a non-boolean opt-in is an input failure', () => {
    const { stack } = newStack();
    new HardenedGoHost(stack, 'Api', { ...baseProps, artifact: ReleaseArtifact.fromUrl('https://x.example.com/a', SHA), allowInstanceMetadataAccess: 'yes' as unknown as boolean });
    expect(() => Testing.synth(stack, true)).toThrow(/allowInstanceMetadataAccess = "yes": .*boolean/);
  });
});
