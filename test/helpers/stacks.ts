/** Stacks for construct tests. Tests may import cdktf directly; the library goes through its shim. */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { HardenedGoHost, HardenedGoHostProps, ReleaseArtifact } from '../../lib';

export const SHA = 'a'.repeat(64);

export const baseProps: HardenedGoHostProps = {
  serviceName: 'orders-api',
  subnetId: 'subnet-0123456789abcdef0',
  vpcId: 'vpc-0123456789abcdef0',
  artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'orders-api/v1/orders-api' }, SHA),
};

export function newStack(): { app: App; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return { app, stack };
}

export function hostStack(props: Partial<HardenedGoHostProps> = {}): { stack: TerraformStack; host: HardenedGoHost } {
  const { stack } = newStack();
  const host = new HardenedGoHost(stack, 'Api', { ...baseProps, ...props });
  return { stack, host };
}

/** Synthesized Terraform JSON (validations run). */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack, true));
}

export function resourcesOf(tf: any, type: string): any[] {
  return Object.values(tf.resource?.[type] ?? {});
}

/** The user-data parts as synthesized: [cloud-config, script]. */
export function userDataParts(tf: any): Array<{ content: string; content_type: string; filename: string }> {
  const configs = Object.values<any>(tf.data.cloudinit_config);
  return configs[0].part;
}
