/**
 * HardenedHostBase: the hardened host configuration every placement shares (security group, role,
 * instance profile, user data, AMI, prop checks, readiness); HardenedHost places it on one
 * instance, HardenedHostGroup and HardenedGoService in a launch template and a group.
 */
import { isIP } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Construct } from 'constructs';
import { Connections, IConnectable } from '../network/connections';
import { StackLookups } from './stack-lookups';
import { DISTROS, DistroInfo, DistroName, isDistroName } from './distro';
import { BaseHostSettings, provisionBaseHost } from './artifacts';
import { InstanceShape, instanceShape } from './instance-types';
import { MachineImage } from './machine-image';
import { HostConfigurationProps } from './props';
import { Peer, Port, PRIVATE_IPV4_RANGES } from '../network/port';
import { HostProvisioning } from './provisioning';
import { sshCidrChecksAtPlan } from './plan-policy';
import { checkConstructPath, reportFailure, reportInput } from '../input/report';
import { HostSettings, resolveBaseHostSettings, resolveHostSettings } from './settings';
import { assess } from '../readiness/checklist';
import { HOST_ITEMS } from './readiness';
import { ReadinessRow } from '../readiness/rows';
import { coversAnyAddress } from '../input/validators';
import { DataAwsSubnet, DataAwsVpc, IamInstanceProfile, IamRole, IamRolePolicy, SecurityGroup } from '../private/aws';
import { Aspects, Lazy, Token } from '../private/cdktf';
import { DataCloudinitConfig } from '../private/cloudinit';
import { Boundary, BOUNDARIES, escapeLiteralTemplates, holdsUserReference, LateBoundText, rememberUserTokens } from '../private/late-bound';
import { MimePart, renderMultipart } from '../render/mime';
import { UfwRule } from '../render/ufw';
import { FrontDoorOnHost, HostKind, HostLaunchConfiguration, HostSpec, RoleGrant, SESSION_MANAGER_STATEMENTS } from './host-spec';
import { gzipBytesOverLimit, USER_DATA_LIMIT_BYTES } from './user-data-size';

/** The Amazon Time Sync Service's link-local addresses, IPv4 and IPv6. */
const AMAZON_TIME_SYNC: readonly string[] = ['169.254.169.123', 'fd00:ec2::123'];

/** What one synthesis keeps of a host's user data: the parts as finished text, and what the checks found. */
interface SynthRender {
  readonly finished: Array<string | undefined>;
  readonly leaksReference: boolean;
  readonly gzipBytesOverLimit: number | undefined;
}

/**
 * The hardened configuration every host shares: security group and port model, role and
 * instance profile, user data, AMI, prop checks and readiness. Subclasses place it:
 * `HardenedHost` on one `aws_instance`, `HardenedGoService` in an Auto Scaling group.
 */
export abstract class HardenedHostBase extends Construct implements IConnectable {
  public readonly connections: Connections;
  public readonly securityGroup: SecurityGroup;
  public readonly role: IamRole;
  public readonly distro: DistroInfo;
  /** The host's short name (the Go host's service name). */
  public readonly hostName: string;
  /** Append-only contributions of other constructs (files, packages, script steps) to this host's user data. */
  public readonly userData = new HostProvisioning();
  /** True for members of an Auto Scaling group (several instances, none addressed by Terraform). */
  public readonly isGroup: boolean;
  /** How the group judges its instances: a load balancer's health check, or EC2's after a launch hook (groups only). */
  public get groupHealthCheck(): 'ELB' | 'EC2' | undefined {
    return this.kind.groupHealthCheck;
  }
  /** VPC of the host (a Terraform reference unless vpcId was given). */
  public readonly vpcId: string;
  /** vCPUs, memory and architecture of the instance type, when the library knows it. */
  protected readonly shape: InstanceShape | undefined;
  private readonly lookups: StackLookups;
  /** Resource tags (Name, gohost:host and the user's). */
  protected readonly tags: Record<string, string>;
  protected readonly launch: HostLaunchConfiguration;

  /** The props after the checks (those that failed left out or replaced), with HOST_DEFAULTS applied. */
  protected readonly validProps: HostSettings;
  private readonly kind: HostKind;
  private readonly extraReadiness: Array<() => readonly ReadinessRow[]> = [];
  private frontDoor?: FrontDoorOnHost;
  private readonly frontDoorWatchers: Array<(frontDoor: FrontDoorOnHost) => void> = [];
  private readonly late = new LateBoundText();
  private policyCount = 0;
  private readonly grants: RoleGrant[] = [];
  private readonly producers: Array<() => HostProvisioning> = [];
  private readonly discoveryTags: Record<string, string> = {};
  private synthRender?: SynthRender;
  private vpcCidr?: string;

  constructor(scope: Construct, id: string, rawProps: HostConfigurationProps, spec: HostSpec<any>) {
    super(scope, id);
    const isToken = (v: unknown) => Token.isUnresolved(v);
    // Wrong types (plain JavaScript, JSON configuration) are found first: the value checks assume them.
    const resolved = resolveHostSettings<HostConfigurationProps>(rawProps, {
      isToken,
      propTypes: spec.propTypes ?? {},
      requiredProps: spec.requiredProps ?? [],
      placeholders: spec.placeholders ?? {},
      listenPorts: (p) => spec.describe(p).listenPorts ?? new Map(),
      checkProps: spec.checkProps,
      propNames: spec.propNames,
    });
    reportInput(this, resolved);
    checkConstructPath(this);
    rememberUserTokens(rawProps);
    const props = resolved.settings;
    const kind = spec.describe(props);

    this.validProps = props;
    this.kind = kind;
    this.hostName = kind.name;
    this.isGroup = kind.group ?? false;
    const image = props.machineImage ?? MachineImage.ubuntu2404();
    this.distro = DISTROS[isDistroName(image.distro) ? image.distro : ('ubuntu-24.04' as DistroName)];
    const instanceType = props.instanceType;
    this.shape = Token.isUnresolved(instanceType) ? undefined : instanceShape(instanceType);
    const lookups = StackLookups.of(this);
    // Tags are Terraform strings: a literal `${` in a user's tag would be interpolated.
    const userTags = Object.fromEntries(Object.entries(props.tags ?? {}).map(([k, v]) => [escapeLiteralTemplates(k), escapeLiteralTemplates(v)]));
    const tags = { ...userTags, Name: this.node.path.replace(/\//g, '-'), 'gohost:host': kind.name };
    this.tags = tags;

    this.lookups = lookups;
    this.vpcId = props.vpcId ?? new DataAwsSubnet(this, 'Subnet', { id: kind.subnetIdForVpc }).vpcId;

    // Network: one group, standalone described rules only (inline rules fight standalone ones).
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${kind.name}-`,
      description: `cdktf-gohost ${kind.name}: rules are standalone resources`,
      vpcId: this.vpcId,
      tags,
      lifecycle: { createBeforeDestroy: true },
    });
    // Peers are named by construct path below the stack: unique even when hosts share a service name.
    this.connections = new Connections(this, this.securityGroup.id, this.node.path.split('/').slice(1).join('-'), () => this.peerAddresses());
    // Terraform removes AWS's default allow-all egress; without these apt, ACME and the artifact fail.
    for (const peer of [Peer.anyIpv4(), Peer.anyIpv6()]) {
      if (props.allowAllOutbound) {
        this.connections.allowTo(peer, Port.tcpRange(0, 65535), 'all TCP out (allowAllOutbound)');
        this.connections.allowTo(peer, Port.udpRange(0, 65535), 'all UDP out (allowAllOutbound)');
      } else {
        this.connections.allowTo(peer, Port.HTTP, 'HTTP out (package mirrors)');
        this.connections.allowTo(peer, Port.HTTPS, 'HTTPS out (packages, artifact, ACME)');
      }
    }
    // The Amazon Time Sync Service is link-local (no security group applies); other NTP servers need UDP 123 out.
    if (!props.allowAllOutbound) {
      for (const server of props.ntpServers.filter((n) => !AMAZON_TIME_SYNC.includes(n))) {
        const peers = !Token.isUnresolved(server) && isIP(server) ? [Peer.cidr(`${server}/${isIP(server) === 4 ? 32 : 128}`)] : [Peer.anyIpv4(), Peer.anyIpv6()];
        for (const peer of peers) this.connections.allowTo(peer, Port.udp(123), 'NTP out (ntpServers)');
      }
    }
    for (const cidr of props.adminSshCidrs ?? []) {
      this.connections.allowFrom(Peer.cidr(cidr), Port.SSH, 'SSH from admin CIDR');
    }

    // Identity: SSM for access; constructs add exactly the grants they need.
    this.role = new IamRole(this, 'Role', {
      namePrefix: `${kind.name}-`,
      description: `cdktf-gohost ${kind.name} instance role`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    });
    // Session Manager and nothing else: AmazonSSMManagedInstanceCore would also read every parameter of the account.
    this.grantRole('SessionManager', 'session-manager', SESSION_MANAGER_STATEMENTS(`${lookups.arnPrefix}:ec2:${lookups.regionName}:${lookups.accountId}:instance/*`),
      'Session Manager sessions to the instance');
    const profile = new IamInstanceProfile(this, 'InstanceProfile', { namePrefix: `${kind.name}-`, role: this.role.name, tags });

    // User data: gzip + base64 through the cloudinit provider, rendered lazily so constructs
    // added later (front door, observability) still contribute.
    const userData = new DataCloudinitConfig(this, 'UserData', {
      provider: lookups.cloudinit,
      gzip: true,
      base64Encode: true,
      part: [0, 1].map((i) => ({
        contentType: i === 0 ? 'text/cloud-config' : 'text/x-shellscript',
        filename: i === 0 ? 'cloud-config.yaml' : 'gohost-bootstrap.sh',
        content: Lazy.stringValue({ produce: (context) => (context.preparing ? this.referencesForPreparing(i) : this.userDataPart(i)) }),
      })),
    });

    const lookup = image.amiId ? undefined : lookups.ami(this.distro, this.shape?.arch === 'arm64' ? 'arm64' : 'amd64');

    this.launch = {
      ami: image.amiId ?? lookup!.id,
      rootDeviceName: lookup ? lookup.rootDeviceName : this.distro.rootDeviceName,
      instanceType,
      instanceProfileName: profile.name,
      securityGroupId: this.securityGroup.id,
      userDataBase64: userData.rendered,
      keyName: props.keyPairName,
      detailedMonitoring: props.detailedMonitoring,
      metadataHopLimit: props.metadataHopLimit,
      rootVolume: { sizeGiB: props.rootVolumeSizeGiB, kmsKeyId: props.rootVolumeKmsKeyId },
      instanceTags: Lazy.anyValue({ produce: () => ({ ...tags, ...this.discoveryTags }) }) as unknown as Record<string, string>,
      ignoreAmiChanges: props.ignoreAmiChanges,
      // Rendering the user data registers its references; their checks fail the plan, not the boot.
      preconditions: Lazy.anyValue({
        produce: (context) => {
          // The preparing pass only looks for cross-stack references: the user data part carries them.
          if (context.preparing) return undefined;
          this.renderForSynth();
          const checks = [...this.late.preconditions(this.node.path), ...sshCidrChecksAtPlan(this.sshCidrs(), !!props.allowSshFromAnywhere, this.node.path)];
          return checks.length > 0 ? checks : undefined;
        },
      }) as unknown as HostLaunchConfiguration['preconditions'],
    };

    this.node.addValidation({ validate: () => this.validateLate() });
    Aspects.of(this).add({ visit: (node) => { if (node === this) this.synthRender = undefined; } });
  }

  /**
   * Tags the instances get in addition to the host's own, e.g. for Prometheus's EC2 service
   * discovery. Applied at synthesis, so the order of calls does not matter.
   */
  public addInstanceTag(key: string, value: string): void {
    const existing = this.discoveryTags[key];
    if (existing !== undefined && existing !== value) {
      reportFailure(this, `instance tag ${key}`, value, `is already set to "${existing}" by another construct`, 'set each instance tag in one place');
      return;
    }
    this.discoveryTags[key] = value;
  }

  /**
   * Grants the instance role exactly these statements (one inline policy per call). `on` says
   * what the resources are, in words, for the warnings that list the role's grants.
   */
  public addToRolePolicy(name: string, statements: ReadonlyArray<Record<string, unknown>>, on?: string): void {
    this.grantRole(`Policy${this.policyCount++ === 0 ? '' : this.policyCount}`, name, statements, on);
  }

  /**
   * A grant whose construct ID is `id`, not its place among addToRolePolicy calls: for grants
   * constructs add in any order (the ID is the policy's Terraform address).
   * @internal
   */
  public _addRolePolicy(id: string, name: string, statements: ReadonlyArray<Record<string, unknown>>, on?: string): void {
    this.grantRole(id, name, statements, on);
  }

  private grantRole(id: string, name: string, statements: ReadonlyArray<Record<string, unknown>>, on?: string): void {
    this.grants.push({ name, actions: [...new Set(statements.flatMap((st) => [st.Action ?? []].flat().map(String)))], on });
    new IamRolePolicy(this, id, {
      role: this.role.id,
      name,
      policy: escapeLiteralTemplates(JSON.stringify({ Version: '2012-10-17', Statement: statements })),
    });
  }

  /** The Name tag of the host's resources and instances (its construct path). */
  public get nameTag(): string {
    return this.tags.Name;
  }

  /** What the instance role allows, one entry per policy (for the warnings that name it). */
  public get roleGrants(): readonly RoleGrant[] {
    return this.grants;
  }

  /** `arn:<partition>:` for ARNs built by constructs. */
  public get arnPrefix(): string {
    return this.lookups.arnPrefix;
  }

  /** The AWS region name (a Terraform reference). */
  public get regionName(): string {
    return this.lookups.regionName;
  }

  /**
   * A value for text that goes into this host's user data: itself, or a placeholder that is
   * swapped back for the Terraform reference after the text is rendered and escaped.
   */
  public lateBound(value: string, boundary?: Boundary, prop?: string): string {
    return this.late.ref(value, boundary, prop);
  }

  /**
   * Settings for this host's text with the library's own references bound (see
   * LateBoundText.bindLibraryReferences): the one place they are wrapped.
   */
  public bindReferences<T>(settings: T): T {
    return this.late.bindLibraryReferences(settings);
  }

  /**
   * Text of this host as Terraform receives it: its late-bound placeholders swapped for their
   * references (for harnesses that read settings and resolve references themselves).
   * @internal
   */
  public _finish(text: string): string {
    return this.late.finish(text);
  }

  /** Checks a Terraform reference at plan time against `boundary`'s form (for values that reach IAM or resource arguments). */
  public checkAtPlan(value: string, boundary: Boundary, prop: string): void {
    this.late.check(value, boundary, prop);
  }

  /** Another construct's readiness rows for this host (front door, observability). */
  public addReadiness(...rows: ReadinessRow[]): void {
    this.extraReadiness.push(() => rows);
  }

  /** Readiness rows computed at synthesis, for constructs whose rows depend on others created later. */
  public addReadinessProducer(produce: () => readonly ReadinessRow[]): void {
    this.extraReadiness.push(produce);
  }

  /**
   * Records the front door running on this host and tells every construct waiting for it
   * (`whenFrontDoor`). Called by NginxFrontDoor.
   * @internal
   */
  public attachFrontDoor(frontDoor: FrontDoorOnHost): void {
    if (this.frontDoor) {
      reportFailure(this, 'front door', frontDoor.path, `runs on a host that already runs ${this.frontDoor.path}`, 'give each front door its own host');
      return;
    }
    this.frontDoor = frontDoor;
    for (const watcher of this.frontDoorWatchers) watcher(frontDoor);
  }

  /** The front door running on this host, if one does. */
  public get frontDoorOnHost(): FrontDoorOnHost | undefined {
    return this.frontDoor;
  }

  /**
   * Calls `watcher` with this host's front door: now if it exists, or when it is created. The
   * same result whichever of the two constructs the user creates first.
   */
  public whenFrontDoor(watcher: (frontDoor: FrontDoorOnHost) => void): void {
    if (this.frontDoor) watcher(this.frontDoor);
    else this.frontDoorWatchers.push(watcher);
  }

  /** The host-level settings, with every default applied. */
  public get baseSettings(): BaseHostSettings {
    return resolveBaseHostSettings(this.validProps, this.distro, this.ufwRules(), (value, boundary, prop) => this.late.ref(value, BOUNDARIES[boundary], prop));
  }

  /**
   * A contribution rendered at synthesis, for constructs whose share depends on things added
   * later (the monitoring host's scrape targets).
   */
  public addProvisioning(producer: () => HostProvisioning): void {
    this.producers.push(producer);
  }

  /** Everything this host gets at first boot: its own provisioning plus what others added. */
  public provisioning(): HostProvisioning {
    const all = this.ownProvisioning();
    all.merge(this.userData);
    for (const produce of this.producers) all.merge(produce());
    return all;
  }

  /** The two user-data parts, in order, as the cloudinit data source receives them (late-bound values as placeholders). */
  public renderParts(): MimePart[] {
    const p = this.provisioning();
    return [
      { contentType: 'text/cloud-config', filename: 'cloud-config.yaml', content: p.renderCloudConfig() },
      {
        contentType: 'text/x-shellscript',
        filename: 'gohost-bootstrap.sh',
        content: p.renderScript([
          `First-boot provisioning of ${this.node.path} (cdktf-gohost).`,
          'Runs once, after cloud-config has written files and installed packages.',
        ]),
      },
    ];
  }

  /**
   * The parts rendered once per synthesis: the user data, its preconditions and the late checks
   * all read them. Forgotten at the start of the next synthesis (an aspect) and when the
   * synchronous synthesis is over, so later contributions are never missed.
   */
  private renderForSynth(): SynthRender {
    if (!this.synthRender) {
      const parts = this.renderParts();
      // Only the finished text and the checks' findings are kept: a fleet's raw parts would double its memory at synthesis.
      this.synthRender = {
        finished: parts.map((part) => this.late.finish(part.content)),
        leaksReference: parts.some((part) => part.content.includes('${TfToken[')),
        gzipBytesOverLimit: gzipBytesOverLimit(renderMultipart(parts)),
      };
      queueMicrotask(() => { this.synthRender = undefined; });
    }
    return this.synthRender;
  }

  /** Part `i` as the cloudinit data source receives it; let go once cdktf holds it (asked again, it is rendered again). */
  private userDataPart(i: number): string {
    const render = this.renderForSynth();
    const text = render.finished[i] ?? this.late.finish(this.renderParts()[i].content);
    render.finished[i] = undefined;
    return text;
  }

  /**
   * What cdktf's preparing pass (before aspects and validation) sees of the user data: the
   * references it will hold, so cross-stack references are found, without rendering text that the
   * aspects may still change.
   */
  private referencesForPreparing(part: number): string {
    if (part !== 0) return '';
    this.provisioning();
    return this.late.references();
  }

  /** Size of the user data EC2 receives: the provider's MIME document, gzip-compressed. */
  public userDataGzipBytes(): number {
    return gzipSync(renderMultipart(this.renderParts())).length;
  }

  /** One row per checklist ID: how this host covers it. */
  public readiness(): ReadinessRow[] {
    const byId = new Map<string, ReadinessRow>();
    for (const row of [...this.ownReadiness(), ...this.extraReadiness.flatMap((produce) => produce())]) byId.set(row.id, row);
    return [...byId.values()];
  }

  protected ownProvisioning(): HostProvisioning {
    return provisionBaseHost(this.baseSettings);
  }

  protected get hostFacts() {
    const p = this.validProps;
    return {
      sshCidrs: p.adminSshCidrs ?? [],
      imdsHopLimit: p.metadataHopLimit,
      autoRecovery: this.kind.autoRecovery,
      publicIp: this.kind.publicIp,
      group: this.isGroup,
      groupHealthCheck: this.kind.groupHealthCheck,
      metadataAccess: this.provisioning().instanceMetadataAccess,
    };
  }

  protected ownReadiness(): ReadinessRow[] {
    return assess(HOST_ITEMS, { settings: this.baseSettings, ...this.hostFacts });
  }

  /**
   * Where this host's traffic comes from, for the UFW of hosts that admit its security group: the
   * VPC's CIDR (read at plan from the VPC, which outlives every instance).
   */
  protected peerAddresses(): readonly string[] {
    this.vpcCidr ??= new DataAwsVpc(this, 'Vpc', { id: this.vpcId }).cidrBlock;
    return [this.vpcCidr];
  }

  /**
   * UFW admits what the security group admits. UFW cannot see security groups: a group peer
   * becomes the addresses it stands for (the VPC's CIDR, or an address that outlives instances),
   * the private ranges only for a peer that names none.
   */
  private ufwRules(): UfwRule[] {
    // One UFW rule per port and source: two groups admitted on one port may stand for the same addresses.
    const rules = new Map<string, UfwRule>();
    const bound = new Map<string, string>();
    // Sorted: the order in which constructs opened ports must not change the host's user data.
    const key = (r: (typeof this.connections.ingressRules)[number]) =>
      [r.port.protocol, String(r.port.fromPort).padStart(5, '0'), String(r.port.toPort).padStart(5, '0'), r.peer.cidrIpv4 ?? r.peer.cidrIpv6 ?? '', r.description].join(' ');
    for (const r of [...this.connections.ingressRules].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) {
      const source = r.peer.cidrIpv4 ?? r.peer.cidrIpv6;
      const sources = source !== undefined ? [source] : r.peer.addresses ?? PRIVATE_IPV4_RANGES;
      // One placeholder per address, so the printer joins the ports admitted from it into one rule. A
      // CIDR of the user's is checked at plan; the library's own (the VPC's, an interface's) are AWS's.
      const froms = sources.map((from) => {
        if (!bound.has(from)) {
          bound.set(from, source !== undefined || holdsUserReference(from) ? this.late.ref(from, BOUNDARIES.cidr, `a CIDR admitted to ${r.port}`) : this.late.bindLibraryReferences(from));
        }
        return bound.get(from)!;
      });
      for (const from of froms) {
        const key = `${r.port}|${from}`;
        const seen = rules.get(key);
        rules.set(key, { port: r.port, from, comment: seen ? `${seen.comment} and ${r.description}` : r.description });
      }
    }
    return [...rules.values()];
  }

  /** Checks that only make sense once every construct has contributed. */
  /** Every CIDR the port model admits SSH (tcp/22) from, literal or reference. */
  private sshCidrs(): string[] {
    return this.connections.ingressRules
      .filter((r) => r.port.protocol === 'tcp' && r.port.includes(22))
      .map((r) => r.peer.cidrIpv4 ?? r.peer.cidrIpv6)
      .filter((cidr): cidr is string => cidr !== undefined);
  }

  private validateLate(): string[] {
    const errors: string[] = [];
    const [from, to] = this.baseSettings.ephemeralPortRange;
    for (const r of this.connections.ingressRules) {
      if (r.port.fromPort <= to && r.port.toPort >= from) {
        errors.push(`ephemeralPortRangeStart = "${from}-${to}": overlaps ingress port ${r.port} (${r.description}). Fix: start the range above ${r.port.toPort}.`);
      }
    }
    // SSH from the whole internet by any route into the port model (adminSshCidrs or allowFrom); references: at plan.
    const sshFrom = this.sshCidrs().filter((cidr) => !Token.isUnresolved(cidr));
    if (!this.validProps.allowSshFromAnywhere && coversAnyAddress(sshFrom)) {
      errors.push(`connections = SSH (tcp/22) from ${sshFrom.join(', ')}: opens SSH to the whole internet. Fix: admit your office or VPN ranges only, use SSM Session Manager, or set allowSshFromAnywhere: true to accept the risk.`);
    }
    // Every reference reaches the user data through a boundary (a placeholder); a raw token here would be lost.
    const render = this.renderForSynth();
    if (render.leaksReference) {
      errors.push('user data = (a Terraform reference): reaches a file or script through a prop that only takes literal values. Fix: pass the value itself; the README lists which props accept references.');
    }
    const bytes = render.gzipBytesOverLimit;
    if (bytes !== undefined) {
      errors.push(`user data = ${bytes} bytes gzipped: over EC2's ${USER_DATA_LIMIT_BYTES}-byte limit. Fix: move large files (configFileContent, certificates) to S3 or SSM and fetch them at boot.`);
    }
    return errors;
  }
}
