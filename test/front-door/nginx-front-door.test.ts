import { frontDoorFiles } from '../helpers/front-door';
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

  it('lets the Go hosts admit their port from the front door\'s load balancer group only, never from an address range', () => {
    const apiRules = ingress(tf).filter((r) => /Api\d/.test(r.security_group_id));
    expect(apiRules).toHaveLength(3);
    for (const r of apiRules) {
      expect(r.from_port).toBe(8080);
      expect(r.referenced_security_group_id).toMatch(/aws_security_group\.FrontDoor_Upstream_SecurityGroup/);
      expect(r.cidr_ipv4).toBeUndefined();
      expect(r.cidr_ipv6).toBeUndefined();
    }
    const lbRules = ingress(tf).filter((r) => /FrontDoor_Upstream_SecurityGroup/.test(r.security_group_id));
    expect(lbRules.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([[8080, expect.stringMatching(/FrontDoor_Host_SecurityGroup/)]]);
    for (const api of apis) expect(api.listenAddress).toBe('0.0.0.0');
  });

  it('gives the front door and the load balancer the matching egress rules', () => {
    const egress = resourcesOf(tf, 'aws_vpc_security_group_egress_rule').filter((r) => r.referenced_security_group_id);
    const fromFrontDoor = egress.filter((r) => /FrontDoor_Host_SecurityGroup/.test(r.security_group_id));
    expect(fromFrontDoor.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([[8080, expect.stringMatching(/FrontDoor_Upstream_SecurityGroup/)]]);
    const fromLb = egress.filter((r) => /FrontDoor_Upstream_SecurityGroup/.test(r.security_group_id));
    expect(fromLb.map((r) => r.referenced_security_group_id)).toEqual([1, 2, 3].map((n) => expect.stringMatching(new RegExp(`Api${n}_SecurityGroup`))));
  });

  it('proxies to its internal load balancer\'s name, never to an instance address', () => {
    const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
    const raw = ci.part.map((p: any) => p.content).join('\n');
    expect(raw).toMatch(/server \$\{aws_lb\.FrontDoor_Upstream_LoadBalancer_[A-F0-9]+\.dns_name\}:8080 max_fails=2 fail_timeout=15s;/);
    expect(raw).not.toMatch(/aws_instance\./);
    expect(resourcesOf(tf, 'aws_lb_target_group_attachment')).toHaveLength(3);
  });

  it('keeps its public address in an Elastic IP associated with the instance', () => {
    const [eip] = resourcesOf(tf, 'aws_eip');
    expect(eip.domain).toBe('vpc');
    const [association] = resourcesOf(tf, 'aws_eip_association');
    expect(association.allocation_id).toMatch(/aws_eip\.FrontDoor_ElasticIp_[A-F0-9]+\.allocation_id/);
    expect(association.instance_id).toMatch(/aws_instance\.FrontDoor_Host_Instance_[A-F0-9]+\.id/);
  });
});

describe('NginxFrontDoor certificates', () => {
  it("installs certbot with a retrying service; with a store its own timer renews, one front door at a time, and the fleet's account is restored at boot", () => {
    const { tf } = fleet();
    const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
    const files = hostFiles(ci.part);
    expect(files.doc.packages).toContain('certbot');
    expect(files.file('/usr/local/lib/gohost/obtain-certificate')).toContain('--webroot -w /var/www/acme');
    expect(files.file('/usr/local/lib/gohost/obtain-certificate')).toContain('elif ! take_order_lock; then');
    expect(files.paths()).not.toContain('/etc/letsencrypt/renewal-hooks/deploy/gohost-nginx');
    expect(files.script).toContain('if systemctl cat certbot.timer > /dev/null 2>&1; then systemctl disable --now certbot.timer; fi');
    expect(files.script).toContain('/usr/local/lib/gohost/acme-account --restore-only ||');
    expect(files.file('/etc/nginx/gohost/nginx.conf')).toMatch(/location ~ \^\/\[\.\]well-known\/acme-challenge\/\(\[-_A-Za-z0-9\]\+\)\$ \{\n\s+include \/etc\/nginx\/gohost\/acme-challenge\.conf;/);
    expect(files.script).toContain('systemctl start --no-block gohost-certificate.service gohost-certificate.timer');
  });

  it("without a store: the package's timer renews and a deploy hook reloads nginx; no shared account", () => {
    const files = frontDoorFiles({ persistCertificate: false });
    expect(files.file('/etc/letsencrypt/renewal-hooks/deploy/gohost-nginx')).toBe(
      '#!/usr/bin/env bash\n# certbot deploy hook: runs after every successful renewal.\nset -euo pipefail\n/usr/local/lib/gohost/nginx-reload-certificate\n',
    );
    expect(files.paths()).not.toContain('/usr/local/lib/gohost/acme-account');
    expect(files.file('/usr/local/lib/gohost/obtain-certificate')).not.toContain('take_order_lock');
    expect(files.file('/etc/nginx/gohost/nginx.conf')).not.toContain('acme-challenge.conf');
    expect(files.script).not.toContain('certbot.timer');
  });

  it('keeps the issued certificate in a Secrets Manager secret it creates empty, restored before nginx starts', () => {
    const { tf } = fleet();
    const [secret] = resourcesOf(tf, 'aws_secretsmanager_secret');
    expect(secret.name_prefix).toBe('gohost-front-door-certificate-');
    // No secret version: the key material never passes through Terraform.
    expect(tf.resource.aws_secretsmanager_secret_version).toBeUndefined();
    const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
    const files = hostFiles(ci.part);
    expect(files.file('/usr/local/lib/gohost/restore-certificate')).toContain('X-Amz-Target: secretsmanager.GetSecretValue');
    expect(files.file('/usr/local/lib/gohost/persist-certificate')).toContain('X-Amz-Target: secretsmanager.PutSecretValue');
    expect(files.file('/usr/local/lib/gohost/obtain-certificate')).toMatch(/if live_certificate_fresh; then\n.*nothing to do/);
    // Restored before nginx starts, so a replaced front door serves the real certificate at once.
    const restore = files.script.indexOf('/usr/local/lib/gohost/restore-certificate ||');
    expect(restore).toBeGreaterThan(0);
    expect(restore).toBeLessThan(files.script.indexOf('systemctl restart nginx.service'));
  });

  it('lets the front door read and write exactly its certificate secret', () => {
    const { tf } = fleet();
    const policy = resourcesOf(tf, 'aws_iam_role_policy').find((p) => p.name === 'keep-tls-certificate');
    expect(JSON.parse(policy.policy).Statement).toEqual([{
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      Resource: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.FrontDoor_CertificateStore_[A-F0-9]+\.arn\}$/),
    }]);
  });

  it('creates no certificate store when persistCertificate is off or the certificate is brought', () => {
    expect(resourcesOf(fleet(CertificateSource.fromSsmParameters({ certificateParameterName: '/a', privateKeyParameterName: '/b' })).tf, 'aws_secretsmanager_secret')).toEqual([]);
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
