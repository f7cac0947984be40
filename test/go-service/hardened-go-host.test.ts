import { CloudinitProvider } from '@cdktf/provider-cloudinit/lib/provider';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { HardenedGoHost, HardenedHost, MachineImage, Peer, Port, ReleaseArtifact } from '../../lib';
import { SHA, baseProps, hostStack, newStack, resourcesOf, synthJson, userDataParts } from '../helpers/stacks';

describe('HardenedGoHost: the instance', () => {
  const tf = synthJson(hostStack().stack);
  const instance = resourcesOf(tf, 'aws_instance')[0];

  it('requires IMDSv2 with hop limit 1', () => {
    expect(instance.metadata_options).toEqual({
      http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1, instance_metadata_tags: 'disabled',
    });
  });

  it('has an encrypted gp3 root volume', () => {
    expect(instance.root_block_device).toMatchObject({ volume_type: 'gp3', encrypted: true, volume_size: 20, delete_on_termination: true });
  });

  it('defaults to t3.small with detailed monitoring and no public IP', () => {
    expect(instance).toMatchObject({ instance_type: 't3.small', monitoring: true, associate_public_ip_address: false });
  });

  it('takes user data from the cloudinit data source (gzip + base64) and is replaced when it changes', () => {
    expect(instance.user_data_base64).toMatch(/^\$\{data\.cloudinit_config\.[A-Za-z0-9_]+\.rendered\}$/);
    expect(instance.user_data_replace_on_change).toBe(true);
    const ci = Object.values<any>(tf.data.cloudinit_config)[0];
    expect(ci).toMatchObject({ gzip: true, base64_encode: true });
    expect(ci.part.map((p: any) => p.content_type)).toEqual(['text/cloud-config', 'text/x-shellscript']);
  });

  it('looks up the latest Ubuntu 24.04 AMI by Canonical owner and name, and ignores newer AMIs', () => {
    const ami = Object.values<any>(tf.data.aws_ami)[0];
    expect(ami.owners).toEqual(['099720109477']);
    expect(ami.most_recent).toBe(true);
    expect(ami.filter).toContainEqual({ name: 'name', values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*'] });
    expect(instance.lifecycle).toEqual({ create_before_destroy: true, ignore_changes: ['ami'] });
  });

  it('adds its own cloudinit provider under an alias, used by the user-data data source', () => {
    expect(tf.provider.cloudinit).toEqual([{ alias: 'gohost' }]);
    expect(Object.values<any>(tf.data.cloudinit_config)[0].provider).toBe('cloudinit.gohost');
  });
});

describe('HardenedGoHost: lookups shared by the stack', () => {
  it('many hosts share one partition, one region and one AMI lookup per distribution and architecture', () => {
    const { stack } = newStack();
    for (let i = 0; i < 5; i++) new HardenedGoHost(stack, `Api${i}`, { ...baseProps, serviceName: `api-${i}` });
    new HardenedGoHost(stack, 'Arm', { ...baseProps, serviceName: 'arm', instanceType: 't4g.small' });
    new HardenedGoHost(stack, 'Deb', { ...baseProps, serviceName: 'deb', machineImage: MachineImage.debian12() });
    const tf = synthJson(stack);
    expect(Object.keys(tf.data.aws_partition)).toHaveLength(1);
    expect(Object.keys(tf.data.aws_region)).toHaveLength(1);
    expect(Object.values<any>(tf.data.aws_ami).map((a) => a.filter[0].values[0]).sort()).toEqual([
      'debian-12-amd64-*',
      'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*',
      'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*',
    ]);
    const amiOf = (id: string) => resourcesOf(tf, 'aws_instance').find((r) => r.tags.Name === `test-${id}`).ami;
    expect(amiOf('Api0')).toBe(amiOf('Api4'));
    expect(amiOf('Arm')).not.toBe(amiOf('Api0'));
  });

  it("a user's own cloudinit provider, created after the hosts, does not clash with the library's", () => {
    const { stack } = newStack();
    new HardenedGoHost(stack, 'Api', baseProps);
    new CloudinitProvider(stack, 'cloudinit');
    const tf = synthJson(stack);
    expect(tf.provider.cloudinit).toHaveLength(2);
    expect(tf.provider.cloudinit).toEqual(expect.arrayContaining([{}, { alias: 'gohost' }]));
  });
});

describe('HardenedGoHost: machine images', () => {
  it('uses the arm64 image for Graviton instance types', () => {
    const tf = synthJson(hostStack({ instanceType: 't4g.small' }).stack);
    expect(Object.values<any>(tf.data.aws_ami)[0].filter[0].values).toEqual(['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-*']);
  });

  it('looks up Debian 12 by the Debian owner', () => {
    const tf = synthJson(hostStack({ machineImage: MachineImage.debian12() }).stack);
    const ami = Object.values<any>(tf.data.aws_ami)[0];
    expect(ami.owners).toEqual(['136693071363']);
    expect(ami.filter[0].values).toEqual(['debian-12-amd64-*']);
  });

  it('looks up Debian 13 by the Debian owner', () => {
    const tf = synthJson(hostStack({ machineImage: MachineImage.debian13() }).stack);
    const ami = Object.values<any>(tf.data.aws_ami)[0];
    expect(ami.owners).toEqual(['136693071363']);
    expect(ami.filter[0].values).toEqual(['debian-13-amd64-*']);
    expect(hostStack({ machineImage: MachineImage.debian13() }).host.distro.title).toBe('Debian 13 (trixie)');
  });

  it('looks up Ubuntu 22.04 by name', () => {
    const tf = synthJson(hostStack({ machineImage: MachineImage.ubuntu2204() }).stack);
    expect(Object.values<any>(tf.data.aws_ami)[0].filter[0].values).toEqual(['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*']);
  });

  it('uses an explicit AMI ID without a lookup', () => {
    const tf = synthJson(hostStack({ machineImage: MachineImage.fromAmiId('ami-0123456789abcdef0', 'debian-12') }).stack);
    expect(tf.data.aws_ami).toBeUndefined();
    expect(resourcesOf(tf, 'aws_instance')[0].ami).toBe('ami-0123456789abcdef0');
  });
});

describe('HardenedGoHost: IAM', () => {
  const tf = synthJson(hostStack().stack);

  it('lets only EC2 assume the role', () => {
    const role = resourcesOf(tf, 'aws_iam_role')[0];
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('attaches no AWS-managed policy: AmazonSSMManagedInstanceCore would read every parameter of the account', () => {
    expect(resourcesOf(tf, 'aws_iam_role_policy_attachment')).toHaveLength(0);
  });

  /** The role's inline policies by name. */
  const policiesOf = (t: any) => Object.fromEntries(resourcesOf(t, 'aws_iam_role_policy').map((p) => [p.name, JSON.parse(p.policy).Statement]));

  it('grants Session Manager its channels and the registration of instances of this account and region, nothing else of SSM', () => {
    expect(policiesOf(tf)['session-manager']).toEqual([
      { Effect: 'Allow', Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'], Resource: '*' },
      { Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:ec2:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:instance\/\*$/) },
    ]);
    expect(JSON.stringify(policiesOf(tf))).not.toMatch(/ssm:GetParameter|ssm:\*|"\*:/);
  });

  it('grants s3:GetObject on exactly the artifact object and nothing else', () => {
    const policies = policiesOf(tf);
    expect(Object.keys(policies).sort()).toEqual(['read-release-artifact', 'session-manager']);
    expect(policies['read-release-artifact']).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: expect.stringMatching(/:s3:::releases\/orders-api\/v1\/orders-api$/) },
    ]);
    expect(JSON.stringify(policies['read-release-artifact'])).not.toContain('*');
  });

  it('grants no S3 access for an HTTPS artifact', () => {
    const t = synthJson(hostStack({ artifact: ReleaseArtifact.fromUrl('https://example.com/bin', SHA) }).stack);
    expect(Object.keys(policiesOf(t))).toEqual(['session-manager']);
  });
});

describe('HardenedGoHost: security group and port model', () => {
  it('never uses inline rules', () => {
    const sg = resourcesOf(synthJson(hostStack().stack), 'aws_security_group')[0];
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  it('opens nothing inbound by default (SSH closed, SSM is the way in)', () => {
    expect(resourcesOf(synthJson(hostStack().stack), 'aws_vpc_security_group_ingress_rule')).toHaveLength(0);
  });

  it('allows only HTTP and HTTPS out, over IPv4 and IPv6, each rule described', () => {
    const egress = resourcesOf(synthJson(hostStack().stack), 'aws_vpc_security_group_egress_rule');
    expect(egress.map((r) => `${r.ip_protocol}/${r.from_port} ${r.cidr_ipv4 ?? r.cidr_ipv6}`).sort()).toEqual([
      'tcp/443 0.0.0.0/0', 'tcp/443 ::/0', 'tcp/80 0.0.0.0/0', 'tcp/80 ::/0',
    ]);
    expect(egress.every((r) => typeof r.description === 'string' && r.description.length > 0)).toBe(true);
  });

  it('opens SSH only from the admin CIDRs', () => {
    const ingress = resourcesOf(synthJson(hostStack({ adminSshCidrs: ['203.0.113.0/24', '2001:db8::/48'] }).stack), 'aws_vpc_security_group_ingress_rule');
    expect(ingress.map((r) => [r.from_port, r.cidr_ipv4 ?? r.cidr_ipv6])).toEqual([[22, '203.0.113.0/24'], [22, '2001:db8::/48']]);
  });

  it('allowFrom another host adds a referenced-group ingress rule here and the egress rule there', () => {
    const { stack } = newStack();
    const a = new HardenedGoHost(stack, 'A', { ...baseProps, serviceName: 'a-svc' });
    const b = new HardenedGoHost(stack, 'B', { ...baseProps, serviceName: 'b-svc' });
    a.connections.allowFrom(b, Port.tcp(8080));
    const tf = synthJson(stack);
    const ingress = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule');
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ from_port: 8080, to_port: 8080, ip_protocol: 'tcp' });
    expect(ingress[0].referenced_security_group_id).toMatch(/aws_security_group\.B_SecurityGroup/);
    expect(ingress[0].security_group_id).toMatch(/aws_security_group\.A_SecurityGroup/);
    const egressToA = resourcesOf(tf, 'aws_vpc_security_group_egress_rule').filter((r) => r.referenced_security_group_id);
    expect(egressToA).toHaveLength(1);
    expect(egressToA[0].security_group_id).toMatch(/aws_security_group\.B_SecurityGroup/);
  });

  it('adds a rule once however often it is asked for', () => {
    const { stack, host } = hostStack();
    host.connections.allowFrom(Peer.ipv4('198.51.100.0/24'), Port.tcp(8080));
    host.connections.allowFrom(Peer.ipv4('198.51.100.0/24'), Port.tcp(8080));
    expect(resourcesOf(synthJson(stack), 'aws_vpc_security_group_ingress_rule')).toHaveLength(1);
  });

  it('binds the service to loopback until a rule admits its port, then to all addresses', () => {
    const { stack, host } = hostStack();
    expect(host.listenAddress).toBe('127.0.0.1');
    host.connections.allowFrom(Peer.ipv4('10.0.0.0/16'), Port.tcp(8080));
    expect(host.listenAddress).toBe('0.0.0.0');
    expect(userDataParts(synthJson(stack))[0].content).toContain('Environment=LISTEN_ADDR=0.0.0.0:8080');
  });

  it('admits in UFW exactly what the security group admits', () => {
    const { stack, host } = hostStack({ adminSshCidrs: ['203.0.113.0/24'] });
    host.connections.allowFrom(Peer.anyIpv4(), Port.HTTPS, 'HTTPS from anywhere');
    const script = userDataParts(synthJson(stack))[1].content;
    const ufw = script.split('\n').filter((l) => l.startsWith('ufw allow'));
    expect(ufw).toEqual([
      "ufw allow proto tcp from 203.0.113.0/24 to any port 22 comment 'SSH from admin CIDR'",
      "ufw allow proto tcp from 0.0.0.0/0 to any port 443 comment 'HTTPS from anywhere'",
    ]);
  });

  it("admits a security-group peer in UFW from the addresses it stands for: the peer's VPC, an interface's address, the private ranges for a bare group ID", () => {
    const { stack } = newStack();
    const a = new HardenedGoHost(stack, 'A', { ...baseProps, serviceName: 'a-svc' });
    const b = new HardenedGoHost(stack, 'B', { ...baseProps, serviceName: 'b-svc' });
    const c = new HardenedGoHost(stack, 'C', { ...baseProps, serviceName: 'c-svc', stablePrivateAddress: true });
    a.connections.allowFrom(b, Port.tcp(8080), 'app from b');
    a.connections.allowFrom(c, Port.tcp(8080), 'app from c');
    a.connections.allowFrom(c, Port.tcp(9464), 'metrics from c');
    a.connections.allowFrom(Peer.securityGroupId('sg-0123456789abcdef0', 'other'), Port.tcp(9000), 'from a group of someone else');
    const tf = synthJson(stack);
    const scripts = Object.values<any>(tf.data.cloudinit_config).map((c) => c.part[1].content as string);
    const aScript = scripts.find((s) => s.includes('a-svc'))!;
    expect(aScript.split('\n').filter((l) => l.startsWith('ufw allow'))).toEqual([
      expect.stringMatching(/^ufw allow proto tcp from \$\{data\.aws_vpc\.B_Vpc_[0-9A-F]+\.cidr_block\} to any port 8080 comment 'app from b'$/),
      // One rule for both ports from c's address: the same reference joins them.
      expect.stringMatching(/^ufw allow proto tcp from \$\{aws_network_interface\.C_NetworkInterface_[0-9A-F]+\.private_ip\}\/32 to any port 8080,9464 comment 'app from c, metrics from c'$/),
      "ufw allow proto tcp from 10.0.0.0/8 to any port 9000 comment 'from a group of someone else'",
      "ufw allow proto tcp from 172.16.0.0/12 to any port 9000 comment 'from a group of someone else'",
      "ufw allow proto tcp from 192.168.0.0/16 to any port 9000 comment 'from a group of someone else'",
    ]);
    // The library's own addresses get no precondition (AWS made them); a user's CIDR reference would.
    const instance = Object.entries<any>(tf.resource.aws_instance).find(([k]) => k.startsWith('A_'))![1];
    expect(JSON.stringify(instance.lifecycle?.precondition ?? [])).not.toMatch(/aws_vpc|aws_network_interface/);
  });
});

describe('HardenedGoHost: self-healing', () => {
  it('recovers the instance when the system status check fails', () => {
    const alarm = resourcesOf(synthJson(hostStack().stack), 'aws_cloudwatch_metric_alarm')[0];
    expect(alarm).toMatchObject({ namespace: 'AWS/EC2', metric_name: 'StatusCheckFailed_System', comparison_operator: 'GreaterThanOrEqualToThreshold', threshold: 1 });
    expect(alarm.alarm_actions[0]).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:automate:\$\{data\.aws_region\.[^}]+\}:ec2:recover$/);
  });

  it('can be turned off', () => {
    expect(resourcesOf(synthJson(hostStack({ autoRecovery: false }).stack), 'aws_cloudwatch_metric_alarm')).toHaveLength(0);
  });
});

describe('HardenedGoHost: user data content', () => {
  it('escapes bash ${…} so Terraform does not interpolate it', () => {
    const { stack } = hostStack({ environment: { GREETING: 'hello ${USER}' } });
    const cc = userDataParts(synthJson(stack))[0].content;
    expect(cc).toContain('Environment="GREETING=hello $${USER}"');
  });

  it('passes late-bound values through as Terraform references', () => {
    const { stack } = newStack();
    const { TerraformVariable } = require('cdktf');
    const endpoint = new TerraformVariable(stack, 'db', { type: 'string' });
    new HardenedGoHost(stack, 'Api', { ...baseProps, environment: { DB_HOST: endpoint.stringValue } });
    const cc = userDataParts(synthJson(stack))[0].content;
    // Quoted for systemd by Terraform: backslash, quote and % escaped in the resolved value.
    expect(cc).toContain('Environment="DB_HOST=${replace(replace(replace(var.db, "\\\\", "\\\\\\\\"), "\\"", "\\\\\\""), "%", "%%")}"');
  });

  it('derives GOMAXPROCS and GOMEMLIMIT from the limits', () => {
    const cc = userDataParts(synthJson(hostStack({ memoryMax: '1000M', cpuQuota: '150%' }).stack))[0].content;
    expect(cc).toContain('Environment=GOMAXPROCS=2\n');
    expect(cc).toContain('Environment=GOMEMLIMIT=900MiB\n');
    expect(cc).toContain('MemoryMax=1000M\n');
    expect(cc).toContain('MemoryHigh=950M\n');
    expect(cc).toContain('CPUQuota=150%\n');
  });

  it('defaults MemoryMax to 75% and CPUQuota to 90% per vCPU of the instance type', () => {
    const cc = userDataParts(synthJson(hostStack({ instanceType: 'm7i.large' }).stack))[0].content;
    expect(cc).toContain('MemoryMax=6144M\n');
    expect(cc).toContain('CPUQuota=180%\n');
  });

  it('never emits tcp_tw_recycle or bbr2', () => {
    const cc = userDataParts(synthJson(hostStack().stack))[0].content;
    expect(cc).not.toMatch(/tcp_tw_recycle\s*=/);
    expect(cc).not.toMatch(/=\s*bbr2/);
  });

  it('leaves vm.overcommit_memory alone unless strictOvercommit is set, and warns when it is', () => {
    expect(userDataParts(synthJson(hostStack().stack))[0].content).not.toContain('vm.overcommit_memory');
    const { stack, host } = hostStack({ strictOvercommit: true });
    expect(userDataParts(synthJson(stack))[0].content).toContain('vm.overcommit_memory = 2');
    const warnings = host.node.metadata.filter((m) => m.type.includes('warn')).map((m) => String(m.data));
    expect(warnings.some((w) => w.includes('strictOvercommit'))).toBe(true);
  });

  it('defers the files that belong to the service user or a package', () => {
    const { stack } = hostStack({ configFileContent: 'key = value\n' });
    const YAML = require('yaml');
    const doc = YAML.parse(userDataParts(synthJson(stack))[0].content);
    const deferred = doc.write_files.filter((f: any) => f.defer).map((f: any) => f.path);
    expect(deferred).toEqual(['/etc/apt/apt.conf.d/20auto-upgrades', '/etc/orders-api/orders-api.conf']);
    expect(doc.users[0]).toBe('default');
    expect(doc.users[1]).toMatchObject({ name: 'orders-api', system: true, shell: '/usr/sbin/nologin' });
  });

  it('keeps the user data well under 16 KB gzipped and reports the size', () => {
    const { host } = hostStack();
    expect(host.userDataGzipBytes()).toBeGreaterThan(1000);
    expect(host.userDataGzipBytes()).toBeLessThan(16384);
  });
});

describe('HardenedGoHost: readiness', () => {
  it('covers every G and X row of GUIDANCE.md', () => {
    const rows = hostStack().host.readiness();
    const ids = rows.map((r) => r.id);
    for (let i = 1; i <= 25; i++) expect(ids).toContain(`G${i}`);
    for (const x of ['X1', 'X2', 'X3', 'R1']) expect(ids).toContain(x);
  });

  it('reports strict overcommit as off by default, with the reason', () => {
    const g12 = hostStack().host.readiness().find((r) => r.id === 'G12')!;
    expect(g12.status).toBe('off');
    expect(g12.detail).toContain('Go');
  });
});

describe('HardenedGoHost: snapshot tripwire', () => {
  it('matches the last reviewed synthesis', () => {
    expect(Testing.synth(hostStack({ adminSshCidrs: ['203.0.113.0/24'] }).stack)).toMatchSnapshot();
  });
});

describe('HardenedHost without a Go service, and misuse reported with the rest', () => {
  it('a plain HardenedHost needs only its props and is named after its construct ID', () => {
    const { stack } = newStack();
    new HardenedHost(stack, 'Bastion_Host', { subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0' });
    const sg = resourcesOf(synthJson(stack), 'aws_security_group')[0];
    expect(sg.name_prefix).toBe('bastion-host-');
  });

  it('an environment variable set twice is an input failure naming the host, not a thrown error', () => {
    const { stack, host } = hostStack({ environment: { APP_ENV: 'production' } });
    expect(() => host.addEnvironment('APP_ENV', 'staging')).not.toThrow();
    expect(() => Testing.synth(stack, true)).toThrow(/environment\.APP_ENV = "staging": is already set/);
  });
});

describe('NTP servers other than the Amazon Time Sync Service', () => {
  const egress = (tf: any) => resourcesOf(tf, 'aws_vpc_security_group_egress_rule').filter((r) => r.ip_protocol === 'udp' && r.from_port === 123);
  it('get UDP 123 out: to the address given, or anywhere for a name; the link-local default needs no rule', () => {
    expect(egress(synthJson(hostStack().stack))).toEqual([]);
    expect(egress(synthJson(hostStack({ ntpServers: ['203.0.113.5'] }).stack)).map((r) => r.cidr_ipv4)).toEqual(['203.0.113.5/32']);
    expect(egress(synthJson(hostStack({ ntpServers: ['time.aws.com'] }).stack)).map((r) => r.cidr_ipv4 ?? r.cidr_ipv6).sort()).toEqual(['0.0.0.0/0', '::/0']);
    expect(egress(synthJson(hostStack({ ntpServers: ['169.254.169.123', 'fd00:ec2::123'] }).stack))).toEqual([]);
  });
});
