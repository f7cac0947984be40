/** The fleet example's stacks as tests use them, with Terraform references resolved as on a deployed stack. */
import { Testing } from 'cdktf';
import { HostFiles, hostFiles } from './host-files';
import { synthJson } from './stacks';
import { FleetStack } from '../../examples/fleet/main';

/** Replaces the references the monitoring configuration holds with concrete test values. */
export function concrete(text: string): string {
  return text
    .replace(/\$\{aws_sns_topic\.[^}]+\.arn\}/g, 'arn:aws:sns:eu-west-1:111122223333:gohost-alarms')
    .replace(/\$\{data\.aws_region\.[^}]+\.name\}/g, 'eu-west-1');
}

export interface FleetFiles {
  readonly tf: any;
  /** Host files by construct-ID prefix of the cloudinit data source (Api, FrontDoor, Observability). */
  host(prefix: string): HostFiles;
}

export function fleetFiles(): FleetFiles {
  const stack = new FleetStack(Testing.app(), 'fleet');
  const tf = synthJson(stack);
  return {
    tf,
    host(prefix: string) {
      const entry = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith(prefix));
      if (!entry) throw new Error(`no user data for ${prefix}`);
      return hostFiles(entry[1].part.map((p: any) => ({ ...p, content: concrete(p.content) })));
    },
  };
}
