/** Reads the files a host's user data writes, from its synthesized (or rendered) parts. */
import * as YAML from 'yaml';

export interface HostFiles {
  readonly cloudConfig: string;
  readonly script: string;
  readonly doc: any;
  file(path: string): string;
  /** The permissions cloud-init gives the file (e.g. 0o644). */
  mode(path: string): number;
  paths(): string[];
}

/** What the references user data may hold resolve to on a deployed stack (the real tools then judge resolved text). */
const RESOLVED: Record<string, string> = {
  'aws_lb.dns_name': '10.0.3.10',
  'aws_secretsmanager_secret.arn': 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:gohost-front-door-certificate-AbCdEf',
  'aws_network_interface.private_ip': '10.0.1.20',
  'aws_ebs_volume.id': 'vol-0123456789abcdef0',
  'aws_sns_topic.arn': 'arn:aws:sns:eu-west-1:111122223333:gohost-alarms',
  'data.aws_region.name': 'eu-west-1',
  'data.aws_vpc.cidr_block': '10.0.0.0/16',
};

/** Terraform's work on a template: known references resolved, then `$${` / `%%{` escapes undone. */
export function unescapeTerraform(text: string): string {
  return text
    .replace(/(?<!\$)\$\{((?:data\.)?aws_[a-z_]+)\.[A-Za-z0-9_-]+\.([a-z_]+)\}/g, (m, type: string, attr: string) => RESOLVED[`${type}.${attr}`] ?? m)
    .replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

export function hostFiles(parts: ReadonlyArray<{ content: string }>): HostFiles {
  const cloudConfig = unescapeTerraform(parts[0].content);
  const script = unescapeTerraform(parts[1].content);
  const doc = YAML.parse(cloudConfig, { version: '1.1' });
  const files = new Map<string, string>(doc.write_files.map((f: any) => [f.path, f.content]));
  return {
    cloudConfig,
    script,
    doc,
    file(path: string) {
      const content = files.get(path);
      if (content === undefined) throw new Error(`user data writes no ${path}; it writes ${[...files.keys()].join(', ')}`);
      return content;
    },
    mode(path: string) {
      return parseInt(doc.write_files.find((f: any) => f.path === path).permissions, 8);
    },
    paths: () => [...files.keys()],
  };
}
