import { describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, MachineImage, NginxFrontDoor, NginxFrontDoorProps } from '../../lib';
import { validationError } from '../helpers/errors';
import { fdBaseProps } from '../helpers/front-door';
import { baseProps, newStack } from '../helpers/stacks';

function messageFor(props: Partial<NginxFrontDoorProps>, withHost = false): string {
  const { stack } = newStack();
  const host = withHost ? new HardenedGoHost(stack, 'Api', baseProps) : undefined;
  const base = withHost ? { ...fdBaseProps, subnetId: undefined, vpcId: undefined, upstreams: undefined, host } : fdBaseProps;
  return validationError(() => new NginxFrontDoor(stack, 'FrontDoor', { ...base, ...props } as NginxFrontDoorProps)).message;
}

describe('NginxFrontDoor rejects bad input at synth time', () => {
  it('names the construct path', () => {
    expect(messageFor({ domainNames: ['bad domain'] })).toContain('[test/FrontDoor] domainNames[0] = "bad domain": is not a valid lower-case DNS name');
  });

  it('invalid domain', () => {
    expect(messageFor({ domainNames: ['Shop_Example'] })).toContain('domainNames[0] = "Shop_Example": is not a valid lower-case DNS name');
  });

  it('no domain', () => {
    expect(messageFor({ domainNames: [] })).toContain('domainNames = []: is empty');
  });

  it("wildcard with Let's Encrypt webroot", () => {
    expect(messageFor({ domainNames: ['*.example.test'] })).toContain("is a wildcard, which Let's Encrypt's HTTP-01 (webroot) challenge cannot validate");
  });

  it('empty upstream list', () => {
    expect(messageFor({ upstreams: [] })).toContain('upstreams = []: is empty: the front door would have nothing to proxy to');
  });

  it('upstream port equal to 80/443 on the same host', () => {
    expect(messageFor({ upstreams: ['127.0.0.1:443'] })).toContain('upstreams[0] = "127.0.0.1:443": points at port 443 on this host, where nginx itself listens (a proxy loop)');
  });

  it('upstream that is not address:port', () => {
    expect(messageFor({ upstreams: ['backend'] })).toContain('upstreams[0] = "backend": is not address:port');
  });

  it('HTTP/3 on a distribution nginx that lacks it', () => {
    expect(messageFor({ http3: true })).toContain('http3 = true: needs nginx ≥ 1.25, and Ubuntu 24.04 LTS (noble) ships nginx 1.24.0');
    expect(messageFor({ http3: true, machineImage: MachineImage.debian12() })).toContain('Debian 12 (bookworm) ships nginx 1.22.1');
  });

  it('bring-your-own certificate without a parameter name', () => {
    expect(messageFor({ certificate: CertificateSource.fromSsmParameters({ certificateParameterName: '/tls/cert', privateKeyParameterName: '' }) })).toContain(
      'certificate.privateKeyParameterName = "": is missing',
    );
  });

  it('Secrets Manager certificate without a secret', () => {
    expect(messageFor({ certificate: CertificateSource.fromSecretsManager({ secretId: '' }) })).toContain('certificate.secretId = "": is missing');
  });

  it('rate limit with zero rate', () => {
    expect(messageFor({ rateLimitPerSecond: 0 })).toContain('rateLimitPerSecond = 0: must be a whole number of requests per second, at least 1');
  });

  it("contact email that is not an address", () => {
    expect(messageFor({ certificate: CertificateSource.letsEncrypt({ email: 'ops' }) })).toContain('certificate.email = "ops": is not an email address');
  });

  describe('contradictions between props', () => {
    it('host and subnetId together', () => {
      expect(messageFor({ subnetId: 'subnet-0123456789abcdef0' }, true)).toContain("subnetId = \"subnet-0123456789abcdef0\": contradicts host");
    });

    it('neither host nor subnetId', () => {
      expect(messageFor({ subnetId: undefined })).toContain('subnetIds = (not set): is required for a front door on its own instances');
    });

    it('subnetId and subnetIds together, and a group without its Elastic IP', () => {
      expect(messageFor({ subnetIds: ['subnet-0123456789abcdef1'] })).toContain('subnetIds = ["subnet-0123456789abcdef1"]: contradicts subnetId');
      const group = { subnetId: undefined, subnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'] };
      expect(messageFor({ ...group, elasticIp: false })).toContain('elasticIp = false: contradicts subnetIds');
      expect(messageFor({ ...group, subnetIds: ['subnet-1'] })).toContain('subnetIds[0] = "subnet-1": is not a subnet ID');
    });

    it("several instances with Let's Encrypt but no certificate store to share it through", () => {
      expect(messageFor({ instanceCount: 2, persistCertificate: false })).toContain("persistCertificate = false: contradicts a Let's Encrypt certificate with instanceCount 2");
    });

    it('instanceCount with host', () => {
      expect(messageFor({ instanceCount: 2 }, true)).toContain('instanceCount = 2: contradicts host');
    });

    it('HSTS preload without includeSubDomains', () => {
      expect(messageFor({ hstsPreload: true })).toContain('hstsPreload = true: requires includeSubDomains');
    });

    it('HSTS preload with HSTS off', () => {
      expect(messageFor({ hstsPreload: true, hstsIncludeSubdomains: true, hsts: false })).toContain('hstsPreload = true: contradicts hsts: false');
    });

    it('HSTS max-age below a year', () => {
      expect(messageFor({ hstsMaxAgeSeconds: 86400 })).toContain('hstsMaxAgeSeconds = 86400: is below one year');
    });

    it('mTLS paths without a client CA bundle', () => {
      expect(messageFor({ mtlsPaths: ['/internal/'] })).toContain('mtlsPaths = ["/internal/"]: need a client CA bundle');
    });

    it('client CA bundle without mTLS paths', () => {
      expect(messageFor({ mtlsClientCaBundle: '-----BEGIN CERTIFICATE-----\n' })).toContain('mtlsClientCaBundle = "(PEM)": has no effect without mtlsPaths');
    });

    it('static path that is also a proxy path', () => {
      expect(messageFor({ staticRootDirectory: '/srv/static', staticUrlPath: '/api/', proxyPaths: ['/api/'] })).toContain('staticUrlPath = "/api/": is also a proxy path');
    });

    it('static URL path without a directory', () => {
      expect(messageFor({ staticUrlPath: '/assets/' })).toContain('staticUrlPath = "/assets/": has no effect without staticRootDirectory');
    });

    it('rate-limit burst without a rate', () => {
      expect(messageFor({ rateLimitBurst: 10 })).toContain('rateLimitBurst = 10: has no effect without rateLimitPerSecond');
    });
  });

  it('reports every failure at once', () => {
    const msg = messageFor({ domainNames: ['x'], upstreams: [], rateLimitPerSecond: 0 });
    expect(msg.match(/^  \[test\/FrontDoor\] /gm)).toHaveLength(3);
  });
});

describe('a certificate from SSM Parameter Store and its key', () => {
  const warningsOf = (kmsKeyArn?: string) => {
    const { stack } = newStack();
    const fd = new NginxFrontDoor(stack, 'FrontDoor', {
      ...fdBaseProps,
      certificate: CertificateSource.fromSsmParameters({ certificateParameterName: '/tls/cert', privateKeyParameterName: '/tls/key', kmsKeyArn }),
    });
    return fd.node.metadata.filter((m) => m.type.includes('warn')).map((m) => String(m.data));
  };

  it('warns without kmsKeyArn: under aws/ssm every principal allowed GetParameter on it can decrypt the private key', () => {
    expect(warningsOf()).toEqual([expect.stringMatching(/^certificate\.kmsKeyArn = \(not set\): .*default aws\/ssm key.*Fix: encrypt it with a customer-managed key/)]);
  });

  it('does not warn with a customer-managed key', () => {
    expect(warningsOf('arn:aws:kms:eu-west-1:111122223333:key/0b9f31f6-7a91-a8f1-0000-000000000000')).toEqual([]);
  });
});
