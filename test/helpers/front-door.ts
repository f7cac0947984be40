/** Front-door stacks for tests, and the files their user data writes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CertificateSource, NginxFrontDoor, NginxFrontDoorProps } from '../../lib';
import { hostFiles, HostFiles } from './host-files';
import { inPrivateRoot } from './namespaces';
import { RunResult, tempDir } from './tools';
import { baseProps, newStack, synthJson } from './stacks';

export const DOMAIN = 'shop.example.test';

export const fdBaseProps: NginxFrontDoorProps = {
  domainNames: [DOMAIN],
  certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }),
  subnetId: baseProps.subnetId,
  vpcId: baseProps.vpcId,
  upstreams: ['127.0.0.1:18081', '127.0.0.1:18082'],
};

/** The files an own-instance front door writes, from the synthesized JSON. */
export function frontDoorFiles(props: Partial<NginxFrontDoorProps> = {}): HostFiles {
  const { stack } = newStack();
  new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, ...props });
  const tf = synthJson(stack);
  const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
  return hostFiles(ci.part);
}

/** Writes every file below `dir`, mirroring the absolute paths. */
export function materialize(files: HostFiles, dir: string, filter: (p: string) => boolean = () => true): void {
  for (const p of files.paths().filter(filter)) {
    const target = path.join(dir, p);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, files.file(p), { mode: files.mode(p) });
  }
}

/** nginx -t on a front door's configuration, in a private root with a placeholder certificate made here. */
export function nginxTest(files: HostFiles): RunResult {
  const dir = tempDir('nginx');
  materialize(files, dir, (p) => p.startsWith('/etc/nginx/gohost/'));
  return inPrivateRoot([
    `cp -r ${dir}/etc/nginx/gohost /etc/nginx/gohost`,
    'install -d -m 0750 /etc/nginx/gohost/tls',
    `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=${DOMAIN} -keyout /etc/nginx/gohost/tls/placeholder.key -out /etc/nginx/gohost/tls/placeholder.crt 2>/dev/null`,
    'ln -s placeholder.crt /etc/nginx/gohost/tls/live.crt',
    'ln -s placeholder.key /etc/nginx/gohost/tls/live.key',
    'nginx -t -c /etc/nginx/gohost/nginx.conf',
  ].join('\n'));
}
