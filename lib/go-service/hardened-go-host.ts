/**
 * HardenedGoHost: one Go service on one EC2 instance, secure and tuned by default. The service's
 * configuration (GoServiceConfiguration) is shared with HardenedGoService, its Auto Scaling placement.
 */
import { Construct } from 'constructs';
import { reportFailure } from '../input/report';
import { HardenedHost, HardenedHostBase, HostConfigurationProps } from '../host/hardened-host';
import { GoHostSettings, provisionGoHost } from './artifacts';
import { HostProvisioning } from '../host/provisioning';
import { ReleaseArtifact } from './release-artifact';
import { assess } from '../readiness/checklist';
import { HostReadinessFacts } from '../host/readiness';
import { GO_HOST_ITEMS, hostServiceFacts } from './readiness';
import { cpuQuotaPercentOf, goHostArtifactSettings, goServiceSettingsOf, GoServiceSettings, memoryMaxBytesOf, resolveGoServiceSettings } from './settings';
import { PropChecks } from '../input/prop-checks';
import type { HostSettings } from '../host/settings';
import { ReadinessRow } from '../readiness/rows';
import { Annotations, Token } from '../private/cdktf';
import { formatFailure } from '../input/prop-checks';
import { BOUNDARIES } from '../private/late-bound';
import { GoServiceProps, HardenedGoHostProps } from './props';
import { ArnContext, parameterResourceArn, secretResourceArn } from '../host/secret-grants';
import { StackLookups } from '../host/stack-lookups';
import { hostPropNames } from '../host/checks';
import { GO_SERVICE_PROP_TYPES } from './checks';

export type { GoServiceProps, HardenedGoHostProps } from './props';

/** What the front door and the observability stack need of a Go service, single host or group. */
export interface IGoService {
  readonly serviceName: string;
  /** A background worker: no listenPort, no healthPath. */
  readonly worker: boolean;
  /** The service's HTTP port; undefined for a worker. */
  readonly listenPort: number | undefined;
  /** The service's health path; undefined for a worker. */
  readonly healthPath: string | undefined;
  /** MemoryMax of the service, in bytes. */
  readonly memoryMax: number;
  readonly settings: GoHostSettings;
  addEnvironment(name: string, value: string): void;
}

/** Every prop HardenedGoHost takes (gogc is a number or "off": checked with its value). @internal */
export const GO_HOST_PROP_NAMES: readonly string[] = hostPropNames(GO_SERVICE_PROP_TYPES, ['gogc']);

/** Stand-ins for the Go service's required props when they fail (the stack then does not synthesize). */
const GO_SERVICE_PLACEHOLDERS: Partial<GoServiceProps> = {
  serviceName: 'invalid-service',
  artifact: ReleaseArtifact.fromUrl('https://invalid.example/invalid', '0'.repeat(64)),
};

/** A Go service's props as its host hands them on: with HOST_DEFAULTS applied (HostSpec). */
/** @internal */
export function asHostSettings(props: GoServiceProps & HostConfigurationProps): HostSettings<GoServiceProps & HostConfigurationProps> {
  return props as HostSettings<GoServiceProps & HostConfigurationProps>;
}

/** How a Go service's props are checked and what they make the host, whatever its placement. */
/** @internal */
export function goServiceSpec<P extends GoServiceProps & HostConfigurationProps>() {
  return {
    propTypes: GO_SERVICE_PROP_TYPES,
    requiredProps: ['serviceName', 'artifact'],
    propNames: GO_HOST_PROP_NAMES,
    placeholders: GO_SERVICE_PLACEHOLDERS as Partial<P>,
    // The host calls both with HOST_DEFAULTS applied; the service's own defaults go on top.
    checkProps: (props: P, checks: PropChecks, warnings: string[]) => {
      const resolved = resolveGoServiceSettings(asHostSettings(props), (v) => Token.isUnresolved(v));
      for (const f of resolved.failures) checks.fail(f.prop, f.value, f.problem, f.fix);
      warnings.push(...resolved.warnings);
    },
    describe: (props: P) => {
      const port = goServiceSettingsOf(asHostSettings(props)).listenPort;
      return { name: props.serviceName, listenPorts: new Map(port === undefined ? [] : [[port, 'the service (listenPort)']]) };
    },
  };
}

/**
 * The Go service's configuration on a hardened host: settings with every default applied, the
 * artifact grant, provisioning and readiness. One per host construct, whatever its placement.
 */
export class GoServiceConfiguration {
  public readonly serviceName: string;
  public readonly worker: boolean;
  public readonly listenPort: number | undefined;
  public readonly healthPath: string | undefined;
  public readonly memoryMaxBytes: number;
  public readonly cpuQuotaPercent: number;
  private readonly extraEnvironment: Record<string, string> = {};

  constructor(
    private readonly host: HardenedHostBase,
    private readonly props: GoServiceSettings,
  ) {
    this.serviceName = props.serviceName;
    this.worker = props.worker;
    this.listenPort = props.listenPort;
    this.healthPath = props.healthPath;
    this.memoryMaxBytes = memoryMaxBytesOf(props);
    this.cpuQuotaPercent = cpuQuotaPercentOf(props);

    const s3 = props.artifact.s3;
    if (s3) {
      // A reference in the grant is checked at plan time: no wildcard, nothing that ends the JSON string.
      host.checkAtPlan(s3.bucket, BOUNDARIES.s3Bucket, 'artifact.bucket');
      host.checkAtPlan(s3.key, BOUNDARIES.s3Key, 'artifact.key');
      host.addToRolePolicy('read-release-artifact', [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `${host.arnPrefix}:s3:::${s3.bucket}/${s3.key}` },
      ], 'the release artifact');
    }
    this.grantSecrets(props);
    // Late: the front door and the observability stack add their grants after this host exists.
    if (props.allowInstanceMetadataAccess) {
      let warned = false;
      host.node.addValidation({
        validate: () => {
          if (!warned) Annotations.of(host).addWarning(this.instanceRoleWarning());
          warned = true;
          if (!host.frontDoorOnHost || props.allowInstanceMetadataAccessBesideFrontDoor) return [];
          return [formatFailure({
            prop: 'allowInstanceMetadataAccess',
            value: true,
            problem: `lets ${this.serviceName} use the instance role it shares with the front door ${host.frontDoorOnHost.path}: a compromised service could read the TLS private key, or plant a certificate that the next replacement restores`,
            fix: 'run the front door on its own instance (NginxFrontDoor with subnetId and upstreams), or set allowInstanceMetadataAccessBesideFrontDoor: true to accept it',
          })];
        },
      });
    }
  }

  /**
   * The role may read exactly the service's secrets (and decrypt them with their customer keys,
   * through Secrets Manager or SSM only); references are checked at plan for a form with no wildcard.
   */
  private grantSecrets(props: GoServiceSettings): void {
    const entries = Object.entries(props.secrets ?? {});
    if (entries.length === 0) return;
    const host = this.host;
    const arns: ArnContext = { arnPrefix: host.arnPrefix, regionName: host.regionName, accountId: StackLookups.of(host).accountId };
    const statements: Array<Record<string, unknown>> = [];
    const read = (kind: 'secretsmanager' | 'ssm') => entries.filter(([, s]) => s.kind === kind).map(([name, s]) => {
      host.checkAtPlan(s.id, kind === 'ssm' ? BOUNDARIES.ssmParameterName : BOUNDARIES.secretId, `secrets.${name}`);
      return kind === 'ssm' ? parameterResourceArn(s.id, arns) : secretResourceArn(s.id, arns);
    });
    const secretArns = read('secretsmanager');
    const parameterArns = read('ssm');
    if (secretArns.length) statements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArns });
    if (parameterArns.length) statements.push({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: parameterArns });
    const keys = [...new Set(entries.flatMap(([name, s]) => {
      if (s.kmsKeyArn === undefined) return [];
      host.checkAtPlan(s.kmsKeyArn, BOUNDARIES.kmsKeyArn, `secrets.${name}.kmsKeyArn`);
      return [s.kmsKeyArn];
    }))];
    if (keys.length) {
      const via = [...new Set(entries.filter(([, s]) => s.kmsKeyArn !== undefined).map(([, s]) => `${s.kind}.${host.regionName}.amazonaws.com`))];
      statements.push({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keys, Condition: { StringEquals: { 'kms:ViaService': via } } });
    }
    host.addToRolePolicy('read-service-secrets', statements, `${this.serviceName}'s secrets (${entries.map(([n]) => n).join(', ')})`);
  }

  /** What the opt-in gives the service: every grant of the host's role. */
  private instanceRoleWarning(): string {
    const grants = this.host.roleGrants.map((g) => `${g.actions.join(', ')}${g.on ? ` on ${g.on}` : ''} (${g.name})`);
    return `allowInstanceMetadataAccess = true: ${this.serviceName} can use the instance role of ${this.host.node.path}, which allows ${grants.join('; ')}. `
      + 'Grant what the service calls with addToRolePolicy and keep other grants off this host.';
  }

  public addEnvironment(name: string, value: string): void {
    if (this.props.environment?.[name] !== undefined || this.extraEnvironment[name] !== undefined) {
      reportFailure(this.host, `environment.${name}`, value, 'is already set (in environment or by another addEnvironment call)', 'set each variable in one place');
      return;
    }
    this.extraEnvironment[name] = value;
  }

  /** The address the service binds: loopback unless a security-group rule admits its port. */
  public get listenAddress(): string {
    const port = this.listenPort;
    const exposed = port !== undefined && this.host.connections.ingressRules.some((r) => r.port.protocol === 'tcp' && r.port.includes(port));
    return exposed ? '0.0.0.0' : '127.0.0.1';
  }

  public get timeoutStopSec(): number {
    return this.props.timeoutStopSec;
  }

  public get healthTimeoutSec(): number {
    return this.props.healthTimeoutSec;
  }

  /** The settings the host is provisioned from, with every default applied. */
  public get settings(): GoHostSettings {
    return goHostArtifactSettings(this.props, {
      base: this.host.baseSettings,
      listenAddress: this.listenAddress,
      extraEnvironment: this.extraEnvironment,
      isToken: (v) => Token.isUnresolved(v),
      bind: (v, boundary, prop) => this.host.lateBound(v, BOUNDARIES[boundary], prop),
    });
  }

  public provisioning(): HostProvisioning {
    return provisionGoHost(this.settings);
  }

  public readiness(facts: Omit<HostReadinessFacts, 'settings' | 'service'>): ReadinessRow[] {
    const go = { settings: this.settings, artifactFromS3: !!this.props.artifact.s3 };
    return assess(GO_HOST_ITEMS, { ...facts, settings: this.settings, go, service: hostServiceFacts(go) });
  }
}

export class HardenedGoHost extends HardenedHost implements IGoService {
  public readonly serviceName: string;
  public readonly worker: boolean;
  public readonly listenPort: number | undefined;
  public readonly healthPath: string | undefined;
  private readonly go: GoServiceConfiguration;

  constructor(scope: Construct, id: string, props: HardenedGoHostProps) {
    super(scope, id, props, goServiceSpec<HardenedGoHostProps>());
    this.go = new GoServiceConfiguration(this, goServiceSettingsOf(asHostSettings(this.validProps as HardenedGoHostProps)));
    this.serviceName = this.go.serviceName;
    this.worker = this.go.worker;
    this.listenPort = this.go.listenPort;
    this.healthPath = this.go.healthPath;
  }

  /** Adds a variable to the service's environment (e.g. an OpenTelemetry endpoint from ObservabilityStack). */
  public addEnvironment(name: string, value: string): void {
    this.go.addEnvironment(name, value);
  }

  /** MemoryMax of the service, in bytes. */
  public get memoryMax(): number {
    return this.go.memoryMaxBytes;
  }

  /** The address the service binds: loopback unless a security-group rule admits its port. */
  public get listenAddress(): string {
    return this.go.listenAddress;
  }

  /** The settings the host is provisioned from, with every default applied. */
  public get settings(): GoHostSettings {
    return this.go.settings;
  }

  protected ownProvisioning(): HostProvisioning {
    return this.go.provisioning();
  }

  protected ownReadiness(): ReadinessRow[] {
    return this.go.readiness(this.hostFacts);
  }
}
