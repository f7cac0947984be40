/** The fleet example's stacks as tests use them; hostFiles resolves references as on a deployed stack. */
import { Testing } from 'cdktf';
import { HostFiles, hostFiles } from './host-files';
import { synthJson } from './stacks';
import { FleetStack } from '../../examples/fleet/main';

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
      return hostFiles(entry[1].part);
    },
  };
}
