/**
 * cdktf-gohost/testing on the library's own examples: typed artifacts, the readable snapshot,
 * readiness without files, the matchers (each also shown to fail), and the real tools.
 */
import { Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { FleetStack } from '../../examples/fleet/main';
import { SingleHostStack } from '../../examples/single-host/main';
import { artifactsOf, checkArtifacts, gohostMatchers, GohostMatchers, readinessOf, userDataSnapshot, validateWithTerraform, withUserDataAsLocals } from '../../lib/testing';
import { findProviderMirror } from '../helpers/terraform';
import { requireTool } from '../helpers/tools';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T> extends GohostMatchers<T> {}
}
expect.extend(gohostMatchers);

const single = new SingleHostStack(Testing.app(), 'single-host');
const singleTf = JSON.parse(Testing.synth(single));
const fleet = new FleetStack(Testing.app(), 'fleet');
const fleetTf = JSON.parse(Testing.synth(fleet));

describe('artifacts', () => {
  const api = artifactsOf(single, 'Api');

  it('reads each host\'s files, units by section, nginx configuration, sysctl and script', () => {
    expect(api.host).toBe('single-host/Api');
    expect(api.units['orders-api.service'].Service.MemoryMax).toEqual(['1536M']);
    expect(api.units['orders-api.service'].Unit.StartLimitBurst).toEqual(['3']);
    expect(api.units['nginx.service.d/60-gohost.conf'].Service.ExecStartPre).toEqual(['', '/usr/local/lib/gohost/nginx-request-id', '/usr/local/lib/gohost/nginx-precheck']);
    expect(api.nginxConfig).toContain('server_name api.example.com;');
    expect(api.sysctl['net.core.somaxconn']).toBe('65535');
    expect(api.script).toMatch(/^#!\/usr\/bin\/env bash/);
    expect(api.file('/etc/issue')).toContain('Authorized access only');
    expect(() => api.file('/etc/nothing')).toThrow(/writes no \/etc\/nothing; it writes \/etc\/sysctl\.d/);
  });

  it('undoes Terraform\'s escapes and keeps references as references', () => {
    const fd = artifactsOf(fleet, 'FrontDoor/Host');
    expect(fd.file('/usr/local/lib/gohost/obtain-certificate')).toContain('for d in "${domains[@]}"; do');
    expect(fd.nginxConfig).toMatch(/server \$\{aws_lb\.Api_LoadBalancer_[0-9A-F]+\.dns_name\}:8080/);
  });

  it('a snapshot of user data is readable text, with construct hashes normalized', () => {
    const snap = userDataSnapshot(single);
    expect(snap).toContain('===== single-host/Api: cloud-config.yaml (text/cloud-config) =====');
    expect(snap).toContain('===== single-host/Api: gohost-bootstrap.sh (text/x-shellscript) =====');
    expect(snap).toContain('[Service]\n      Type=simple');
    expect(snap).not.toMatch(/_[0-9A-F]{8}\./);
    expect(snap).toMatch(/aws_secretsmanager_secret\.FrontDoor_CertificateStore_<hash>\.arn/);
  });
});

describe('matchers', () => {
  it('toHaveUnit', () => {
    expect(artifactsOf(single, 'Api')).toHaveUnit('orders-api.service');
    expect(() => expect(artifactsOf(single, 'Api')).toHaveUnit('redis.service')).toThrow(/to write the unit redis\.service; it writes .*orders-api\.service/);
  });

  it('toAllowIngress: a group or a CIDR, on the host\'s own security group', () => {
    expect(fleetTf).toAllowIngress({ host: 'Api', port: 9100, from: 'Observability/Monitoring' });
    expect(fleetTf).toAllowIngress({ host: 'FrontDoor/Host', port: 443, from: '0.0.0.0/0' });
    expect(() => expect(fleetTf).toAllowIngress({ host: 'Api', port: 22, from: '0.0.0.0/0' })).toThrow(/to admit tcp\/22 from 0\.0\.0\.0\/0; its rules: tcp\/8080/);
    // Other hosts' groups by their construct paths, not as ${aws_security_group...} tokens.
    expect(() => expect(fleetTf).toAllowIngress({ host: 'Api', port: 22, from: '0.0.0.0/0' })).toThrow(/tcp\/9100 from Observability\/Monitoring/);
    expect(() => expect(fleetTf).toAllowIngress({ host: 'Api', port: 22, from: '0.0.0.0/0' })).not.toThrow(/\$\{aws_security_group/);
  });

  it('toPassReadiness', () => {
    expect(single.host).toPassReadiness('G24');
    expect(() => expect(single.host).toPassReadiness('G12')).toThrow(/to enforce G12; it is off: strict overcommit/);
  });
});

describe('readiness and the real tools', () => {
  beforeAll(() => {
    for (const t of ['terraform', 'cloud-init', 'shellcheck', 'promtool']) requireTool(t);
  });

  it('readinessOf: every host\'s report from the stack in memory, rows in checklist order', () => {
    const reports = readinessOf(fleet);
    expect(reports.map((r) => r.host)).toEqual(expect.arrayContaining(['fleet/Api', 'fleet/FrontDoor/Host', 'fleet/Observability/Monitoring']));
    const ids = reports[0].rows.map((r) => r.id);
    expect(ids.indexOf('G1')).toBeLessThan(ids.indexOf('X1'));
    expect(ids.indexOf('X1')).toBeLessThan(ids.indexOf('H1'));
  });

  it('validateWithTerraform: valid, with every user-data reference intact', () => {
    const r = validateWithTerraform(fleetTf, { pluginDir: findProviderMirror() });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('withUserDataAsLocals: no cloudinit provider or data source left, each host\'s user data a local with its references', () => {
    const local = withUserDataAsLocals(fleetTf);
    expect(local.data?.cloudinit_config).toBeUndefined();
    expect(JSON.stringify(local)).not.toContain('cloudinit');
    const api = Object.entries<string>(local.locals).find(([k]) => k.startsWith('user_data_Api_'))![1];
    expect(api).toContain('${data.aws_vpc.');
    expect(JSON.stringify(local.resource.aws_launch_template)).toContain('${base64encode(local.user_data_Api_');
  });
  it('checkArtifacts: cloud-config, script and alert rules of every host through their programs', () => {
    const checks = checkArtifacts(fleetTf);
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(checks.map((c) => c.tool)).toEqual(expect.arrayContaining(['cloud-init', 'shellcheck', 'promtool']));
  });

  it('checkArtifacts fails a broken script (it checks something)', () => {
    const broken = JSON.parse(JSON.stringify(singleTf));
    const config = Object.values<any>(broken.data.cloudinit_config)[0];
    config.part[1].content += '\nif [ then\n';
    expect(checkArtifacts(broken).find((c) => c.tool === 'shellcheck')!.status).toBe('failed');
  });
});

describe('writeReadinessReports before synthesis', () => {
  it('says what to do instead of failing on a missing manifest', async () => {
    const { writeReadinessReports } = await import('../../lib');
    const app = Testing.app();
    new SingleHostStack(app, 'single-host');
    expect(() => writeReadinessReports(app)).toThrow(/holds no synthesized stacks; call app\.synth\(\) first \(in tests, readinessOf\(stack\)/);
  });
});
