/**
 * Each policy rule's `check`, case by case with its exact findings, on raw Terraform configs (as
 * cdk-nag tests its rules): the edges of each rule (every resource type it reads, every form of a
 * field, what it must not flag). policy-pack.test.ts covers the aspect and one case per rule.
 */
import { describe, expect, it } from 'vitest';
import { PolicyResource, PolicyRule } from '../../lib/policy/rule';
import { NO_ADMIN_PORTS_FROM_WORLD } from '../../lib/policy/rules/admin-ports';
import { ENCRYPTED_VOLUMES } from '../../lib/policy/rules/encrypted-volumes';
import { HTTP_LISTENER_REDIRECTS } from '../../lib/policy/rules/http-redirect';
import { NO_IAM_WILDCARDS } from '../../lib/policy/rules/iam-wildcards';
import { PUBLIC_IP_HAS_EIP } from '../../lib/policy/rules/public-ip-eip';
import { USER_DATA_SIZE } from '../../lib/policy/rules/user-data-size';
import { IMDSV2_REQUIRED } from '../../lib/policy/rules/imdsv2';
import { POLICY_RULES } from '../../lib/policy/pack';

const res = (type: string, config: any, name = 'X', kind: 'resource' | 'data' = 'resource'): PolicyResource => ({ kind, type, name, path: `s/${name}`, config });
const check = (rule: PolicyRule, r: PolicyResource, all: PolicyResource[] = [r]) => rule.check(r, all);
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements.length === 1 ? statements[0] : statements });

describe('GP4 no IAM wildcards', () => {
  const policy = (type: string, ...statements: object[]) => check(NO_IAM_WILDCARDS, res(type, { policy: doc(...statements) }));
  it.each([
    [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }, []],
    [{ Effect: 'Allow', Action: ['ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingInstances', 'cloudwatch:PutMetricData', 'sts:GetCallerIdentity', 'ssmmessages:CreateControlChannel', 'ssmmessages:OpenDataChannel', 'secretsmanager:ListSecrets'], Resource: '*' }, []],
    [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }, ['action s3:*', 'resource * for s3:*']],
    [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }, ['action *']],
    [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: 'arn:aws:ec2:::x' }, ['action ec2:Describe*']],
    [{ Effect: 'Allow', Action: ['ec2:DescribeInstances', 's3:GetObject'], Resource: ['*'] }, ['resource * for ec2:DescribeInstances, s3:GetObject']],
    [{ Effect: 'Allow', Action: 'xec2:DescribeInstances', Resource: '*' }, ['resource * for xec2:DescribeInstances']],
    [{ Effect: 'Allow', Action: 'cloudwatch:PutMetricDataX', Resource: '*' }, ['resource * for cloudwatch:PutMetricDataX']],
    [{ Effect: 'Allow', Action: 'ec2:Describe', Resource: '*' }, ['resource * for ec2:Describe']],
    [{ Effect: 'Deny', Action: '*', Resource: '*' }, []],
  ])('aws_iam_role_policy %j → %j', (statement, expected) => {
    expect(policy('aws_iam_role_policy', statement)).toEqual(expected);
  });

  it('allows * only for the exact actions that have nothing narrower', () => {
    const allowed = ['ec2:DescribeInstances', 'cloudwatch:PutMetricData', 'sts:GetCallerIdentity', 'ssmmessages:CreateDataChannel', 'secretsmanager:ListSecrets', 'autoscaling:DescribeAutoScalingGroups'];
    for (const a of allowed) {
      expect(policy('aws_iam_role_policy', { Effect: 'Allow', Action: a, Resource: '*' }), a).toEqual([]);
      for (const near of [`x${a}`, `${a}2`]) expect(policy('aws_iam_role_policy', { Effect: 'Allow', Action: near, Resource: '*' }), near).toEqual([`resource * for ${near}`]);
    }
  });

  it('reads a policy given as an object', () => {
    expect(check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }))).toEqual(['action *', 'resource * for *']);
  });

  it('reads every policy resource type, and several statements', () => {
    for (const type of ['aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy']) {
      expect(policy(type, { Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::1:role/r' }), type).toEqual(['action iam:*']);
    }
    expect(policy('aws_iam_role_policy', { Effect: 'Allow', Action: 'a:B', Resource: 'arn:x' }, { Effect: 'Allow', Action: 'c:*', Resource: 'arn:y' })).toEqual(['action c:*']);
  });

  it('a policy it cannot read is a finding (what it grants cannot be judged); other resources and data sources are not its business', () => {
    const unknown = (policy: string) => `policy ${policy} is unknown at synth (neither JSON nor an aws_iam_policy_document of this stack), so what it grants cannot be judged`;
    expect(check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: '${var.policy}' }))).toEqual([unknown('${var.policy}')]);
    expect(check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: '${data.aws_iam_policy_document.missing.json}' }))).toEqual([unknown('${data.aws_iam_policy_document.missing.json}')]);
    expect(check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: '{"Statement": ' }))).toEqual([unknown('{"Statement": ')]);
    expect(check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: undefined }))).toEqual([unknown('null')]);
    expect(check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: null }))).toEqual([unknown('null')]);
    // Only the whole value is a document reference: text around it is an expression, even with the document there.
    const d = res('aws_iam_policy_document', { statement: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] }] }, 'd', 'data');
    for (const policy of ['x${data.aws_iam_policy_document.d.json}', '${data.aws_iam_policy_document.d.json}x']) {
      const r = res('aws_iam_role_policy', { policy });
      expect(check(NO_IAM_WILDCARDS, r, [r, d])).toEqual([unknown(policy)]);
    }
    expect(check(NO_IAM_WILDCARDS, res('aws_s3_bucket_policy', { policy: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }))).toEqual([]);
    expect(check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }, 'X', 'data'))).toEqual([]);
  });
});

describe('GP5 user data under 16 KB', () => {
  const big = 'x'.repeat(16385);
  it.each([
    ['aws_instance', { user_data: 'x'.repeat(16384) }, []],
    ['aws_instance', { user_data: big }, ['user data is 16385 bytes']],
    ['aws_instance', { user_data: `${big}\${var.x}` }, []],
    ['aws_instance', { user_data_base64: Buffer.from(big).toString('base64') }, ['user data is 16385 bytes']],
    ['aws_instance', { user_data_base64: Buffer.from('x'.repeat(16384)).toString('base64') }, []],
    ['aws_instance', { user_data_base64: '${base64gzip(var.x)}' }, []],
    ['aws_launch_template', { user_data: Buffer.from(big).toString('base64') }, ['user data is 16385 bytes']],
    ['aws_launch_template', { user_data: Buffer.from('small').toString('base64') }, []],
    ['aws_ebs_volume', { user_data: big }, []],
  ])('%s %#', (type, config, expected) => {
    expect(check(USER_DATA_SIZE, res(type, config))).toEqual(expected);
  });

  it('counts bytes, not characters', () => {
    expect(check(USER_DATA_SIZE, res('aws_instance', { user_data: 'é'.repeat(8193) }))).toEqual(['user data is 16386 bytes']);
  });
});

describe('GP2 encrypted EBS volumes', () => {
  it.each([
    ['aws_ebs_volume', { encrypted: true }, []],
    ['aws_ebs_volume', { encrypted: 'true' }, []],
    ['aws_ebs_volume', {}, ['the volume is not encrypted']],
    ['aws_instance', { root_block_device: { encrypted: true } }, []],
    ['aws_instance', { root_block_device: [{ encrypted: 'true' }] }, []],
    ['aws_instance', {}, ['root_block_device is not encrypted']],
    ['aws_instance', { root_block_device: { encrypted: true }, ebs_block_device: [{ device_name: '/dev/sdf', encrypted: true }, { device_name: '/dev/sdg' }] }, ['ebs_block_device[1] (/dev/sdg) is not encrypted']],
    ['aws_launch_template', {}, ["no block_device_mappings: the root volume is the AMI's, unencrypted unless the AMI or the account default says otherwise"]],
    ['aws_launch_template', { block_device_mappings: [{ device_name: '/dev/xvda', ebs: { encrypted: 'true' } }, { device_name: '/dev/sdb', ebs: [{ encrypted: false }] }, { device_name: '/dev/sdc', virtual_name: 'ephemeral0' }] }, ['/dev/sdb is not encrypted']],
    ['aws_launch_template', { block_device_mappings: [{ device_name: '/dev/sdc', virtual_name: 'ephemeral0' }] }, ["no block_device_mappings: the root volume is the AMI's, unencrypted unless the AMI or the account default says otherwise"]],
    ['aws_s3_bucket', {}, []],
  ])('%s %#', (type, config, expected) => {
    expect(check(ENCRYPTED_VOLUMES, res(type, config))).toEqual(expected);
  });

  it('does not judge data sources', () => {
    expect(check(ENCRYPTED_VOLUMES, res('aws_ebs_volume', {}, 'X', 'data'))).toEqual([]);
  });
});

describe('GP6 a public address that survives replacement', () => {
  const vm = res('aws_instance', { associate_public_ip_address: true }, 'Vm');
  it.each([
    ['an Elastic IP on the instance', [res('aws_eip', { instance: '${aws_instance.Vm.id}' }, 'Ip')], []],
    ['an association naming it', [res('aws_eip_association', { instance_id: '${aws_instance.Vm.id}' }, 'A')], []],
    ['an Elastic IP on another instance', [res('aws_eip', { instance: '${aws_instance.Other.id}' }, 'Ip')], ['associate_public_ip_address is true and no Elastic IP is associated']],
    ['a data source naming it', [res('aws_eip', { instance: '${aws_instance.Vm.id}' }, 'Ip', 'data')], ['associate_public_ip_address is true and no Elastic IP is associated']],
    ['another resource naming it', [res('aws_route53_record', { instance: '${aws_instance.Vm.id}' }, 'R')], ['associate_public_ip_address is true and no Elastic IP is associated']],
  ])('%s', (_, others, expected) => {
    expect(check(PUBLIC_IP_HAS_EIP, vm, [vm, ...others])).toEqual(expected);
  });

  it('judges only instances with a public address', () => {
    expect(check(PUBLIC_IP_HAS_EIP, res('aws_instance', { associate_public_ip_address: 'true' }, 'Vm'))).toEqual(['associate_public_ip_address is true and no Elastic IP is associated']);
    expect(check(PUBLIC_IP_HAS_EIP, res('aws_instance', { associate_public_ip_address: false }, 'Vm'))).toEqual([]);
    expect(check(PUBLIC_IP_HAS_EIP, res('aws_launch_template', { associate_public_ip_address: true }, 'Vm'))).toEqual([]);
    expect(check(PUBLIC_IP_HAS_EIP, res('aws_instance', { associate_public_ip_address: true }, 'Vm', 'data'))).toEqual([]);
  });
});

describe('GP7 HTTP listeners redirect to HTTPS', () => {
  it.each([
    [{ protocol: 'HTTP', port: 80, default_action: { type: 'redirect', redirect: { protocol: 'HTTPS' } } }, []],
    [{ protocol: 'HTTP', port: 80, default_action: [{ type: 'redirect', redirect: [{ protocol: 'HTTPS' }] }] }, []],
    [{ protocol: 'HTTP', port: 8080, default_action: [{ type: 'redirect', redirect: { protocol: 'HTTP' } }] }, ['port 8080 answers HTTP with redirect']],
    [{ protocol: 'HTTP', port: 80, default_action: [{ type: 'forward' }] }, ['port 80 answers HTTP with forward']],
    [{ protocol: 'HTTP', port: 80 }, ['port 80 answers HTTP with no action']],
    [{ protocol: 'HTTPS', port: 443, default_action: [{ type: 'forward' }] }, []],
    [{ protocol: 'TCP', port: 80, default_action: [{ type: 'forward' }] }, []],
  ])('%j → %j', (config, expected) => {
    expect(check(HTTP_LISTENER_REDIRECTS, res('aws_lb_listener', config))).toEqual(expected);
  });

  it('judges only listeners that are resources', () => {
    expect(check(HTTP_LISTENER_REDIRECTS, res('aws_alb_listener_rule', { protocol: 'HTTP', port: 80 }))).toEqual([]);
    expect(check(HTTP_LISTENER_REDIRECTS, res('aws_lb_listener', { protocol: 'HTTP', port: 80 }, 'X', 'data'))).toEqual([]);
  });
});

describe('GP3 no SSH or RDP from the internet', () => {
  const V = 'aws_vpc_security_group_ingress_rule';
  const R = 'aws_security_group_rule';
  const world = { cidr_ipv4: '0.0.0.0/0' };
  it.each([
    [V, { ip_protocol: 'tcp', from_port: 22, to_port: 22, ...world }, ['SSH (22) from 0.0.0.0/0']],
    [V, { ip_protocol: '6', from_port: 3389, to_port: 3389, ...world }, ['RDP (3389) from 0.0.0.0/0']],
    [V, { ip_protocol: 'all', ...world }, ['SSH (22) from 0.0.0.0/0', 'RDP (3389) from 0.0.0.0/0']],
    [V, { ip_protocol: '-1', cidr_ipv6: '::/0' }, ['SSH (22) from ::/0', 'RDP (3389) from ::/0']],
    [V, { ip_protocol: 'udp', from_port: 0, to_port: 65535, ...world }, []],
    [V, { ip_protocol: 'icmp', from_port: -1, to_port: -1, ...world }, []],
    [V, { ip_protocol: 'tcp', from_port: 23, to_port: 3388, ...world }, []],
    [V, { ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr_ipv4: '203.0.113.0/24' }, []],
    // A port or protocol only Terraform knows may be 22.
    [V, { ip_protocol: 'tcp', from_port: '${var.port}', to_port: '${var.port}', ...world }, ['SSH (22) from 0.0.0.0/0', 'RDP (3389) from 0.0.0.0/0']],
    [V, { ip_protocol: '${var.protocol}', from_port: 22, to_port: 22, ...world }, ['SSH (22) from 0.0.0.0/0']],
    [R, { type: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['203.0.113.0/24', '0.0.0.0/0'], ipv6_cidr_blocks: ['::/0'] }, ['SSH (22) from 203.0.113.0/24, 0.0.0.0/0, ::/0']],
    [R, { type: 'egress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }, []],
    [R, { type: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['${var.a}', '${var.b}'] }, ['SSH (22) from ${var.a}, ${var.b}: a range unknown at synth, which may be the internet']],
    [R, { type: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, source_security_group_id: 'sg-0123456789abcdef0' }, []],
    ['aws_security_group', { ingress: [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }], egress: [{ protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['0.0.0.0/0'] }] }, ['SSH (22) from 0.0.0.0/0']],
    ['aws_security_group', { egress: [{ protocol: '-1', from_port: 0, to_port: 0, cidr_blocks: ['0.0.0.0/0'] }] }, []],
    ['aws_network_acl_rule', { protocol: 'tcp', from_port: 22, to_port: 22, cidr_block: '0.0.0.0/0' }, []],
  ])('%s %j → %j', (type, config, expected) => {
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, res(type, config))).toEqual(expected);
  });

  it('reads no data source', () => {
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, res(V, { ip_protocol: '-1', ...world }, 'X', 'data'))).toEqual([]);
  });

  it('adds up the rules of one group only: by literal ID, by reference to the group, never across groups or rules without one', () => {
    const rule = (name: string, group: string | undefined, cidr: string) => res(V, { security_group_id: group, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr_ipv4: cidr }, name);
    const inline = res('aws_security_group', { ingress: [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['11.0.0.0/8'] }] }, 'Sg');
    const byRef = rule('ByRef', '${aws_security_group.Sg.id}', '12.0.0.0/8');
    const otherRef = rule('Other', '${aws_security_group.Sgx.id}', '13.0.0.0/8');
    const all = [inline, byRef, otherRef];
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, inline, all)).toEqual(['SSH (22) from 11.0.0.0/8: with the other rules of aws_security_group.Sg, 33554432 public IPv4 and 0 public IPv6 addresses (the internet)']);
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, byRef, all)).toHaveLength(1);
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, otherRef, all)).toEqual([]);
    // A group ID that only looks like a reference to the group is another group.
    const lookalike = rule('Look', 'x${aws_security_group.Sg.id}', '14.0.0.0/8');
    const suffixed = rule('Suf', '${aws_security_group.Sg.id}x', '15.0.0.0/8');
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, lookalike, [inline, lookalike])).toEqual([]);
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, suffixed, [inline, suffixed])).toEqual([]);
    // Rules without a group are each their own.
    const a = rule('A', undefined, '11.0.0.0/8');
    const b = rule('B', undefined, '12.0.0.0/8');
    const n = res(V, { security_group_id: null, ip_protocol: 'tcp', from_port: 22, to_port: 22, cidr_ipv4: '13.0.0.0/8' }, 'N');
    expect([a, b, n].flatMap((r) => check(NO_ADMIN_PORTS_FROM_WORLD, r, [a, b, n]))).toEqual([]);
    // Two rules of one literal group ID add up; the unknown and known parts of one rule are both reported.
    const c = rule('C', 'sg-0aaaaaaaaaaaaaaaa', '11.0.0.0/8');
    const d = res(R, { type: 'ingress', security_group_id: 'sg-0aaaaaaaaaaaaaaaa', protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['12.0.0.0/8', '${var.x}'] }, 'D');
    expect(check(NO_ADMIN_PORTS_FROM_WORLD, d, [c, d])).toEqual([
      'SSH (22) from ${var.x}: a range unknown at synth, which may be the internet',
      'SSH (22) from 12.0.0.0/8: with the other rules of sg-0aaaaaaaaaaaaaaaa, 33554432 public IPv4 and 0 public IPv6 addresses (the internet)',
    ]);
  });

  it('names itself, its level and its fix', () => {
    expect(NO_ADMIN_PORTS_FROM_WORLD).toMatchObject({ id: 'GP3', level: 'error', title: 'No SSH or RDP from the internet', fix: 'admit your office or VPN ranges only (literal CIDRs), or use SSM Session Manager' });
    expect(NO_ADMIN_PORTS_FROM_WORLD.explanation).toMatch(/more than a \/8 of public IPv4 or a \/32 of public IPv6/);
  });
});

describe('GP4 reads aws_iam_policy_document data sources of the stack', () => {
  const document = (name: string, config: object) => res('aws_iam_policy_document', config, name, 'data');
  const role = (policy: string) => res('aws_iam_role_policy', { policy }, 'R');
  it('judges the document\'s statement blocks, json and minified_json alike', () => {
    const wide = document('wide', { statement: [{ actions: ['s3:*'], resources: ['*'] }, { effect: 'Deny', actions: ['*'], resources: ['*'] }] });
    for (const attr of ['json', 'minified_json']) {
      const r = role(`\${data.aws_iam_policy_document.wide.${attr}}`);
      expect(check(NO_IAM_WILDCARDS, r, [r, wide])).toEqual(['action s3:*', 'resource * for s3:*']);
    }
    const narrow = document('narrow', { statement: [{ effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] }] });
    const r = role('${data.aws_iam_policy_document.narrow.json}');
    expect(check(NO_IAM_WILDCARDS, r, [r, narrow])).toEqual([]);
  });
  it('not_actions and not_resources are everything else', () => {
    const d = document('d', { statement: [{ not_actions: ['iam:*'], resources: ['arn:aws:s3:::b'] }, { actions: ['s3:GetObject'], not_resources: ['arn:aws:s3:::secret/*'] }] });
    const r = role('${data.aws_iam_policy_document.d.json}');
    expect(check(NO_IAM_WILDCARDS, r, [r, d])).toEqual(['NotAction iam:* (every other action)', 'NotResource arn:aws:s3:::secret/* (every other resource)']);
  });
  it('finds the document among the stack\'s resources by kind, type and name; a reference with spaces around it still reads', () => {
    const real = document('d', { statement: [{ actions: ['s3:*'], resources: ['arn:aws:s3:::b'] }] });
    const decoys = [res('aws_iam_policy_document', { statement: [] }, 'd'), res('aws_iam_policy', { statement: [] }, 'd', 'data'), document('e', { statement: [] })];
    const r = role(' ${data.aws_iam_policy_document.d.json}\n');
    expect(check(NO_IAM_WILDCARDS, r, [r, ...decoys, real])).toEqual(['action s3:*']);
  });
  it('reads a chain of nine documents, and stops (unknown) at a document that builds on itself', () => {
    const chain = Array.from({ length: 9 }, (_, i) => document(`c${i}`, i < 8
      ? { source_policy_documents: [`\${data.aws_iam_policy_document.c${i + 1}.json}`], statement: [] }
      : { statement: [{ actions: ['iam:*'], resources: ['arn:aws:iam::1:role/r'] }] }));
    const r = role('${data.aws_iam_policy_document.c0.json}');
    expect(check(NO_IAM_WILDCARDS, r, [r, ...chain])).toEqual(['action iam:*']);
    const loop = document('loop', { source_policy_documents: ['${data.aws_iam_policy_document.loop.json}'], statement: [] });
    const r2 = role('${data.aws_iam_policy_document.loop.json}');
    expect(check(NO_IAM_WILDCARDS, r2, [r2, loop])[0]).toMatch(/is unknown at synth/);
  });
  it('lists every NotAction and NotResource of a statement', () => {
    const d = document('d', { statement: [{ not_actions: ['iam:*', 'kms:*'], not_resources: ['arn:a', 'arn:b'] }] });
    const r = role('${data.aws_iam_policy_document.d.json}');
    expect(check(NO_IAM_WILDCARDS, r, [r, d])).toEqual(['NotAction iam:*, kms:* (every other action)', 'NotResource arn:a, arn:b (every other resource)']);
  });
  it('follows the documents it builds on (source and override), JSON or other documents', () => {
    const base = document('base', { statement: [{ actions: ['ec2:*'], resources: ['arn:aws:ec2:eu-west-1:1:instance/i-1'] }] });
    const d = document('d', {
      source_policy_documents: ['${data.aws_iam_policy_document.base.json}'],
      override_policy_documents: [doc({ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:eu-west-1:1:key/k' })],
      statement: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] }],
    });
    const r = role('${data.aws_iam_policy_document.d.json}');
    expect(check(NO_IAM_WILDCARDS, r, [r, base, d])).toEqual(['action ec2:*', 'action kms:*']);
    const unread = document('u', { source_policy_documents: ['${var.extra}'], statement: [] });
    const r2 = role('${data.aws_iam_policy_document.u.json}');
    expect(check(NO_IAM_WILDCARDS, r2, [r2, unread])[0]).toMatch(/is unknown at synth/);
  });
});

describe('GP4 judges what a grant allows, whatever its spelling', () => {
  const policy = (...statements: object[]) => check(NO_IAM_WILDCARDS, res('aws_iam_role_policy', { policy: doc(...statements) }));
  it('an Allow with NotAction or NotResource grants everything else', () => {
    expect(policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::b/k' })).toEqual(['NotAction iam:* (every other action)']);
    expect(policy({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' })).toEqual(['NotResource arn:aws:s3:::secret/* (every other resource)']);
    expect(policy({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' })).toEqual([]);
  });
  it('? is a wildcard too', () => {
    expect(policy({ Effect: 'Allow', Action: 's3:GetObjec?', Resource: 'arn:aws:s3:::b/k' })).toEqual(['action s3:GetObjec?']);
  });
  it.each([
    ['aws_iam_role_policy_attachment', { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, ['managed policy arn:aws:iam::aws:policy/AdministratorAccess']],
    ['aws_iam_role_policy_attachment', { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }, ['managed policy arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']],
    ['aws_iam_user_policy_attachment', { user: 'u', policy_arn: 'arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess' }, ['managed policy arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess']],
    ['aws_iam_role', { name: 'r', managed_policy_arns: ['arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole', 'arn:aws:iam::aws:policy/SecretsManagerReadWrite'] }, ['managed policy arn:aws:iam::aws:policy/SecretsManagerReadWrite']],
    ['aws_iam_group_policy_attachment', { group: 'g', policy_arn: 'arn:aws:iam::aws:policy/PowerUserAccess' }, ['managed policy arn:aws:iam::aws:policy/PowerUserAccess']],
    ['aws_iam_policy_attachment', { name: 'a', policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, ['managed policy arn:aws:iam::aws:policy/ReadOnlyAccess']],
    ['aws_iam_role_policy_attachments_exclusive', { role_name: 'r', policy_arns: ['arn:aws:iam::aws:policy/AmazonEC2FullAccess'] }, ['managed policy arn:aws:iam::aws:policy/AmazonEC2FullAccess']],
    ['aws_iam_instance_profile', { name: 'p', managed_policy_arns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }, []],
    ['aws_iam_role_policy_attachment', { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/job-function/AdministratorAccess' }, ['managed policy arn:aws:iam::aws:policy/job-function/AdministratorAccess']],
    ['aws_iam_role_policy_attachment', { role: 'r', policy_arn: 'xarn:aws:iam::aws:policy/AdministratorAccess' }, []],
    ['aws_iam_role_policy_attachment', { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccessLimited' }, []],
    ['aws_iam_role_policy_attachment', { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy' }, []],
    ['aws_iam_role_policy_attachment', { role: 'r', policy_arn: 'arn:aws:iam::123456789012:policy/AdministratorAccess' }, []],
  ])('%s %j → %j', (type, config, expected) => {
    expect(check(NO_IAM_WILDCARDS, res(type, config))).toEqual(expected);
  });
});

describe('every rule says what it is, why and how to fix it: the text a finding prints', () => {
  it('ids, levels, titles, explanations and fixes', () => {
    expect(POLICY_RULES.map(({ id, level, title, explanation, fix }) => ({ id, level, title, explanation, fix }))).toEqual([
      { id: 'GP1', level: 'error', title: 'IMDSv2 required', explanation: "With IMDSv1 a server-side request forgery in any process reads the instance role's credentials from the metadata service.", fix: 'set metadata_options { http_tokens = "required" } (HardenedHost does this)' },
      { id: 'GP2', level: 'error', title: 'Encrypted EBS volumes', explanation: 'An unencrypted volume or its snapshots can be read by anyone who can copy them; encryption costs nothing measurable.', fix: 'set encrypted = true (and kms_key_id for your own key)' },
      { id: 'GP3', level: 'error', title: 'No SSH or RDP from the internet', explanation: 'Admin ports open to the world are scanned within minutes and brute-forced for ever; SSM Session Manager needs no open port. A group opens a port to the internet when its rules for it together admit more than a /8 of public IPv4 or a /32 of public IPv6 addresses (private ranges do not count); a range only Terraform knows cannot be judged at synth and is refused unless suppressed with the reason it is safe.', fix: 'admit your office or VPN ranges only (literal CIDRs), or use SSM Session Manager' },
      { id: 'GP4', level: 'error', title: 'No IAM wildcards', explanation: 'A wildcard grant gives a compromised host every permission the pattern matches, today and whatever AWS adds tomorrow.', fix: 'name each action and the one resource it needs' },
      { id: 'GP5', level: 'error', title: 'User data under 16 KB', explanation: 'EC2 refuses larger user data at launch: the apply fails half-way, after other resources changed.', fix: 'gzip it (the cloudinit provider does), or fetch large files from S3 or SSM at boot' },
      { id: 'GP6', level: 'warning', title: 'A public address that survives replacement', explanation: 'An auto-assigned public IP changes whenever the instance is replaced (a release, a new AMI): DNS then points at nothing, or at someone else.', fix: 'associate an Elastic IP (NginxFrontDoor does), or put the instance behind a load balancer' },
      { id: 'GP7', level: 'warning', title: 'HTTP listeners redirect to HTTPS', explanation: 'A listener that serves plain HTTP sends cookies and tokens in clear text.', fix: 'make the default action a redirect to HTTPS (status HTTP_301)' },
    ]);
  });
});

describe('rules at their edges', () => {
  it('GP1: an instance with the metadata endpoint disabled needs no tokens; data sources are not judged', () => {
    expect(check(IMDSV2_REQUIRED, res('aws_instance', { metadata_options: { http_endpoint: 'disabled', http_tokens: 'optional' } }))).toEqual([]);
    expect(check(IMDSV2_REQUIRED, res('aws_instance', { metadata_options: { http_endpoint: 'enabled', http_tokens: 'optional' } }))).not.toEqual([]);
    expect(check(IMDSV2_REQUIRED, res('aws_instance', { metadata_options: { http_tokens: 'optional' } }, 'X', 'data'))).toEqual([]);
  });
  it('GP5: data sources and other types are not judged', () => {
    const big = 'x'.repeat(16385);
    expect(check(USER_DATA_SIZE, res('aws_instance', { user_data: big }, 'X', 'data'))).toEqual([]);
    expect(check(USER_DATA_SIZE, res('aws_launch_template', { user_data: Buffer.from(big).toString('base64') }, 'X', 'data'))).toEqual([]);
  });
  it('GP2: a launch-template mapping with an ebs block but no encrypted field, or an empty one, is not encrypted', () => {
    expect(check(ENCRYPTED_VOLUMES, res('aws_launch_template', { block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 20 } }, { device_name: '/dev/sdb', ebs: [] }] })))
      .toEqual(['/dev/xvda is not encrypted', '/dev/sdb is not encrypted']);
  });
  it('GP7: a redirect without its redirect block is not a redirect to HTTPS', () => {
    expect(check(HTTP_LISTENER_REDIRECTS, res('aws_lb_listener', { protocol: 'HTTP', port: 80, default_action: [{ type: 'redirect' }] }))).toEqual(['port 80 answers HTTP with redirect']);
  });
});

describe('GP3 at its edges', () => {
  const V = 'aws_vpc_security_group_ingress_rule';
  const R = 'aws_security_group_rule';
  const ssh = { ip_protocol: 'tcp', from_port: 22, to_port: 22 };
  const G = '${aws_security_group.G.id}';
  const gp3 = (r: PolicyResource, all: PolicyResource[] = [r]) => check(NO_ADMIN_PORTS_FROM_WORLD, r, all);
  it('the VPC\'s default group\'s inline rules count; other resources with ingress-looking fields and data sources do not', () => {
    const world = [{ protocol: 'tcp', from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] }];
    expect(gp3(res('aws_default_security_group', { ingress: world }))).toEqual(['SSH (22) from 0.0.0.0/0']);
    expect(gp3(res('aws_instance', { ingress: world }))).toEqual([]);
    expect(gp3(res('aws_network_acl_rule', { type: 'ingress', from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }))).toEqual([]);
    expect(gp3(res('aws_security_group', { ingress: world }, 'X', 'data'))).toEqual([]);
  });
  it('an empty IPv6 range is no range; a port range unknown at synth may hold 22 and 3389', () => {
    expect(gp3(res(V, { ...ssh, cidr_ipv4: '203.0.113.0/24', cidr_ipv6: null }))).toEqual([]);
    expect(gp3(res(V, { ip_protocol: 'tcp', from_port: 20, to_port: '${var.to}', cidr_ipv4: '0.0.0.0/0' }))).toEqual(['SSH (22) from 0.0.0.0/0', 'RDP (3389) from 0.0.0.0/0']);
  });
  it('rules without a group (null) are each their own; a rule whose ranges are unknown is judged for those alone', () => {
    const a = res(V, { ...ssh, security_group_id: null, cidr_ipv4: '0.0.0.0/1' }, 'A');
    const b = res(V, { ...ssh, security_group_id: null, cidr_ipv4: '128.0.0.0/2' }, 'B');
    expect(gp3(a, [a, b])).toEqual(['SSH (22) from 0.0.0.0/1']);
    const v = res(V, { ...ssh, security_group_id: G, cidr_ipv4: '${var.office}' }, 'V');
    const w = res(V, { ...ssh, security_group_id: G, cidr_ipv4: '0.0.0.0/0' }, 'W');
    expect(gp3(v, [v, w])).toEqual(['SSH (22) from ${var.office}: a range unknown at synth, which may be the internet']);
    const k = res(V, { ...ssh, security_group_id: G, cidr_ipv4: '203.0.113.0/24' }, 'K');
    expect(gp3(k, [k, v])).toEqual([]);
  });
  it('names every range of the rule when the group together is the internet', () => {
    const a = res(R, { type: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, security_group_id: G, cidr_blocks: ['1.0.0.0/9', '2.0.0.0/9'] }, 'A');
    const b = res(R, { type: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, security_group_id: G, cidr_blocks: ['3.0.0.0/9', '4.0.0.0/9'] }, 'B');
    expect(gp3(a, [a, b])).toEqual(['SSH (22) from 1.0.0.0/9, 2.0.0.0/9: with the other rules of aws_security_group.G, 33554432 public IPv4 and 0 public IPv6 addresses (the internet)']);
  });
});
