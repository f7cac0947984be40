/**
 * The package as users get it: `npm pack` (which builds first: prepack), unpacked into a fresh
 * project's node_modules as `npm install <tarball>` would, its dependencies and peers taken from
 * this repository's own node_modules (offline: nothing is fetched), a user program type-checked
 * against it and synthesized.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
let project: string;
let files: string[];
/** The tarball npm pack wrote, and the name it gave it. */
let packed: { file: string; name: string };


beforeAll(() => {
  const work = tempDir('package');
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, timeoutMs: 600_000 });
  expect(pack.status, pack.stderr).toBe(0);
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  files = info.files.map((f: { path: string }) => f.path);
  // The user's project as checked in (test/user-project), next to the tarball its package.json names.
  fs.renameSync(path.join(work, info.filename), path.join(work, 'cdktf-gohost.tgz'));
  packed = { file: path.join(work, 'cdktf-gohost.tgz'), name: info.filename };
  project = path.join(work, 'user-project');
  fs.cpSync(path.join(ROOT, 'test', 'user-project'), project, { recursive: true });
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(path.join(modules, 'cdktf-gohost'), { recursive: true });
  const untar = run('tar', ['-xzf', path.join(work, 'cdktf-gohost.tgz'), '-C', path.join(modules, 'cdktf-gohost'), '--strip-components=1']);
  expect(untar.status, untar.stderr).toBe(0);
  // Offline: what `npm install` would fetch comes from this repository's node_modules (the tarball's own dependencies included).
  const user = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
  const needed = [...Object.keys(pkg.dependencies), ...Object.keys(user.dependencies), ...Object.keys(user.devDependencies)].filter((d) => d !== 'cdktf-gohost');
  for (const dep of new Set(needed)) {
    fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(modules, dep));
  }
  fs.mkdirSync(path.join(modules, '.bin'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), path.join(modules, '.bin', 'tsc'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), path.join(modules, '.bin', 'vitest'));
}, 1_500_000);

describe('the packed package', () => {
  it('ships the built library, its declarations, the README, the changelog, the licence and the checklist, and no sources or tests', () => {
    for (const f of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'README.md', 'CHANGELOG.md', 'LICENSE', 'docs/checklist.md', 'package.json']) expect(files).toContain(f);
    expect(files.filter((f) => /^(lib|test|scripts|examples)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('the user\'s project type-checks against it (strict, library types not skipped) and synthesizes', () => {
    const tsc = run(path.join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project, timeoutMs: 300_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const synth = run('node', ['build/main.js'], { cwd: project, timeoutMs: 300_000 });
    expect(synth.status, synth.stderr).toBe(0);
    const tf = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', 'shop', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource.aws_instance)).toHaveLength(2);
    expect(tf.provider.cloudinit).toEqual([{ alias: 'gohost' }]);
  });

  it('the user\'s own tests pass, written with cdktf-gohost/testing (vitest in the user\'s project)', () => {
    const r = run(path.join(project, 'node_modules', '.bin', 'vitest'), ['run', '--root', project], { cwd: project, timeoutMs: 600_000 });
    // eslint-disable-next-line no-control-regex
    expect((r.stdout + r.stderr).replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/Tests\s+4 passed \(4\)/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

/** The fenced block of `lang` that follows `heading` in the README. */
function readmeBlock(heading: string, lang: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  if (!m) throw new Error(`no ${lang} block after ${heading}`);
  return m[1];
}

describe('the README, followed as written', () => {
  it('its install line (npm, from the registry, with the packed tarball) and its usage example compile and synthesize', () => {
    const dir = tempDir('readme-user');
    const tarball = packed.name;
    const install = readmeBlock('## Install', 'sh').split('\n').find((l) => l.startsWith('npm install '))!;
    // The README names the tarball npm pack writes for this version, in the clone it made.
    expect(install).toContain(`./cdktf-gohost/${tarball} `);
    fs.mkdirSync(path.join(dir, 'cdktf-gohost'));
    fs.copyFileSync(packed.file, path.join(dir, 'cdktf-gohost', tarball));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'readme-user', private: true }));
    const npm = run('bash', ['-c', `${install} --prefer-offline --no-audit --no-fund typescript@${pkg.devDependencies.typescript} @types/node@20`], { cwd: dir, timeoutMs: 600_000 });
    expect(npm.status, npm.stdout + npm.stderr).toBe(0);
    // The usage example with a real digest in place of its placeholder.
    const usage = readmeBlock('## Usage', 'ts').replace("'3b0c…64 hex characters…'", `'${'3b0c'.padEnd(64, '0')}'`);
    fs.writeFileSync(path.join(dir, 'main.ts'), usage);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', esModuleInterop: true, outDir: 'build', types: ['node'] }, files: ['main.ts'] }));
    const tsc = run(path.join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir, timeoutMs: 300_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const synth = run('node', ['build/main.js'], { cwd: dir, timeoutMs: 300_000 });
    expect(synth.status, synth.stderr).toBe(0);
    const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'prod', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource.aws_instance)).toEqual([expect.stringMatching(/^Api_Instance_/)]);
    expect(fs.existsSync(path.join(dir, 'cdktf.out', 'stacks', 'prod', 'readiness.md'))).toBe(true);
  });
});
