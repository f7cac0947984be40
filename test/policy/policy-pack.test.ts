/**
 * The policy pack on any cdktf stack: each rule has a compliant and a non-compliant case built from
 * plain provider resources (not this library's), the library's examples pass with no suppression,
 * errors fail synthesis, warnings print, suppressions need a reason and are reported.
 */
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { EbsVolume } from '@cdktf/provider-aws/lib/ebs-volume';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Instance, InstanceConfig } from '@cdktf/provider-aws/lib/instance';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { GoHostPolicy, POLICY_RULES, policyReport } from '../../lib';
import { FleetStack } from '../../examples/fleet/main';
import { SingleHostStack } from '../../examples/single-host/main';
import { WorkerStack } from '../../examples/worker/main';

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  return s;
}

const GOOD_INSTANCE: InstanceConfig = {
  ami: 'ami-0123456789abcdef0', instanceType: 't3.small',
  metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' },
  rootBlockDevice: { encrypted: true },
};
const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

type Case = [string, (s: TerraformStack) => void];
const CASES: Record<string, { compliant: Case; violating: Case; message: RegExp }> = {
  GP1: {
    compliant: ['an instance with http_tokens required', (s) => new Instance(s, 'Vm', GOOD_INSTANCE)],
    violating: ['a launch template without metadata options', (s) => new LaunchTemplate(s, 'Lt', { imageId: 'ami-0123456789abcdef0', blockDeviceMappings: [{ deviceName: '/dev/sda1', ebs: { encrypted: 'true' } }] })],
    message: /http_tokens is "optional/,
  },
  GP2: {
    compliant: ['an encrypted volume', (s) => new EbsVolume(s, 'Vol', { availabilityZone: 'eu-west-1a', size: 10, encrypted: true })],
    violating: ['an instance with an unencrypted root volume', (s) => new Instance(s, 'Vm', { ...GOOD_INSTANCE, rootBlockDevice: { encrypted: false } })],
    message: /root_block_device is not encrypted/,
  },
  GP3: {
    compliant: ['SSH from an office range', (s) => new VpcSecurityGroupIngressRule(s, 'Ssh', { securityGroupId: 'sg-0123456789abcdef0', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '203.0.113.0/24' })],
    violating: ['RDP from the world in an inline rule', (s) => new SecurityGroup(s, 'Sg', { ingress: [{ protocol: 'tcp', fromPort: 3389, toPort: 3389, cidrBlocks: ['0.0.0.0/0'] }] })],
    message: /RDP \(3389\) from 0\.0\.0\.0\/0/,
  },
  GP4: {
    compliant: ['DescribeInstances on * (no resource-level permissions)', (s) => new IamRolePolicy(s, 'P', { role: 'r', policy: policy({ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }) })],
    violating: ['s3:* on everything', (s) => new IamRolePolicy(s, 'P', { role: 'r', policy: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) })],
    message: /action s3:\*.*|resource \* for s3:\*/,
  },
  GP5: {
    compliant: ['small literal user data', (s) => new Instance(s, 'Vm', { ...GOOD_INSTANCE, userData: '#!/bin/sh\necho hi\n' })],
    violating: ['20 KB of literal user data', (s) => new Instance(s, 'Vm', { ...GOOD_INSTANCE, userData: `#!/bin/sh\n${'x'.repeat(20000)}\n` })],
    message: /user data is 20011 bytes/,
  },
  GP6: {
    compliant: ['a public instance with an Elastic IP', (s) => { const vm = new Instance(s, 'Vm', { ...GOOD_INSTANCE, associatePublicIpAddress: true }); new Eip(s, 'Ip', { instance: vm.id, domain: 'vpc' }); }],
    violating: ['a public instance without one', (s) => new Instance(s, 'Vm', { ...GOOD_INSTANCE, associatePublicIpAddress: true })],
    message: /associate_public_ip_address is true and no Elastic IP/,
  },
  GP7: {
    compliant: ['an HTTP listener that redirects', (s) => new LbListener(s, 'L', { loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1', port: 80, protocol: 'HTTP', defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }] })],
    violating: ['an HTTP listener that forwards', (s) => new LbListener(s, 'L', { loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1', port: 80, protocol: 'HTTP', defaultAction: [{ type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/t/1' }] })],
    message: /port 80 answers HTTP with forward/,
  },
};

describe('policy rules: one compliant and one violating case each, on hand-written resources', () => {
  it('every rule has its cases', () => {
    expect(Object.keys(CASES).sort()).toEqual(POLICY_RULES.map((r) => r.id).sort());
  });

  for (const rule of POLICY_RULES) {
    const c = CASES[rule.id];
    it(`${rule.id} (${rule.title}): ${c.compliant[0]} passes`, () => {
      const s = stack();
      c.compliant[1](s);
      expect(policyReport(s).filter((f) => f.ruleId === rule.id)).toEqual([]);
    });
    it(`${rule.id} (${rule.title}): ${c.violating[0]} is found`, () => {
      const s = stack();
      c.violating[1](s);
      const found = policyReport(s).filter((f) => f.ruleId === rule.id);
      expect(found.length).toBeGreaterThan(0);
      expect(found.map((f) => f.detail).join('\n')).toMatch(c.message);
      expect(found[0].level).toBe(rule.level);
    });
  }
});

describe('the README documents every rule', () => {
  it('has one table row per rule with its level and title', () => {
    const readme = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', 'README.md'), 'utf8') as string;
    for (const r of POLICY_RULES) expect(readme).toContain(`| ${r.id} | ${r.level} | ${r.title} |`);
  });
});

describe('the rules read every form of a resource', () => {
  it('GP3 finds SSH from the world in a standalone aws_security_group_rule and in an all-protocol IPv6 rule', () => {
    const s = stack();
    new SecurityGroupRule(s, 'Ssh', { type: 'ingress', securityGroupId: 'sg-0123456789abcdef0', protocol: 'tcp', fromPort: 0, toPort: 1024, cidrBlocks: ['0.0.0.0/0'] });
    new VpcSecurityGroupIngressRule(s, 'All', { securityGroupId: 'sg-0123456789abcdef0', ipProtocol: '-1', cidrIpv6: '::/0' });
    expect(policyReport(s).filter((f) => f.ruleId === 'GP3').map((f) => f.detail)).toEqual([
      'aws_security_group_rule.Ssh: SSH (22) from 0.0.0.0/0',
      'aws_vpc_security_group_ingress_rule.All: SSH (22) from ::/0',
      'aws_vpc_security_group_ingress_rule.All: RDP (3389) from ::/0',
    ]);
  });
});

describe('GP3 judges what a group opens, not how its ranges are written', () => {
  const gp3 = (s: TerraformStack) => policyReport(s).filter((f) => f.ruleId === 'GP3').map((f) => f.detail);
  const ssh = (s: TerraformStack, id: string, cidr: string, group = 'sg-0123456789abcdef0') =>
    new VpcSecurityGroupIngressRule(s, id, { securityGroupId: group, ipProtocol: 'tcp', fromPort: 22, toPort: 22, ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }) });

  it('two /1 rules of one group are the internet, in IPv4 and in IPv6', () => {
    const s = stack();
    ssh(s, 'Low', '0.0.0.0/1');
    ssh(s, 'High', '128.0.0.0/1');
    ssh(s, 'Low6', '::/1');
    ssh(s, 'High6', '8000::/1');
    expect(gp3(s)).toEqual([
      'aws_vpc_security_group_ingress_rule.Low: SSH (22) from 0.0.0.0/1',
      'aws_vpc_security_group_ingress_rule.High: SSH (22) from 128.0.0.0/1',
      'aws_vpc_security_group_ingress_rule.Low6: SSH (22) from ::/1',
      'aws_vpc_security_group_ingress_rule.High6: SSH (22) from 8000::/1',
    ]);
  });

  it('ranges that each stay below a /8 of public addresses but together exceed it, in one group: the other rules are named', () => {
    const s = stack();
    const sg = new SecurityGroup(s, 'Sg', { ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['11.0.0.0/8'] }] });
    new SecurityGroupRule(s, 'More', { type: 'ingress', securityGroupId: sg.id, protocol: 'tcp', fromPort: 20, toPort: 30, cidrBlocks: ['12.0.0.0/8'] });
    expect(gp3(s)).toEqual([
      'aws_security_group.Sg: SSH (22) from 11.0.0.0/8: with the other rules of aws_security_group.Sg, 33554432 public IPv4 and 0 public IPv6 addresses (the internet)',
      'aws_security_group_rule.More: SSH (22) from 12.0.0.0/8: with the other rules of aws_security_group.Sg, 33554432 public IPv4 and 0 public IPv6 addresses (the internet)',
    ]);
  });

  it('the same ranges in two groups, private ranges, an office and another port are fine', () => {
    const s = stack();
    ssh(s, 'A', '11.0.0.0/8', 'sg-0aaaaaaaaaaaaaaaa');
    ssh(s, 'B', '12.0.0.0/8', 'sg-0bbbbbbbbbbbbbbbb');
    for (const [i, cidr] of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '203.0.113.0/24', 'fc00::/7', '2001:db8::/32'].entries()) ssh(s, `Ok${i}`, cidr);
    new VpcSecurityGroupIngressRule(s, 'Https', { securityGroupId: 'sg-0123456789abcdef0', ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' });
    new VpcSecurityGroupIngressRule(s, 'Udp', { securityGroupId: 'sg-0123456789abcdef0', ipProtocol: 'udp', fromPort: 0, toPort: 65535, cidrIpv4: '0.0.0.0/0' });
    expect(gp3(s)).toEqual([]);
  });

  it('a range only Terraform knows is refused, and a suppression with a reason accepts it', () => {
    const s = stack();
    const office = new TerraformVariable(s, 'office', { type: 'string' });
    const rule = ssh(s, 'FromVar', office.stringValue);
    new SecurityGroup(s, 'Listed', { ingress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: new TerraformVariable(s, 'ranges', { type: 'list(string)' }).listValue }] });
    expect(gp3(s)).toEqual([
      'aws_vpc_security_group_ingress_rule.FromVar: SSH (22) from ${var.office}: a range unknown at synth, which may be the internet',
      'aws_security_group.Listed: SSH (22) from ${var.ranges}: a range unknown at synth, which may be the internet',
      'aws_security_group.Listed: RDP (3389) from ${var.ranges}: a range unknown at synth, which may be the internet',
    ]);
    GoHostPolicy.suppress(rule, 'GP3', 'var.office is validated to be the office /28 in variables.tf');
    expect(policyReport(s).find((f) => f.path === 'test/FromVar')).toMatchObject({ suppressedBecause: 'var.office is validated to be the office /28 in variables.tf' });
  });
});

describe('GoHostPolicy as an aspect', () => {
  it('an error fails synthesis naming the rule, the construct, the finding and the fix', () => {
    const s = stack();
    new Instance(s, 'Vm', { ...GOOD_INSTANCE, metadataOptions: { httpTokens: 'optional' } });
    GoHostPolicy.applyTo(s);
    expect(() => Testing.synth(s, true)).toThrow(/\[GP1\] test\/Vm: aws_instance\.Vm: http_tokens is "optional"\. Fix: set metadata_options/);
  });

  it('a warning is printed and synthesis goes on', () => {
    const s = stack();
    new Instance(s, 'Vm', { ...GOOD_INSTANCE, associatePublicIpAddress: true });
    GoHostPolicy.applyTo(s);
    expect(() => Testing.synth(s, true)).not.toThrow();
    const warnings = s.node.metadata.filter((m) => m.type === 'aws:cdk:warning' || String(m.data).includes('[GP6]'));
    expect(warnings.map((w) => String(w.data)).join('\n')).toMatch(/\[GP6\] test\/Vm: aws_instance\.Vm: associate_public_ip_address is true/);
  });

  it('a suppression needs a reason, covers the construct and its children, and is listed in the report', () => {
    const s = stack();
    const vm = new Instance(s, 'Vm', { ...GOOD_INSTANCE, metadataOptions: { httpTokens: 'optional' } });
    new CloudwatchMetricAlarm(s, 'Alarm', { alarmName: 'x', comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1 });
    expect(() => GoHostPolicy.suppress(vm, 'GP1', '')).toThrow(/give the reason in a sentence/);
    expect(() => GoHostPolicy.suppress(vm, 'GP99', 'a vendor appliance needs it')).toThrow(/no rule GP99/);
    GoHostPolicy.suppress(vm, 'GP1', 'a vendor appliance that only speaks IMDSv1');
    GoHostPolicy.applyTo(s);
    expect(() => Testing.synth(s, true)).not.toThrow();
    expect(policyReport(s)).toEqual([expect.objectContaining({ ruleId: 'GP1', path: 'test/Vm', suppressedBecause: 'a vendor appliance that only speaks IMDSv1' })]);
  });

  it('a suppression covers its rule on its construct and below it, nothing else', () => {
    const s = stack();
    const bad = { ...GOOD_INSTANCE, metadataOptions: { httpTokens: 'optional' } };
    const vm = new Instance(s, 'Vm', bad);
    new Instance(s, 'Vm2', bad);
    const group = new Construct(s, 'Group');
    new Instance(group, 'Inner', bad);
    GoHostPolicy.suppress(vm, 'GP1', 'a vendor appliance that only speaks IMDSv1');
    GoHostPolicy.suppress(vm, 'GP2', 'not about GP1 at all, and not about Vm2');
    GoHostPolicy.suppress(s.node.findChild('Vm2'), 'GP2', 'covers GP2 on Vm2, which has no GP2 finding');
    GoHostPolicy.suppress(group, 'GP1', 'the group holds vendor appliances only');
    expect(policyReport(s).map((f) => [f.path, f.suppressedBecause ?? 'open'])).toEqual([
      ['test/Vm', 'a vendor appliance that only speaks IMDSv1'], ['test/Vm2', 'open'], ['test/Group/Inner', 'the group holds vendor appliances only'],
    ]);
  });

  it('prints each open warning once, however often the stack is synthesized; suppressed findings and errors are not warnings', () => {
    const s = stack();
    new Instance(s, 'Open', { ...GOOD_INSTANCE, associatePublicIpAddress: true });
    const quiet = new Instance(s, 'Quiet', { ...GOOD_INSTANCE, associatePublicIpAddress: true });
    GoHostPolicy.suppress(quiet, 'GP6', 'a throwaway build host, replaced with a new address on purpose');
    const failing = new Instance(s, 'Failing', { ...GOOD_INSTANCE, metadataOptions: { httpTokens: 'optional' } });
    GoHostPolicy.suppress(failing, 'GP1', 'a vendor appliance that only speaks IMDSv1');
    GoHostPolicy.applyTo(s);
    Testing.synth(s, true);
    Testing.synth(s, true);
    const warnings = s.node.metadata.map((m) => String(m.data)).filter((d) => /\[GP\d\]/.test(d));
    expect(warnings).toEqual([expect.stringMatching(/^\[GP6\] test\/Open: aws_instance\.Open: associate_public_ip_address is true/)]);
  });

  it('an open error fails synthesis and is not also printed as a warning', () => {
    const s = stack();
    new Instance(s, 'Vm', { ...GOOD_INSTANCE, metadataOptions: { httpTokens: 'optional' } });
    GoHostPolicy.applyTo(s);
    expect(() => Testing.synth(s, true)).toThrow(/\[GP1\] test\/Vm/);
    expect(s.node.metadata.map((m) => String(m.data)).filter((d) => /\[GP\d\]/.test(d))).toEqual([]);
  });

  it('reads the stack\'s policy documents (data sources) for GP4', () => {
    const s = stack();
    const d = new DataAwsIamPolicyDocument(s, 'Doc', { statement: [{ actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }] });
    new IamRolePolicy(s, 'P', { role: 'r', policy: d.json });
    expect(policyReport(s).map((f) => f.detail)).toEqual([expect.stringMatching(/^aws_iam_role_policy\.P: action s3:\*$/)]);
  });

  it('a suppression names a rule that exists, with a reason of ten characters or more (spaces around do not count)', () => {
    const s = stack();
    const vm = new Instance(s, 'Vm', GOOD_INSTANCE);
    expect(() => GoHostPolicy.suppress(vm, 'GP99', 'a vendor appliance needs it')).toThrow('GoHostPolicy.suppress: no rule GP99 (rules: GP1, GP2, GP3, GP4, GP5, GP6, GP7)');
    expect(() => GoHostPolicy.suppress(vm, 'GP1', '   too short    ')).toThrow('GoHostPolicy.suppress(test/Vm, GP1): give the reason in a sentence');
    expect(() => GoHostPolicy.suppress(vm, 'GP1', undefined as unknown as string)).toThrow('GoHostPolicy.suppress(test/Vm, GP1): give the reason in a sentence');
    expect(() => GoHostPolicy.suppress(vm, 'GP1', 'ten chars!')).not.toThrow();
  });

  it.each([
    ['single-host', (app: ReturnType<typeof Testing.app>) => new SingleHostStack(app, 'single-host')],
    ['fleet', (app: ReturnType<typeof Testing.app>) => new FleetStack(app, 'fleet')],
    ['worker', (app: ReturnType<typeof Testing.app>) => new WorkerStack(app, 'worker')],
  ])('the %s example passes with no suppression', (_name, build) => {
    const s = build(Testing.app());
    expect(policyReport(s)).toEqual([]);
    GoHostPolicy.applyTo(s);
    expect(() => Testing.synth(s, true)).not.toThrow();
  });
});
