/**
 * A synthesized stack read the way a reviewer reads it: each host's user data decoded into the
 * files it writes, its units by section, its nginx configuration, its sysctl settings and its
 * first-boot script. Terraform's escapes are undone; references stay `${…}` references.
 */
import { parse } from 'yaml';
import { hostsOf } from '../readiness/report';
import { TerraformStack, Testing } from '../private/cdktf';

/** A unit file by section: `units['orders-api.service'].Service.MemoryMax` → `['1536M']`. */
export type ParsedUnit = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface WrittenFile {
  readonly path: string;
  readonly content: string;
  readonly permissions: string;
  readonly owner?: string;
  /** `b64`: content is base64 (a reference crossed into a whole file). */
  readonly encoding?: string;
}

export interface HostArtifacts {
  /** Construct path of the host (a front door's own instances: `…/FrontDoor/Host`). */
  readonly host: string;
  /** The cloud-config document, parsed (YAML 1.1, as cloud-init reads it). */
  readonly cloudConfig: any;
  /** The cloud-config as cloud-init receives it. */
  readonly cloudConfigText: string;
  readonly files: ReadonlyMap<string, WrittenFile>;
  /** A written file's content; throws naming the files there are when it is not written. */
  file(path: string): string;
  /** Every systemd unit and drop-in written, by file name (`nginx.service.d/60-gohost.conf` for a drop-in). */
  readonly units: Readonly<Record<string, ParsedUnit>>;
  /** The front door's nginx.conf, when the host runs one. */
  readonly nginxConfig?: string;
  /** Every key of the library's sysctl.d file. */
  readonly sysctl: Readonly<Record<string, string>>;
  /** The first-boot script. */
  readonly script: string;
}

/** Terraform's template escapes undone (`$${` → `${`, `%%{` → `%{`). */
export function unescapeTemplate(text: string): string {
  return text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** Parses systemd INI text: sections → keys → values in order (a key may repeat). */
export function parseUnit(text: string): ParsedUnit {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !section) continue;
    const key = line.slice(0, eq).trim();
    (out[section][key] ??= []).push(line.slice(eq + 1).trim());
  }
  return out;
}

const UNIT_DIR = '/etc/systemd/system/';

/** A stack, or its synthesized JSON (`JSON.parse(Testing.synth(stack))`). */
export type SynthesizedStack = TerraformStack | Record<string, any>;

/** The synthesized JSON and each user-data data source's host path (the construct path when the stack is given). */
function read(input: SynthesizedStack): { tf: any; hostOf: (key: string, config: any) => string } {
  if (input instanceof TerraformStack) {
    const tf = JSON.parse(Testing.synth(input));
    const paths = new Map(hostsOf(input).map((h) => [`${h.node.path.split('/').slice(1).join('_')}_UserData_`, h.node.path]));
    return { tf, hostOf: (key) => [...paths].find(([prefix]) => key.startsWith(prefix))?.[1] ?? key };
  }
  // From JSON alone: the construct path cdktf records in its metadata, or the data source's name.
  return { tf: input, hostOf: (key, config) => String(config['//']?.metadata?.path ?? key.replace(/_UserData_[0-9A-F]+$/, '')).replace(/\/UserData$/, '') };
}

/** The hosts' artifacts of a stack, one per host. */
export function hostArtifacts(input: SynthesizedStack): HostArtifacts[] {
  const { tf, hostOf } = read(input);
  return Object.entries<any>(tf.data?.cloudinit_config ?? {}).map(([key, config]) => {
    const host = hostOf(key, config);
    const [cloudConfigText, scriptText] = config.part.map((p: any) => unescapeTemplate(p.content));
    const cloudConfig = parse(cloudConfigText, { version: '1.1' });
    const files = new Map<string, WrittenFile>((cloudConfig.write_files ?? []).map((f: any) => [f.path, f]));
    const units: Record<string, ParsedUnit> = {};
    for (const [path, f] of files) {
      if (path.startsWith(UNIT_DIR) && f.encoding === undefined) units[path.slice(UNIT_DIR.length)] = parseUnit(f.content);
    }
    const sysctlText = files.get('/etc/sysctl.d/60-gohost.conf')?.content ?? '';
    const sysctl = Object.fromEntries(sysctlText.split('\n').filter((l) => l.includes('=') && !l.startsWith('#')).map((l) => l.split('=').map((x) => x.trim()) as [string, string]));
    return {
      host,
      cloudConfig,
      cloudConfigText,
      files,
      file(path: string) {
        const f = files.get(path);
        if (!f) throw new Error(`${host} writes no ${path}; it writes ${[...files.keys()].join(', ')}`);
        return f.content;
      },
      units,
      nginxConfig: files.get('/etc/nginx/gohost/nginx.conf')?.content,
      sysctl,
      script: scriptText,
    };
  });
}

/** The artifacts of the host at `path` (its construct path, or the path below the stack). */
export function artifactsOf(input: SynthesizedStack, path: string): HostArtifacts {
  const all = hostArtifacts(input);
  const found = all.find((a) => a.host === path || a.host.split('/').slice(1).join('/') === path || a.host === path.replace(/\//g, '_'));
  if (!found) throw new Error(`no host ${path}; hosts: ${all.map((a) => a.host).join(', ')}`);
  return found;
}

/**
 * A readable snapshot of every host's user data: each part under a header, in order; construct
 * hashes in references normalized (`_1A2B3C4D` → `_<hash>`), so a snapshot survives an unrelated
 * change of a construct ID's hash but not of the text.
 */
export function userDataSnapshot(input: SynthesizedStack): string {
  const { tf, hostOf } = read(input);
  const out: string[] = [];
  for (const [key, config] of Object.entries<any>(tf.data?.cloudinit_config ?? {})) {
    const host = hostOf(key, config);
    for (const part of config.part) {
      out.push(`===== ${host}: ${part.filename} (${part.content_type}) =====`, unescapeTemplate(part.content).replace(/(\$\{[^}]*?_)[0-9A-F]{8}(\.)/g, '$1<hash>$2'));
    }
  }
  return out.join('\n');
}
