/**
 * Lookups every host of a stack shares (partition, region, AMIs, the cloudinit provider): one
 * construct per stack instead of one set per host, so a thousand hosts plan a handful of data
 * sources.
 */
import { Construct } from 'constructs';
import { DistroInfo } from './distro';
import { DataAwsAmi, DataAwsCallerIdentity, DataAwsPartition, DataAwsRegion } from '../private/aws';
import { TerraformStack } from '../private/cdktf';
import { CloudinitProvider } from '../private/cloudinit';

const ID = 'GoHostLookups';

export class StackLookups extends Construct {
  /** The shared instance of `scope`'s stack, created on first use. */
  public static of(scope: Construct): StackLookups {
    const stack = TerraformStack.of(scope);
    return (stack.node.tryFindChild(ID) as StackLookups | undefined) ?? new StackLookups(stack, ID);
  }

  public readonly partition: DataAwsPartition;
  public readonly region: DataAwsRegion;
  /**
   * The library's own cloudinit provider, aliased: it needs no settings, and a user's own
   * (unaliased) `cloudinit` provider in the same stack does not clash with it.
   */
  public readonly cloudinit: CloudinitProvider;
  /** `arn:<partition>`, one token for the stack: every attribute read is a new token, with its own captured stack trace. */
  public readonly arnPrefix: string;
  /** The region's name, one token for the stack. */
  public readonly regionName: string;
  private account?: string;
  private readonly amis = new Map<string, { readonly id: string; readonly rootDeviceName: string }>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.partition = new DataAwsPartition(this, 'Partition');
    this.region = new DataAwsRegion(this, 'Region');
    this.cloudinit = new CloudinitProvider(this, 'Cloudinit', { alias: 'gohost' });
    this.arnPrefix = `arn:${this.partition.partition}`;
    this.regionName = this.region.name;
  }

  /** The account's ID (a data source created on first use), one token for the stack. */
  public get accountId(): string {
    this.account ??= new DataAwsCallerIdentity(this, 'Account').accountId;
    return this.account;
  }

  /** The latest AMI of `distro` for `arch` (its ID and root device), one data source per pair. */
  public ami(distro: DistroInfo, arch: 'amd64' | 'arm64'): { readonly id: string; readonly rootDeviceName: string } {
    const key = `${distro.name}-${arch}`;
    let ami = this.amis.get(key);
    if (!ami) {
      const data = new DataAwsAmi(this, `Ami-${key}`, {
        mostRecent: true,
        owners: [distro.amiOwner],
        filter: [
          { name: 'name', values: [distro.amiNamePattern.replace('{arch}', arch)] },
          { name: 'state', values: ['available'] },
          { name: 'virtualization-type', values: ['hvm'] },
        ],
      });
      ami = { id: data.id, rootDeviceName: data.rootDeviceName };
      this.amis.set(key, ami);
    }
    return ami;
  }
}
