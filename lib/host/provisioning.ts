/**
 * Everything one host gets at first boot, collected from every construct that contributes to it
 * and rendered as exactly two user-data parts: one `#cloud-config` document and one strict bash
 * script. Append-only, like aws-ec2's UserData. Pure: no cdktf imports.
 */
import { AptSource, CloudConfig, CloudConfigUser, renderCloudConfig, WriteFile } from '../render/cloud-config';
import { renderShellScript, ScriptStep } from '../render/shell';
import { GoHostError } from '../errors';
import { MetadataAccess, metadataFenceDropIn, metadataFenceProbe, metadataFenceStep } from './instance-metadata';

/**
 * When a script step runs; steps of one phase keep the order they were added in. `publish` and
 * `ready` run after every check (the metadata fence's too): they make the host reachable (claim a
 * public address) and tell its Auto Scaling group it is ready, so neither happens to a broken host.
 */
export type StepPhase = 'system' | 'artifact' | 'firewall' | 'services' | 'verify' | 'publish' | 'ready';
const CHECKED_PHASES: readonly StepPhase[] = ['system', 'artifact', 'firewall', 'services', 'verify'];
const AFTER_CHECKS: readonly StepPhase[] = ['publish', 'ready'];

export class HostProvisioning {
  private readonly users: CloudConfigUser[] = [];
  private readonly packageSet = new Set<string>();
  private readonly files = new Map<string, WriteFile>();
  private readonly aptSources = new Map<string, AptSource>();
  private readonly steps: Array<{ phase: StepPhase; step: ScriptStep }> = [];
  private ntpServers: string[] | undefined;
  private readonly metadata = new Map<string, MetadataAccess>();

  public addUser(user: CloudConfigUser): void {
    if (!this.users.some((u) => u.name === user.name)) this.users.push(user);
  }

  public addPackages(...names: string[]): void {
    for (const n of names) this.packageSet.add(n);
  }

  /** Adds a file; two different contents for one path is a programming error. */
  public addFile(file: WriteFile): void {
    const existing = this.files.get(file.path);
    if (existing && existing.content !== file.content) {
      throw new GoHostError(`two different contents were added for ${file.path}`);
    }
    this.files.set(file.path, file);
  }

  public addAptSource(name: string, source: AptSource): void {
    this.aptSources.set(name, source);
  }

  public useChrony(servers: readonly string[]): void {
    this.ntpServers = [...servers];
  }

  public addStep(phase: StepPhase, step: ScriptStep): void {
    this.steps.push({ phase, step });
  }

  /**
   * Fences `unit` off the instance metadata service (see instance-metadata.ts): through a drop-in,
   * or `inUnit` when the library writes the unit with the deny in it. First boot checks it holds.
   */
  public denyInstanceMetadata(unit: string, opts: { readonly inUnit?: boolean } = {}): void {
    this.setMetadataAccess(unit, { access: 'denied', inUnit: opts.inUnit ?? false });
    if (!opts.inUnit) this.addFile(metadataFenceDropIn(unit));
    this.addFile(metadataFenceProbe());
  }

  /** Records that `unit` keeps the instance role, and why (readiness and the service's warning name it). */
  public allowInstanceMetadata(unit: string, why: string): void {
    this.setMetadataAccess(unit, { access: 'allowed', why });
  }

  /** Every unit the contributions fenced off the metadata service or let through, by name. */
  public get instanceMetadataAccess(): ReadonlyMap<string, MetadataAccess> {
    return new Map([...this.metadata.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  private setMetadataAccess(unit: string, access: MetadataAccess): void {
    const existing = this.metadata.get(unit);
    if (existing && existing.access !== access.access) throw new GoHostError(`${unit} was both fenced off the instance metadata service and let through`);
    this.metadata.set(unit, access);
  }

  /** Folds another builder's contributions into this one, after this one's own. */
  public merge(other: HostProvisioning): void {
    other.users.forEach((u) => this.addUser(u));
    this.addPackages(...other.packageSet);
    other.files.forEach((f) => this.addFile(f));
    other.aptSources.forEach((s, n) => this.addAptSource(n, s));
    if (other.ntpServers) this.useChrony(other.ntpServers);
    other.steps.forEach((s) => this.addStep(s.phase, s.step));
    other.metadata.forEach((a, unit) => this.setMetadataAccess(unit, a));
  }

  /** Every package the user data installs (the ntp module installs chrony itself). */
  public get packages(): string[] {
    return [...this.packageSet, ...(this.ntpServers ? ['chrony'] : [])].sort();
  }

  public get filePaths(): string[] {
    return [...this.files.keys()];
  }

  public cloudConfig(): CloudConfig {
    return {
      // `default` first: without it cloud-init skips the distribution's login user and the key pair.
      users: ['default', ...this.users],
      aptSources: Object.fromEntries([...this.aptSources.entries()].sort(([a], [b]) => a.localeCompare(b))),
      packageUpdate: this.packageSet.size > 0 ? true : undefined,
      packages: [...this.packageSet].sort(),
      ntp: this.ntpServers ? { ntpClient: 'chrony', servers: this.ntpServers } : undefined,
      writeFiles: [...this.files.values()],
    };
  }

  public renderCloudConfig(): string {
    return renderCloudConfig(this.cloudConfig());
  }

  public renderScript(description: readonly string[]): string {
    const stepsOf = (phases: readonly StepPhase[]) => phases.flatMap((p) => this.steps.filter((s) => s.phase === p).map((s) => s.step));
    const ordered = stepsOf(CHECKED_PHASES);
    const fenced = [...this.instanceMetadataAccess].filter(([, a]) => a.access === 'denied').map(([unit]) => unit);
    if (fenced.length > 0) ordered.push(metadataFenceStep(fenced));
    ordered.push(...stepsOf(AFTER_CHECKS));
    return renderShellScript({
      description,
      preamble: [
        'log() { printf \'cdktf-gohost: %s\\n\' "$*" | systemd-cat -t cdktf-gohost -p info; printf \'cdktf-gohost: %s\\n\' "$*"; }',
        'export DEBIAN_FRONTEND=noninteractive',
      ],
      steps: ordered,
    });
  }
}
