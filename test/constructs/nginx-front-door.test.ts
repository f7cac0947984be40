import { describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, NginxFrontDoor } from '../../lib';
import { hostFiles } from '../helpers/host-files';
import { DOMAIN, fdBaseProps } from '../helpers/front-door';
import { baseProps, newStack, resourcesOf, synthJson } from '../helpers/stacks';

function singleHost() {
  const { stack } = newStack();
  const host = new HardenedGoHost(stack, 'Api', baseProps);
  const fd = new NginxFrontDoor(stack, 'FrontDoor', {
    host,
    domainNames: [DOMAIN],
    certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }),
  });
  return { stack, host, fd, tf: synthJson(stack) };
}

function fleet(certificate = CertificateSource.letsEncrypt({ email: 'ops@example.test' }), instanceCount?: number) {
  const { stack } = newStack();
  const apis = [1, 2, 3].map((n) => new HardenedGoHost(stack, `Api${n}`, { ...baseProps, serviceName: `api-${n}` }));
  const fd = new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, upstreams: apis, certificate, instanceCount });
  return { stack, apis, fd, tf: synthJson(stack) };
}

const ingress = (tf: any) => resourcesOf(tf, 'aws_vpc_security_group_ingress_rule');

describe('NginxFrontDoor on the Go host (single-host shape)', () => {
  const { tf, host } = singleHost();

  it('opens 80 and 443 from anywhere over IPv4 and IPv6, and nothing else', () => {
    expect(ingress(tf).map((r) => `${r.ip_protocol}/${r.from_port} ${r.cidr_ipv4 ?? r.cidr_ipv6}`).sort()).toEqual([
      'tcp/443 0.0.0.0/0', 'tcp/443 ::/0', 'tcp/80 0.0.0.0/0', 'tcp/80 ::/0',
    ]);
  });

  it('keeps the Go service on 127.0.0.1 and proxies to it there', () => {
    expect(host.listenAddress).toBe('127.0.0.1');
    const files = hostFiles(Object.values<any>(tf.data.cloudinit_config)[0].part);
    expect(files.file('/etc/nginx/gohost/nginx.conf')).toContain('server 127.0.0.1:8080 max_fails=2 fail_timeout=15s;');
  });

  it('adds nginx to the same user data, after the Go service starts', () => {
    const files = hostFiles(Object.values<any>(tf.data.cloudinit_config)[0].part);
    expect(files.doc.packages).toEqual(expect.arrayContaining(['nginx', 'certbot']));
    expect(files.script.indexOf('systemctl enable --now orders-api.service')).toBeLessThan(files.script.indexOf('systemctl restart nginx.service'));
  });

  it('mirrors 80/443 into UFW', () => {
    const files = hostFiles(Object.values<any>(tf.data.cloudinit_config)[0].part);
    const ufw = files.script.split('\n').filter((l) => l.startsWith('ufw allow'));
    expect(ufw).toEqual(["ufw allow proto tcp from any to any port 80,443 comment 'HTTP ACME and redirect, HTTPS'"]);
  });

  it('reports the N rows in the host readiness', () => {
    const ids = host.readiness().map((r) => r.id);
    for (let i = 1; i <= 18; i++) expect(ids).toContain(`N${i}`);
  });
});

describe('NginxFrontDoor on its own instance (fleet shape)', () => {
  const { tf, apis } = fleet();

  it('creates one hardened instance with a public IP', () => {
    const fdInstance = Object.entries<any>(tf.resource.aws_instance).find(([k]) => k.startsWith('FrontDoor'))![1];
    expect(fdInstance.associate_public_ip_address).toBe(true);
    expect(fdInstance.metadata_options.http_tokens).toBe('required');
  });

  it('lets the Go hosts admit their port from the front door group only, never from an address range', () => {
    const apiRules = ingress(tf).filter((r) => /Api\d/.test(r.security_group_id));
    expect(apiRules).toHaveLength(3);
    for (const r of apiRules) {
      expect(r.from_port).toBe(8080);
      expect(r.referenced_security_group_id).toMatch(/aws_security_group\.FrontDoor_Host_SecurityGroup/);
      expect(r.cidr_ipv4).toBeUndefined();
      expect(r.cidr_ipv6).toBeUndefined();
    }
    for (const api of apis) expect(api.listenAddress).toBe('0.0.0.0');
  });

  it('gives the front door the matching egress rules', () => {
    const egress = resourcesOf(tf, 'aws_vpc_security_group_egress_rule').filter((r) => r.referenced_security_group_id);
    expect(egress).toHaveLength(3);
    expect(egress.every((r) => /FrontDoor_Host_SecurityGroup/.test(r.security_group_id) && r.from_port === 8080)).toBe(true);
  });

  it('proxies to the Go hosts by their private IPs (Terraform references)', () => {
    const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
    const conf = hostFiles(ci.part).file('/etc/nginx/gohost/nginx.conf');
    expect(conf.match(/server \$\{aws_instance\.Api\d_Instance_[A-F0-9]+\.private_ip\}:8080 max_fails=2 fail_timeout=15s;/g)).toHaveLength(3);
  });
});

describe('NginxFrontDoor certificates', () => {
  it("installs certbot with a retrying service and a deploy hook for Let's Encrypt", () => {
    const { tf } = fleet();
    const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
    const files = hostFiles(ci.part);
    expect(files.doc.packages).toContain('certbot');
    expect(files.file('/etc/letsencrypt/renewal-hooks/deploy/gohost-nginx')).toContain('exec /usr/local/lib/gohost/nginx-reload-certificate');
    expect(files.file('/usr/local/lib/gohost/obtain-certificate')).toContain('--webroot -w /var/www/acme');
    expect(files.script).toContain('systemctl start --no-block gohost-certificate.service');
  });

  it('grants ssm:GetParameter on exactly the two parameters of a bring-your-own certificate', () => {
    const { tf } = fleet(CertificateSource.fromSsmParameters({ certificateParameterName: '/tls/shop/cert', privateKeyParameterName: '/tls/shop/key' }));
    const policy = resourcesOf(tf, 'aws_iam_role_policy').find((p) => p.name === 'read-tls-certificate');
    const statements = JSON.parse(policy.policy).Statement;
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: [
        expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:ssm:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:parameter\/tls\/shop\/cert$/),
        expect.stringMatching(/:parameter\/tls\/shop\/key$/),
      ],
    }]);
  });

  it('grants secretsmanager:GetSecretValue on exactly one secret, and kms:Decrypt on its key', () => {
    const { tf } = fleet(CertificateSource.fromSecretsManager({ secretId: 'shop-tls', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/abc' }));
    const statements = JSON.parse(resourcesOf(tf, 'aws_iam_role_policy').find((p) => p.name === 'read-tls-certificate').policy).Statement;
    expect(statements[0]).toMatchObject({ Action: 'secretsmanager:GetSecretValue', Resource: expect.stringMatching(/:secret:shop-tls-\?\?\?\?\?\?$/) });
    expect(statements[1]).toEqual({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111122223333:key/abc' });
  });

  it('never puts private key material in the synthesized JSON', () => {
    for (const { tf } of [fleet(), fleet(CertificateSource.fromSsmParameters({ certificateParameterName: 'c', privateKeyParameterName: 'k' }))]) {
      expect(JSON.stringify(tf)).not.toMatch(/BEGIN (EC |RSA )?PRIVATE KEY/);
    }
  });

  it('runs several identical front doors with a bring-your-own certificate, keeping the first ID', () => {
    const { fd } = fleet(CertificateSource.fromSsmParameters({ certificateParameterName: 'c', privateKeyParameterName: 'k' }), 2);
    expect(fd.hosts.map((h) => h.node.id)).toEqual(['Host', 'Host2']);
  });
});
