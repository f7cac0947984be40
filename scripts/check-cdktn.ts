/**
 * npm run check:cdktn — the library on CDK Terrain (`cdktn`, the community continuation of CDK
 * for Terraform). Installs a temporary project from the npm registry with `cdktf` aliased to
 * `cdktn@0.24.0` (the recipe in the README), copies lib/ and examples/ into it, synthesizes the
 * examples there and here (cdktf 0.21), and compares every stack: only cdktf's version strings and
 * the local state path may differ. Exits 1 on any other difference.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CDKTN = process.env.CDKTN_VERSION ?? '0.24.0';
// cdktn's peer range for constructs is >=10.6.0 <10.8.0.
const CONSTRUCTS = process.env.CDKTN_CONSTRUCTS ?? '10.7.0';

function sh(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20, env: process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The stack with what may differ between the frameworks blanked: version strings and the state path. */
function normalized(file: string): unknown {
  const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
  const walk = (v: any, key = ''): any => {
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    if (typeof v === 'string' && (key === 'version' || key === 'cdktfVersion' || key === 'path' && v.endsWith('.tfstate'))) return '<normalized>';
    return v;
  };
  return walk(tf);
}

function diff(a: unknown, b: unknown, at = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => diff((a as any)[k], (b as any)[k], `${at}/${k}`));
  }
  return [`${at}: ${JSON.stringify(a)?.slice(0, 120)} ≠ ${JSON.stringify(b)?.slice(0, 120)}`];
}

function main(): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-cdktn-'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'gohost-on-cdktn',
    private: true,
    dependencies: {
      cdktf: `npm:cdktn@${CDKTN}`,
      constructs: CONSTRUCTS,
      '@cdktf/provider-aws': pkg.devDependencies['@cdktf/provider-aws'],
      '@cdktf/provider-cloudinit': pkg.devDependencies['@cdktf/provider-cloudinit'],
      // The library's own dependencies (yaml, the PromQL grammar and its parser runtime).
      ...pkg.dependencies,
    },
    // The provider packages name cdktf ^0.21 as their peer; cdktn is that API under a new name.
    overrides: { cdktf: `npm:cdktn@${CDKTN}` },
  }, null, 2));
  console.log(`check:cdktn: installing cdktn@${CDKTN}, constructs@${CONSTRUCTS} and the providers into ${dir}`);
  sh('npm', ['install', '--legacy-peer-deps', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
  const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'cdktf', 'package.json'), 'utf8'));
  if (installed.name !== 'cdktn') throw new Error(`expected cdktn behind the cdktf alias, found ${installed.name}`);
  for (const d of ['lib', 'examples']) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'synth.ts'), "import { buildExamples } from './examples/main';\nbuildExamples(process.argv[2]).synth();\n");
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  sh(tsx, ['synth.ts', path.join(dir, 'out-cdktn')], dir);
  const here = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-cdktf-'));
  fs.writeFileSync(path.join(here, 'synth.ts'), `import { buildExamples } from ${JSON.stringify(path.join(ROOT, 'examples', 'main'))};\nbuildExamples(process.argv[2]).synth();\n`);
  sh(tsx, [path.join(here, 'synth.ts'), path.join(here, 'out')], ROOT);

  const stacks = fs.readdirSync(path.join(here, 'out', 'stacks'));
  let problems = 0;
  for (const stack of stacks) {
    const a = path.join(here, 'out', 'stacks', stack, 'cdk.tf.json');
    const b = path.join(dir, 'out-cdktn', 'stacks', stack, 'cdk.tf.json');
    if (!fs.existsSync(b)) {
      console.log(`${stack}: not synthesized on cdktn`);
      problems++;
      continue;
    }
    const rawDiff = diff(JSON.parse(fs.readFileSync(a, 'utf8')), JSON.parse(fs.readFileSync(b, 'utf8')));
    const d = diff(normalized(a), normalized(b));
    console.log(`${stack}: ${d.length === 0 ? 'identical' : `${d.length} difference(s)`} apart from ${rawDiff.length - d.length} version string(s) and path(s)${rawDiff.length > 0 ? `: ${rawDiff.slice(0, 3).join('; ')}` : ''}`);
    for (const line of d.slice(0, 20)) console.log(`  ${line}`);
    problems += d.length;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(here, { recursive: true, force: true });
  return problems === 0 ? 0 : 1;
}

process.exit(main());
