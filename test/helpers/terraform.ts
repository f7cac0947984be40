/**
 * `terraform validate` against the offline AWS provider mirror of these machines. The mirror is
 * located at run time and written into a project-local CLI config (TF_CLI_CONFIG_FILE).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, tempDir } from './tools';

let mirrorRoot: string | undefined;

/** The directory holding `registry.terraform.io/hashicorp/aws/<version>/<platform>/terraform-provider-aws_*`. */
export function findProviderMirror(): string {
  if (mirrorRoot) return mirrorRoot;
  const candidates = ['/opt', '/usr/local/share', '/usr/share', '/root', '/var/lib'];
  for (const root of [...candidates, '/']) {
    if (!fs.existsSync(root)) continue;
    let out = '';
    try {
      out = execFileSync('find', [root, '-xdev', '-name', 'terraform-provider-aws_*', '-path', '*registry.terraform.io/hashicorp/aws/*'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 120_000,
      });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? '';
    }
    const hit = out.split('\n').find((l) => l.trim());
    if (hit) {
      mirrorRoot = hit.slice(0, hit.indexOf('/registry.terraform.io/'));
      return mirrorRoot;
    }
  }
  throw new Error('no offline mirror of the AWS provider found (looked for terraform-provider-aws_* under registry.terraform.io/hashicorp/aws)');
}

export function writeCliConfig(dir: string): string {
  const file = path.join(dir, 'terraform.rc');
  fs.writeFileSync(
    file,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(findProviderMirror())}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
  );
  return file;
}

// The validation copy (user data as locals, references intact) is the testing kit's: one implementation.
export { withUserDataAsLocals as withCloudinitAsLocals } from '../../lib/testing/tools';

export interface ValidateResult {
  readonly valid: boolean;
  readonly diagnostics: Array<{ severity: string; summary: string; detail?: string }>;
  readonly raw: string;
}

export function terraformValidate(tfJson: unknown): ValidateResult {
  const dir = tempDir('tf');
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(tfJson, null, 2));
  const env = { ...process.env, TF_CLI_CONFIG_FILE: writeCliConfig(dir), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const init = run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: dir, env, timeoutMs: 300_000 });
  if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}\n${init.stderr}`);
  const v = run('terraform', ['validate', '-json', '-no-color'], { cwd: dir, env, timeoutMs: 300_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    const parsed = JSON.parse(v.stdout);
    return { valid: parsed.valid, diagnostics: parsed.diagnostics ?? [], raw: v.stdout };
  } catch {
    return { valid: false, diagnostics: [{ severity: 'error', summary: v.stderr || v.stdout }], raw: v.stdout };
  }
}

/** Runs terraform in a directory with the offline mirror (env for init, plan, show). */
export function terraformEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: writeCliConfig(dir),
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
}
