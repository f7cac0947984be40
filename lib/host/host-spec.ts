/**
 * What a placement tells the hardened host about itself (its kind, its props' checks) and what
 * the host hands a placement to launch instances with. Pure: types and the role's base grants.
 */
import type { HostConfigurationProps } from './props';
import type { PropChecks } from '../input/prop-checks';
import type { PropType } from '../input/validators';

/**
 * What Session Manager needs on the instance (AWS's own AWSCloud9SSMInstanceProfile): the message
 * channels, which have no resource-level permissions, and the instance's registration.
 */
export const SESSION_MANAGER_STATEMENTS = (instances: string) => [
  { Effect: 'Allow', Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'], Resource: '*' },
  { Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: instances },
];


/** One policy of a host's instance role: its name and actions (resources may be references). */
export interface RoleGrant {
  readonly name: string;
  readonly actions: readonly string[];
  /** What the resources are, in words. */
  readonly on?: string;
}

/** What a front door on a host tells the constructs that watch the host. */
export interface FrontDoorOnHost {
  /** Construct path of the front door (several hosts may share one). */
  readonly path: string;
  /** The first domain name (probed from outside). */
  readonly domainName: string;
  /** The path the front door's health probe requests. */
  readonly healthPath: string;
}

/** What a subclass tells the base host about itself, derived from its checked props. */
export interface HostKind {
  /** Short name: resource name prefixes, tags, the connections' peer name. */
  readonly name: string;
  /** Ports this host's own services listen on (checked against the ephemeral port range). */
  readonly listenPorts?: ReadonlyMap<number, string>;
  /** A subnet the VPC is looked up from when vpcId is not given. */
  readonly subnetIdForVpc: string;
  /** Placement-specific readiness facts. */
  readonly autoRecovery: boolean;
  readonly publicIp: boolean;
  /** Members of an Auto Scaling group: several instances share this configuration. */
  readonly group?: boolean;
  /** How the group judges its instances (groups only). */
  readonly groupHealthCheck?: 'ELB' | 'EC2';
}

/** How a subclass's props are checked and what they make the host. */
export interface HostSpec<P extends HostConfigurationProps> {
  /** Types of the subclass's own props, checked with the host's (plain JavaScript gets no compiler check). @default - none */
  readonly propTypes?: Readonly<Record<string, PropType>>;
  /** The subclass's required props. @default - none */
  readonly requiredProps?: readonly string[];
  /** Checks of the subclass's own props (given with HOST_DEFAULTS applied), reported together with the host's. */
  readonly checkProps?: (props: P, checks: PropChecks, warnings: string[]) => void;
  /** Every prop the construct takes. @default - the host's and propTypes' */
  readonly propNames?: readonly string[];
  /** Stand-ins for required props that failed, so the rest of the stack is still checked. */
  readonly placeholders?: Partial<P>;
  /** What the host is (given the props with HOST_DEFAULTS applied). */
  readonly describe: (props: P) => HostKind;
}

/**
 * What an instance of this host is launched with, whatever launches it (`aws_instance` or
 * `aws_launch_template`): one hardened configuration, two placements.
 */
export interface HostLaunchConfiguration {
  readonly ami: string;
  readonly rootDeviceName: string;
  readonly instanceType: string;
  readonly instanceProfileName: string;
  readonly securityGroupId: string;
  readonly userDataBase64: string;
  readonly keyName?: string;
  readonly detailedMonitoring: boolean;
  readonly metadataHopLimit: number;
  readonly rootVolume: { readonly sizeGiB: number; readonly kmsKeyId?: string };
  /** Tags of instances and volumes, rendered at synthesis (constructs add discovery tags later). */
  readonly instanceTags: Record<string, string>;
  /** Plan-time checks of the Terraform references in the user data, rendered at synthesis. */
  readonly preconditions: Array<{ condition: string; errorMessage: string }>;
  readonly ignoreAmiChanges: boolean;
}
