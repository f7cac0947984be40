/**
 * The real tools on a user's synthesized stack, when they are installed: `terraform validate`
 * with every user-data reference intact, and the host artifacts through the programs that read
 * them (cloud-init, shellcheck, promtool). A tool that is not installed is reported as skipped,
 * never as passed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostArtifacts, SynthesizedStack } from './artifacts';
import { TerraformStack, Testing } from '../private/cdktf';

export interface TerraformValidation {
  readonly valid: boolean;
  readonly diagnostics: ReadonlyArray<{ readonly severity: string; readonly summary: string; readonly detail?: string }>;
}

export interface ArtifactCheck {
  readonly host: string;
  readonly tool: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly output: string;
}

function installed(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

/**
 * The stack with each `cloudinit_config` data source replaced by a local holding its parts, so
 * `terraform validate` needs only the AWS provider and every reference the user data makes (and
 * with it any dependency cycle) is still there. Replacing user data by a constant would hide them.
 */
export function withUserDataAsLocals(synthesized: any): any {
  const copy = JSON.parse(JSON.stringify(synthesized));
  const configs: Record<string, any> = copy.data?.cloudinit_config ?? {};
  copy.locals = { ...(copy.locals ?? {}) };
  for (const [name, config] of Object.entries<any>(configs)) copy.locals[`user_data_${name}`] = config.part.map((p: any) => p.content).join('\n');
  delete copy.data?.cloudinit_config;
  if (copy.data && Object.keys(copy.data).length === 0) delete copy.data;
  delete copy.provider?.cloudinit;
  delete copy.terraform?.required_providers?.cloudinit;
  delete copy.terraform?.backend;
  return JSON.parse(JSON.stringify(copy).replace(/\$\{data\.cloudinit_config\.([A-Za-z0-9_-]+)\.rendered\}/g, (_, name: string) => `\${base64encode(local.user_data_${name})}`));
}

/**
 * `terraform init -backend=false` and `terraform validate` on the synthesized stack. `pluginDir`:
 * a filesystem mirror of the AWS provider for machines without registry access.
 */
export function validateWithTerraform(input: SynthesizedStack, options: { readonly pluginDir?: string } = {}): TerraformValidation {
  const synthesized = input instanceof TerraformStack ? JSON.parse(Testing.synth(input)) : input;
  if (!installed('terraform')) throw new Error('terraform is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-validate-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(withUserDataAsLocals(synthesized), null, 2));
    const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    if (options.pluginDir) {
      const rc = path.join(dir, 'terraform.rc');
      fs.writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(options.pluginDir)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`);
      env.TF_CLI_CONFIG_FILE = rc;
    }
    const init = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
    const v = spawnSync('terraform', ['validate', '-json', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    const result = JSON.parse(v.stdout);
    return { valid: result.valid, diagnostics: result.diagnostics ?? [] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A Terraform reference as the tools see it: one word, as the value Terraform puts there (an ID, an address, an ARN) is. */
const REFERENCE = /\$\{(?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+\}/g;
const resolved = (text: string) => text.replace(REFERENCE, 'terraform-reference');

/**
 * Every host's cloud-config (`cloud-init schema`), first-boot script (`shellcheck`) and alert
 * rules (`promtool check rules`), references replaced by one word.
 */
export function checkArtifacts(input: SynthesizedStack): ArtifactCheck[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-artifacts-'));
  const checks: ArtifactCheck[] = [];
  const check = (host: string, tool: string, args: string[], input: { file: string; content: string } | { stdin: string }, passed: (out: string, status: number | null) => boolean) => {
    if (!installed(tool)) {
      checks.push({ host, tool, status: 'skipped', output: `${tool} is not installed` });
      return;
    }
    let r;
    if ('file' in input) {
      const f = path.join(dir, input.file);
      fs.writeFileSync(f, input.content);
      r = spawnSync(tool, [...args, f], { encoding: 'utf8' });
    } else r = spawnSync(tool, args, { encoding: 'utf8', input: input.stdin });
    const output = `${r.stdout}${r.stderr}`.trim();
    checks.push({ host, tool, status: passed(output, r.status) ? 'passed' : 'failed', output });
  };
  try {
    hostArtifacts(input).forEach((a, i) => {
      check(a.host, 'cloud-init', ['schema', '--config-file'], { file: `cloud-config-${i}.yaml`, content: resolved(a.cloudConfigText) }, (out) => out.includes('Valid cloud-config'));
      check(a.host, 'shellcheck', ['--shell=bash', '-'], { stdin: resolved(a.script) }, (out, status) => status === 0 && out === '');
      const rules = a.files.get('/etc/prometheus/rules/gohost.rules.yml');
      if (rules) check(a.host, 'promtool', ['check', 'rules'], { file: `rules-${i}.yml`, content: resolved(rules.content) }, (_, status) => status === 0);
    });
    return checks;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
