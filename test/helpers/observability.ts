/** The fleet example's stacks as tests use them, with Terraform references replaced by addresses. */
import { HostFiles, hostFiles } from './host-files';
import { synthJson } from './stacks';
import { FleetStack } from '../../examples/fleet/main';
import { Testing } from 'cdktf';

/** Replaces `${aws_instance.X.private_ip}` and other references with concrete test values. */
export function concrete(text: string, addresses: Map<string, string>): string {
  return text
    .replace(/\$\{aws_instance\.([A-Za-z0-9_]+)\.private_ip\}/g, (_, id: string) => {
      if (!addresses.has(id)) addresses.set(id, `10.204.0.${addresses.size + 11}`);
      return addresses.get(id)!;
    })
    .replace(/\$\{aws_sns_topic\.[^}]+\.arn\}/g, 'arn:aws:sns:eu-west-1:111122223333:gohost-alarms')
    .replace(/\$\{data\.aws_region\.[^}]+\.name\}/g, 'eu-west-1');
}

export interface FleetFiles {
  readonly tf: any;
  readonly addresses: Map<string, string>;
  /** Host files by construct-ID prefix of the cloudinit data source (Api1, FrontDoor, Observability). */
  host(prefix: string): HostFiles;
}

export function fleetFiles(): FleetFiles {
  const stack = new FleetStack(Testing.app(), 'fleet');
  const tf = synthJson(stack);
  const addresses = new Map<string, string>();
  // Resolve in a fixed order so every test sees the same addresses.
  for (const id of Object.keys(tf.resource.aws_instance).sort()) concrete(`\${aws_instance.${id}.private_ip}`, addresses);
  return {
    tf,
    addresses,
    host(prefix: string) {
      const entry = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith(prefix));
      if (!entry) throw new Error(`no user data for ${prefix}`);
      return hostFiles(entry[1].part.map((p: any) => ({ ...p, content: concrete(p.content, addresses) })));
    },
  };
}
