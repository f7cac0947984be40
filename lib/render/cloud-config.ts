/**
 * Typed model of the cloud-config keys this library uses, printed as one `#cloud-config`
 * document through `renderYaml` (the `yaml` library's text, printed faster). One document on
 * purpose: several cloud-config parts do not merge their lists by default (a second `runcmd:`
 * replaces the first). Pure: no cdktf.
 */
import { YamlValue, renderYaml } from './yaml';

export interface CloudConfigUser {
  readonly name: string;
  readonly gecos?: string;
  /** `useradd --system`: no home directory is created, UID below 1000. */
  readonly system?: boolean;
  readonly shell?: string;
  readonly homedir?: string;
  readonly groups?: readonly string[];
  readonly lockPasswd?: boolean;
}

export interface WriteFile {
  readonly path: string;
  readonly content: string;
  /** Octal string, e.g. `0644` (cloud-init's schema rejects numbers). */
  readonly permissions: string;
  readonly owner?: string;
  /**
   * Write in the final stage, after users and packages exist. Needed for files owned by a user
   * this config creates or living in a package's directory.
   */
  readonly defer?: boolean;
  /** `b64`: content is base64 (cloud-init decodes it), so no YAML or file syntax applies to it. */
  readonly encoding?: 'b64';
}

export interface AptSource {
  /** The `deb …` line; `$KEY_FILE` is replaced by cloud-init with the path of the stored key. */
  readonly source: string;
  /** ASCII-armoured signing key. */
  readonly key?: string;
  /** Full fingerprint of the signing key, fetched from `keyserver` by cloud-init. */
  readonly keyid?: string;
  readonly keyserver?: string;
}

export interface CloudConfig {
  /** `default` keeps the distribution's login user (ubuntu/admin) and the EC2 key pair. */
  readonly users?: ReadonlyArray<'default' | CloudConfigUser>;
  readonly aptSources?: Readonly<Record<string, AptSource>>;
  readonly packageUpdate?: boolean;
  readonly packages?: readonly string[];
  readonly ntp?: { readonly ntpClient: 'chrony'; readonly servers: readonly string[] };
  readonly writeFiles?: readonly WriteFile[];
  readonly runcmd?: ReadonlyArray<string | readonly string[]>;
}

function userToYaml(u: 'default' | CloudConfigUser): unknown {
  if (u === 'default') return 'default';
  return {
    name: u.name,
    gecos: u.gecos,
    system: u.system,
    shell: u.shell,
    homedir: u.homedir,
    groups: u.groups && u.groups.length > 0 ? u.groups.join(', ') : undefined,
    lock_passwd: u.lockPasswd,
  };
}

function fileToYaml(f: WriteFile): unknown {
  return { path: f.path, owner: f.owner, permissions: f.permissions, defer: f.defer || undefined, encoding: f.encoding, content: f.content };
}

/** Prints the model; keys appear in cloud-init's own module order for readability. */
export function renderCloudConfig(config: CloudConfig): string {
  const doc: Record<string, unknown> = {};
  if (config.users?.length) doc.users = config.users.map(userToYaml);
  if (config.aptSources && Object.keys(config.aptSources).length > 0) {
    doc.apt = { sources: config.aptSources };
  }
  if (config.packageUpdate !== undefined) doc.package_update = config.packageUpdate;
  if (config.packages?.length) doc.packages = [...config.packages];
  if (config.ntp) doc.ntp = { enabled: true, ntp_client: config.ntp.ntpClient, servers: [...config.ntp.servers] };
  if (config.writeFiles?.length) doc.write_files = config.writeFiles.map(fileToYaml);
  if (config.runcmd?.length) doc.runcmd = config.runcmd.map((c) => (typeof c === 'string' ? c : [...c]));
  // cloud-init reads YAML 1.1 (PyYAML), where an unquoted yes/no/on/off is a boolean: print for 1.1.
  return '#cloud-config\n' + renderYaml(doc as YamlValue);
}
