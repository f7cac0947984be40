/**
 * Every file a front door writes, judged by the program that consumes it: nginx -t (Debian's
 * nginx) with placeholder certificates made by the test, cloud-init schema, shellcheck,
 * systemd-analyze verify.
 */
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, MachineImage, NginxFrontDoor, NginxFrontDoorProps } from '../../lib';
import { DOMAIN, fdBaseProps, frontDoorFiles, materialize, nginxTest } from '../helpers/front-door';
import { hostFiles, HostFiles } from '../helpers/host-files';
import { inPrivateRoot } from '../helpers/namespaces';
import { baseProps, newStack, synthJson } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

const CA = run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test client CA', '-keyout', '/dev/null'], {}).stdout;

const VARIANTS: Record<string, Partial<NginxFrontDoorProps>> = {
  "Let's Encrypt, intermediate TLS": {},
  'modern TLS, mTLS, static files, rate limit, SSM certificate': {
    tlsProfile: 'modern',
    mtlsPaths: ['/internal/'],
    mtlsClientCaBundle: CA,
    staticRootDirectory: '/var/www/static',
    proxyPaths: ['/api/'],
    rateLimitPerSecond: 20,
    hstsIncludeSubdomains: true,
    hstsPreload: true,
    certificate: CertificateSource.fromSsmParameters({ certificateParameterName: '/tls/cert', privateKeyParameterName: '/tls/key' }),
  },
  'Secrets Manager certificate on Debian 12': {
    machineImage: MachineImage.debian12(),
    certificate: CertificateSource.fromSecretsManager({ secretId: 'shop-tls' }),
  },
  'Ubuntu 22.04 (nginx 1.18: no ssl_reject_handshake)': { machineImage: MachineImage.ubuntu2204() },
};

function fleetFrontDoorFiles(): HostFiles {
  const { stack } = newStack();
  const apis = [1, 2, 3].map((n) => new HardenedGoHost(stack, `Api${n}`, { ...baseProps, serviceName: `api-${n}` }));
  new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, upstreams: apis });
  const tf = synthJson(stack);
  const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
  // The private IPs are known at apply time; nginx -t needs addresses, so the test puts some in.
  let n = 0;
  const parts = ci.part.map((p: any) => ({ ...p, content: p.content.replace(/\$\{aws_instance\.[^}]+\.private_ip\}/g, () => `10.0.1.${++n}`) }));
  return hostFiles(parts);
}

function singleHostFiles(): HostFiles {
  const { stack } = newStack();
  const host = new HardenedGoHost(stack, 'Api', baseProps);
  new NginxFrontDoor(stack, 'FrontDoor', { host, domainNames: [DOMAIN], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }) });
  return hostFiles(Object.values<any>(synthJson(stack).data.cloudinit_config)[0].part);
}

const all: Array<{ name: string; files: HostFiles }> = [
  ...Object.entries(VARIANTS).map(([name, props]) => ({ name, files: frontDoorFiles(props) })),
  { name: 'fleet: three Go hosts as upstreams', files: fleetFrontDoorFiles() },
  { name: 'single host: nginx beside the Go service', files: singleHostFiles() },
];

beforeAll(() => {
  for (const t of ['nginx', 'openssl', 'cloud-init', 'shellcheck', 'systemd-analyze', 'unshare']) requireTool(t);
});

const scripts = (f: HostFiles) => f.paths().filter((p) => p.startsWith('/usr/local/lib/gohost/') || p.includes('renewal-hooks'));

describe.each(all)('front door files ($name)', ({ files }) => {
  it('nginx -t accepts the configuration (placeholder certificate made by the test)', () => {
    const r = nginxTest(files);
    expect(r.stderr).toContain('test is successful');
    expect(r.stderr).not.toMatch(/\[warn\]|\[emerg\]/);
    expect(r.status).toBe(0);
  });

  it('cloud-init schema accepts the cloud-config', () => {
    const f = path.join(tempDir('cc'), 'user-data.yaml');
    require('node:fs').writeFileSync(f, files.cloudConfig);
    const r = run('cloud-init', ['schema', '--config-file', f]);
    expect(r.stdout + r.stderr).toContain('Valid cloud-config');
  });

  it('shellcheck finds nothing in the bootstrap script or the front door scripts', () => {
    expect(run('shellcheck', ['--shell=bash', '-'], { input: files.script }).stdout).toBe('');
    expect(scripts(files).length).toBeGreaterThanOrEqual(3);
    for (const p of scripts(files)) {
      const r = run('shellcheck', ['-'], { input: files.file(p) });
      expect(r.stdout, p).toBe('');
    }
  });

  it('systemd-analyze verify accepts nginx.service with the drop-in and the certificate units', () => {
    const dir = tempDir('units');
    materialize(files, dir, (p) => p.startsWith('/etc/systemd/system/') || p.startsWith('/usr/local/lib/gohost/'));
    const units = files.paths().filter((p) => /^\/etc\/systemd\/system\/gohost-certificate.*\.(service|timer)$/.test(p));
    const r = inPrivateRoot([
      `cp -r ${dir}/etc/systemd/system/. /etc/systemd/system/`,
      `mkdir -p /usr/local/lib/gohost && cp ${dir}/usr/local/lib/gohost/* /usr/local/lib/gohost/`,
      `systemd-analyze verify nginx.service ${units.join(' ')}`,
    ].join('\n'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
